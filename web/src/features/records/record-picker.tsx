// A type-ahead picker for a related record (a company for a contact, a contact for a deal): an ARIA combobox.
import { useQuery } from '@tanstack/react-query';
import { X } from 'lucide-react';
import { useDeferredValue, useId, useState } from 'react';

export interface PickerOption {
  id: string;
  label: string;
  detail?: string;
}

export function RecordPicker({
  label,
  value,
  onChange,
  search,
  queryKey,
  placeholder,
  error,
}: {
  label: string;
  value: PickerOption | undefined;
  onChange: (option: PickerOption | undefined) => void;
  search: (text: string, signal: AbortSignal) => Promise<PickerOption[]>;
  queryKey: string;
  placeholder?: string;
  error?: string | undefined;
}) {
  const [text, setText] = useState('');
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(0);
  const query = useDeferredValue(text.trim());
  const id = useId();
  const results = useQuery({
    queryKey: ['picker', queryKey, query],
    queryFn: ({ signal }) => search(query, signal),
    enabled: open && query.length >= 1,
    staleTime: 10_000,
  });
  const options = results.data ?? [];

  if (value)
    return (
      <div className="field">
        <span className="field-label" id={`${id}-label`}>
          {label}
        </span>
        <div className="picker-chosen" aria-labelledby={`${id}-label`}>
          <span className="grow truncate">
            {value.label}
            {value.detail ? <span className="subtle"> · {value.detail}</span> : null}
          </span>
          <button type="button" className="icon-btn" aria-label={`Clear ${label}`} onClick={() => onChange(undefined)}>
            <X size={15} />
          </button>
        </div>
      </div>
    );

  const choose = (option: PickerOption | undefined) => {
    if (!option) return;
    onChange(option);
    setText('');
    setOpen(false);
  };

  return (
    <div className="field picker">
      <label className="field-label" htmlFor={id}>
        {label}
      </label>
      <input
        id={id}
        className="input"
        role="combobox"
        aria-expanded={open && options.length > 0}
        aria-controls={`${id}-list`}
        aria-autocomplete="list"
        aria-activedescendant={open && options[active] ? `${id}-opt-${active}` : undefined}
        aria-invalid={error ? true : undefined}
        placeholder={placeholder ?? 'Type to search…'}
        value={text}
        onChange={(e) => {
          setText(e.target.value);
          setOpen(true);
          setActive(0);
        }}
        onFocus={() => setOpen(true)}
        onBlur={() => window.setTimeout(() => setOpen(false), 150)}
        onKeyDown={(e) => {
          if (e.key === 'ArrowDown') {
            e.preventDefault();
            setActive((a) => Math.min(a + 1, options.length - 1));
          }
          if (e.key === 'ArrowUp') {
            e.preventDefault();
            setActive((a) => Math.max(a - 1, 0));
          }
          if (e.key === 'Enter' && open && options[active]) {
            e.preventDefault();
            choose(options[active]);
          }
          if (e.key === 'Escape') setOpen(false);
        }}
      />
      {open && query.length >= 1 ? (
        <ul id={`${id}-list`} role="listbox" className="picker-list" aria-label={label}>
          {options.length === 0 ? (
            <li className="picker-empty">{results.isFetching ? 'Searching…' : 'No match'}</li>
          ) : (
            options.map((option, i) => (
              <li
                key={option.id}
                id={`${id}-opt-${i}`}
                role="option"
                aria-selected={i === active}
                className="picker-option"
                onMouseDown={(e) => (e.preventDefault(), choose(option))}
              >
                <span className="truncate">{option.label}</span>
                {option.detail ? <span className="subtle truncate">{option.detail}</span> : null}
              </li>
            ))
          )}
        </ul>
      ) : null}
      {error ? <span className="field-error">{error}</span> : null}
    </div>
  );
}
