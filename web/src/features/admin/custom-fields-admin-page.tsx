// Custom field definitions per entity (crm-admin): add, edit, archive, options of select fields. The set is saved
// as a whole with If-Match of its version, as the API takes it.
import { useQueryClient } from '@tanstack/react-query';
import { Archive, ArchiveRestore, Pencil, Plus } from 'lucide-react';
import { useEffect, useState } from 'react';
import { saveCustomFields, useCustomFields } from '../../api/custom-fields.api';
import { ApiError, formErrorsOf } from '../../api/problem';
import { queryKeys } from '../../api/query-keys';
import type { CustomFieldDefinition, CustomFieldEntity, CustomFieldType } from '../../api/types';
import { humanize } from '../../domain/format';
import { Dialog } from '../../ui/dialog';
import { Field } from '../../ui/field';
import { PageHeader, SkeletonRows } from '../../ui/misc';
import { useToasts } from '../../ui/toast';

const ENTITIES: { entity: CustomFieldEntity; label: string }[] = [
  { entity: 'contact', label: 'Contacts' },
  { entity: 'company', label: 'Companies' },
  { entity: 'deal', label: 'Deals' },
];
const TYPES: CustomFieldType[] = [
  'text',
  'number',
  'date',
  'boolean',
  'single_select',
  'multi_select',
  'url',
  'email',
  'phone',
];

/** "Contract value (EUR)" → "contractValueEur": a key the API accepts, suggested from the label. */
export function keyFromLabel(label: string): string {
  const words = label
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^A-Za-z0-9]+/g, ' ')
    .trim()
    .split(' ')
    .filter(Boolean);
  const key = words
    .map((w, i) => (i === 0 ? w.toLowerCase() : w.charAt(0).toUpperCase() + w.slice(1).toLowerCase()))
    .join('');
  return /^[a-z]/.test(key) ? key.slice(0, 64) : `f${key}`.slice(0, 64);
}

export function CustomFieldsAdminPage() {
  const [entity, setEntity] = useState<CustomFieldEntity>('contact');
  const set = useCustomFields(entity);
  const client = useQueryClient();
  const toasts = useToasts();
  const [draft, setDraft] = useState<CustomFieldDefinition[]>([]);
  const [editing, setEditing] = useState<{ index: number; definition: CustomFieldDefinition } | undefined>();
  const [saving, setSaving] = useState(false);
  useEffect(() => setDraft(set.data?.definitions ?? []), [set.data]);
  const dirty = JSON.stringify(draft) !== JSON.stringify(set.data?.definitions ?? []);

  const save = async () => {
    if (!set.data) return;
    setSaving(true);
    try {
      await saveCustomFields(entity, set.data.version, draft);
      await client.invalidateQueries({ queryKey: queryKeys.customFields(entity) });
      toasts.success('Custom fields saved');
    } catch (error) {
      if (error instanceof ApiError && error.isConflict) {
        await client.invalidateQueries({ queryKey: queryKeys.customFields(entity) });
        toasts.show({
          kind: 'error',
          title: 'Someone else changed these fields',
          body: 'The latest definitions are loaded; make your change again.',
        });
      } else {
        const fields = Object.entries(formErrorsOf(error));
        toasts.show({
          kind: 'error',
          title: 'Not saved',
          body: fields.length ? fields.map(([f, d]) => `${f} ${d}`).join('; ') : String((error as Error).message),
        });
      }
    } finally {
      setSaving(false);
    }
  };

  return (
    <div className="page">
      <PageHeader
        title="Custom fields"
        subtitle="Extra fields on contacts, companies and deals; forms and imports pick them up at once."
        actions={
          <>
            <button
              type="button"
              className="btn"
              onClick={() => setEditing({ index: -1, definition: { key: '', label: '', type: 'text' } })}
            >
              <Plus size={16} aria-hidden="true" /> Add field
            </button>
            <button type="button" className="btn btn-primary" disabled={!dirty || saving} onClick={() => void save()}>
              {saving ? 'Saving…' : 'Save changes'}
            </button>
          </>
        }
      />
      <div className="tabs" role="tablist" aria-label="Record type" style={{ marginBottom: 14 }}>
        {ENTITIES.map(({ entity: e, label }) => (
          <button
            key={e}
            type="button"
            role="tab"
            className="tab"
            aria-selected={entity === e}
            disabled={dirty && entity !== e}
            onClick={() => setEntity(e)}
          >
            {label}
          </button>
        ))}
      </div>
      {set.isPending ? (
        <SkeletonRows />
      ) : (
        <div className="card" role="tabpanel">
          <table className="table">
            <thead>
              <tr>
                <th scope="col">Label</th>
                <th scope="col">Key</th>
                <th scope="col">Type</th>
                <th scope="col">Required</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {draft.map((definition, index) => (
                <tr key={definition.key} className={definition.archived ? 'archived' : undefined}>
                  <th scope="row">
                    {definition.label} {definition.archived ? <span className="badge">archived</span> : null}
                  </th>
                  <td>
                    <code>{definition.key}</code>
                  </td>
                  <td>{humanize(definition.type)}</td>
                  <td>{definition.required ? 'Yes' : 'No'}</td>
                  <td className="row" style={{ justifyContent: 'flex-end' }}>
                    <button
                      type="button"
                      className="icon-btn"
                      aria-label={`Edit ${definition.label}`}
                      onClick={() => setEditing({ index, definition })}
                    >
                      <Pencil size={15} />
                    </button>
                    <button
                      type="button"
                      className="icon-btn"
                      aria-label={`${definition.archived ? 'Restore' : 'Archive'} ${definition.label}`}
                      onClick={() =>
                        setDraft((d) => d.map((x, i) => (i === index ? { ...x, archived: !x.archived } : x)))
                      }
                    >
                      {definition.archived ? <ArchiveRestore size={15} /> : <Archive size={15} />}
                    </button>
                  </td>
                </tr>
              ))}
              {draft.length === 0 ? (
                <tr>
                  <td colSpan={5} className="subtle">
                    No custom fields on {entity}s yet.
                  </td>
                </tr>
              ) : null}
            </tbody>
          </table>
        </div>
      )}
      {editing ? (
        <DefinitionDialog
          initial={editing.definition}
          isNew={editing.index < 0}
          takenKeys={draft.filter((_, i) => i !== editing.index).map((d) => d.key)}
          onClose={() => setEditing(undefined)}
          onDone={(definition) => {
            setDraft((d) =>
              editing.index < 0 ? [...d, definition] : d.map((x, i) => (i === editing.index ? definition : x)),
            );
            setEditing(undefined);
          }}
        />
      ) : null}
    </div>
  );
}

