// A record's custom fields in a detail view, each editable in place; the text typed is converted and checked
// against its definition before it is sent.
import type { CustomFieldDefinition, CustomFieldValue } from '../../api/types';
import { activeDefinitions, convert, displayValue, inputFor, toRaw } from '../../domain/custom-fields';
import { useToasts } from '../../ui/toast';
import { InlineField } from '../records/inline-field';

export function CustomFieldsSection({
  definitions,
  values,
  readOnly,
  onSave,
}: {
  definitions: readonly CustomFieldDefinition[];
  values: Record<string, unknown> | null;
  readOnly: boolean;
  onSave: (key: string, value: CustomFieldValue) => Promise<boolean>;
}) {
  const toasts = useToasts();
  const active = activeDefinitions(definitions);
  if (active.length === 0) return null;
  return (
    <section className="card">
      <div className="card-header">
        <h2>Custom fields</h2>
      </div>
      <dl className="card-body inline-fields">
        {active.map((definition) => {
          const stored = values?.[definition.key] as CustomFieldValue | undefined;
          const raw = toRaw(definition, stored);
          const input = inputFor(definition, raw);
          const text = typeof raw === 'string' ? raw : Array.isArray(raw) ? raw.join(', ') : raw ? 'true' : '';
          const type =
            input.kind === 'select' || input.kind === 'checkbox'
              ? 'select'
              : input.kind === 'number'
                ? 'number'
                : input.kind === 'date'
                  ? 'date'
                  : input.kind === 'text'
                    ? input.inputType === 'tel'
                      ? 'tel'
                      : input.inputType
                    : 'text';
          const options =
            input.kind === 'select'
              ? input.options
              : input.kind === 'checkbox'
                ? [
                    { value: 'true', label: 'Yes' },
                    { value: 'false', label: 'No' },
                  ]
                : undefined;
          return (
            <InlineField
              key={definition.key}
              label={definition.label}
              value={text}
              display={displayValue(definition, stored)}
              type={type}
              {...(options ? { options } : {})}
              {...(input.kind === 'multi-select'
                ? { placeholder: `Comma-separated: ${input.options.map((o) => o.value).join(', ')}` }
                : {})}
              readOnly={readOnly}
              onSave={async (next) => {
                const rawNext =
                  input.kind === 'checkbox'
                    ? next === 'true'
                    : input.kind === 'multi-select'
                      ? next
                          .split(',')
                          .map((v) => v.trim())
                          .filter(Boolean)
                      : next;
                const result = convert(definition, rawNext);
                if (!result.ok) {
                  toasts.show({ kind: 'error', title: `${definition.label}: not saved`, body: result.error });
                  return false;
                }
                return onSave(definition.key, result.value);
              }}
            />
          );
        })}
      </dl>
    </section>
  );
}
