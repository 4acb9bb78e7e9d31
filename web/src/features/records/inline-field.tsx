import { Check, Pencil, X } from 'lucide-react';
import { useEffect, useId, useRef, useState } from 'react';

export interface InlineFieldProps {
  label: string;
  /** The editable text. */
  value: string;
  /** How the value reads when not editing (defaults to the value). */
  display?: React.ReactNode;
  type?: 'text' | 'email' | 'tel' | 'url' | 'date' | 'number' | 'textarea' | 'select';
  options?: { value: string; label: string }[];
  placeholder?: string;
  /** Shows the value as a link (mailto:, tel:) with a separate edit button beside it. */
  href?: string;
  readOnly?: boolean;
  /** Resolves true when saved; the field then leaves edit mode. */
  onSave: (value: string) => Promise<boolean>;
}

/** A value that turns into an input on click (or Enter); Enter or leaving saves, Escape cancels. */
export function InlineField({
  label,
  value,
  display,
  type = 'text',
  options,
  placeholder,
  href,
  readOnly,
  onSave,
}: InlineFieldProps) {
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState(value);
  const [saving, setSaving] = useState(false);
  const inputRef = useRef<HTMLInputElement & HTMLSelectElement & HTMLTextAreaElement>(null);
  const labelId = useId();
  const valueId = useId();

  useEffect(() => {
    if (!editing) setDraft(value);
  }, [value, editing]);

  // A save that lands elsewhere (re-applying the edit after a conflict) and gives the draft's value ends the edit.
  const previous = useRef(value);
  useEffect(() => {
    if (editing && value !== previous.current && value.trim() === draft.trim()) setEditing(false);
    previous.current = value;
  }, [value, editing, draft]);

  useEffect(() => {
    if (editing) inputRef.current?.focus();
  }, [editing]);

  const commit = async () => {
    if (saving) return;
    if (draft.trim() === value.trim()) return setEditing(false);
    setSaving(true);
    const ok = await onSave(draft.trim());
    setSaving(false);
    if (ok) setEditing(false);
  };

  const cancel = () => {
    setDraft(value);
    setEditing(false);
  };

  const shown = display ?? (value ? value : null);

  return (
    <div className="inline-field">
      <dt id={labelId} className="inline-field-label">
        {label}
      </dt>
      <dd>
        {editing ? (
          <div className="inline-field-edit">
            {type === 'select' ? (
              <select
                ref={inputRef}
                className="select"
                aria-labelledby={labelId}
                value={draft}
                disabled={saving}
                onChange={(e) => setDraft(e.target.value)}
                onKeyDown={(e) => {
                  if (e.key === 'Escape') {
                    e.preventDefault();
                    cancel();
                  }
                  if (e.key === 'Enter') {
                    e.preventDefault();
                    void commit();
                  }
                }}
              >
                <option value="">—</option>
                {options?.map((o) => (
                  <option key={o.value} value={o.value}>
                    {o.label}
                  </option>
                ))}
              </select>
            ) : type === 'textarea' ? (
              <textarea
                ref={inputRef}
                className="textarea"
                aria-labelledby={labelId}
                value={draft}
                disabled={saving}
                onChange={(e) => setDraft(e.target.value)}
                onKeyDown={(e) => {
                  if (e.key === 'Escape') {
                    e.preventDefault();
                    cancel();
                  }
                  if (e.key === 'Enter' && (e.metaKey || e.ctrlKey)) {
                    e.preventDefault();
                    void commit();
                  }
                }}
              />
            ) : (
              <input
                ref={inputRef}
                className="input"
                aria-labelledby={labelId}
                type={type}
                value={draft}
                disabled={saving}
                onChange={(e) => setDraft(e.target.value)}
                onKeyDown={(e) => {
                  if (e.key === 'Escape') {
                    e.preventDefault();
                    cancel();
                  }
                  if (e.key === 'Enter') {
                    e.preventDefault();
                    void commit();
                  }
                }}
              />
            )}
            <button
              type="button"
              className="icon-btn"
              aria-label={`Save ${label}`}
              disabled={saving}
              onClick={() => void commit()}
            >
              <Check size={16} />
            </button>
            <button type="button" className="icon-btn" aria-label="Cancel" disabled={saving} onClick={cancel}>
              <X size={16} />
            </button>
          </div>
        ) : readOnly ? (
          <span className="inline-field-value">{shown ?? <span className="subtle">—</span>}</span>
        ) : href && value ? (
          <span className="inline-field-value">
            <a className="grow" href={href}>
              {shown}
            </a>
            <button
              type="button"
              className="icon-btn btn-sm"
              aria-label={`Edit ${label}`}
              onClick={() => setEditing(true)}
            >
              <Pencil size={13} aria-hidden="true" />
            </button>
          </span>
        ) : (
          <button
            type="button"
            className="inline-field-value inline-field-button"
            aria-labelledby={`${labelId} ${valueId}`}
            onClick={() => setEditing(true)}
          >
            <span id={valueId} className="grow">
              {shown ?? <span className="subtle">{placeholder ?? 'Add…'}</span>}
            </span>
            <Pencil size={13} className="inline-field-pencil" aria-hidden="true" />
          </button>
        )}
      </dd>
    </div>
  );
}