function DefinitionDialog({
  initial,
  isNew,
  takenKeys,
  onClose,
  onDone,
}: {
  initial: CustomFieldDefinition;
  isNew: boolean;
  takenKeys: string[];
  onClose: () => void;
  onDone: (definition: CustomFieldDefinition) => void;
}) {
  const [definition, setDefinition] = useState<CustomFieldDefinition>(initial);
  const [keyTouched, setKeyTouched] = useState(!isNew);
  const [optionsText, setOptionsText] = useState(
    (initial.options ?? []).map((o) => (o.label && o.label !== o.value ? `${o.value}=${o.label}` : o.value)).join('\n'),
  );
  const [errors, setErrors] = useState<Record<string, string>>({});
  const selectType = definition.type === 'single_select' || definition.type === 'multi_select';

  const done = () => {
    const next: Record<string, string> = {};
    if (!definition.label.trim()) next.label = 'Required';
    if (!/^[a-z][A-Za-z0-9_]{0,63}$/.test(definition.key))
      next.key = 'Starts with a lower-case letter; letters, digits and _ only';
    else if (takenKeys.includes(definition.key)) next.key = 'Another field has this key';
    const options = optionsText
      .split('\n')
      .map((line) => line.trim())
      .filter(Boolean)
      .map((line) => {
        const [value = '', label] = line.split('=');
        const previous = initial.options?.find((o) => o.value === value.trim());
        return {
          value: value.trim(),
          label: (label ?? value).trim(),
          ...(previous?.archived ? { archived: true } : {}),
        };
      });
    if (selectType && options.length === 0) next.options = 'Give at least one option';
    setErrors(next);
    if (Object.keys(next).length > 0) return;
    const { options: _old, ...rest } = definition;
    onDone({ ...rest, label: definition.label.trim(), ...(selectType ? { options } : {}) });
  };

  return (
    <Dialog
      open
      onClose={onClose}
      title={isNew ? 'Add a custom field' : `Edit ${initial.label}`}
      onSubmit={done}
      footer={
        <>
          <button type="button" className="btn" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="btn btn-primary">
            Done
          </button>
        </>
      }
    >
      <div className="form-grid">
        <Field label="Label" required error={errors.label}>
          <input
            className="input"
            autoFocus
            value={definition.label}
            onChange={(e) =>
              setDefinition((d) => ({
                ...d,
                label: e.target.value,
                ...(keyTouched ? {} : { key: keyFromLabel(e.target.value) }),
              }))
            }
          />
        </Field>
        <Field
          label="Key"
          required
          error={errors.key}
          hint={isNew ? 'Used by the API and imports; cannot change later' : 'Cannot change'}
        >
          <input
            className="input"
            value={definition.key}
            readOnly={!isNew}
            onChange={(e) => (setKeyTouched(true), setDefinition((d) => ({ ...d, key: e.target.value })))}
          />
        </Field>
        <Field label="Type">
          <select
            className="select"
            value={definition.type}
            disabled={!isNew}
            onChange={(e) => setDefinition((d) => ({ ...d, type: e.target.value as CustomFieldType }))}
          >
            {TYPES.map((t) => (
              <option key={t} value={t}>
                {humanize(t)}
              </option>
            ))}
          </select>
        </Field>
        <div className="field">
          <span className="field-label">Required</span>
          <label className="checkbox-row">
            <input
              type="checkbox"
              checked={definition.required ?? false}
              onChange={(e) => setDefinition((d) => ({ ...d, required: e.target.checked }))}
            />
            Must be filled in
          </label>
        </div>
        {selectType ? (
          <Field
            label="Options"
            error={errors.options}
            hint="One per line; value=Label to show another label"
            className="span-2"
          >
            <textarea className="textarea" value={optionsText} onChange={(e) => setOptionsText(e.target.value)} />
          </Field>
        ) : null}
        {definition.type === 'number' ? (
          <>
            <Field label="Minimum">
              <input
                className="input"
                type="number"
                value={definition.min ?? ''}
                onChange={(e) =>
                  setDefinition((d) => ({ ...d, min: e.target.value === '' ? undefined : Number(e.target.value) }))
                }
              />
            </Field>
            <Field label="Maximum">
              <input
                className="input"
                type="number"
                value={definition.max ?? ''}
                onChange={(e) =>
                  setDefinition((d) => ({ ...d, max: e.target.value === '' ? undefined : Number(e.target.value) }))
                }
              />
            </Field>
          </>
        ) : null}
        <Field label="Description" className="span-2">
          <input
            className="input"
            value={definition.description ?? ''}
            onChange={(e) => setDefinition((d) => ({ ...d, description: e.target.value }))}
          />
        </Field>
      </div>
    </Dialog>
  );
}
