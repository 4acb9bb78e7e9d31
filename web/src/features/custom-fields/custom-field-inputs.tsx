// Inputs for a record's custom fields, built from the tenant's definitions (GET /api/v1/custom-fields/{entity}).
import type { CustomFieldDefinition } from '../../api/types';
import { activeDefinitions, inputFor, type RawFieldValue } from '../../domain/custom-fields';
import { Field } from '../../ui/field';

export interface CustomFieldInputsProps {
  definitions: readonly CustomFieldDefinition[];
  values: Record<string, RawFieldValue>;
  errors: Record<string, string | undefined>;
  onChange: (key: string, value: RawFieldValue) => void;
}

export function CustomFieldInputs({ definitions, values, errors, onChange }: CustomFieldInputsProps) {
  const active = activeDefinitions(definitions);
  if (active.length === 0) return null;
  return (
    <>
      {active.map((definition) => {
        const value = values[definition.key];
        const input = inputFor(definition, value);
        const error = errors[definition.key] ?? errors[`customFields.${definition.key}`];
        const common = { name: `customFields.${definition.key}` };
        if (input.kind === 'checkbox')
          return (
            <div key={definition.key} className="field">
              <span className="field-label">{definition.label}</span>
              <label className="checkbox-row">
                <input
                  type="checkbox"
                  {...common}
                  checked={value === true}
                  onChange={(e) => onChange(definition.key, e.target.checked)}
                />
                {definition.description || 'Yes'}
              </label>
            </div>
          );
        if (input.kind === 'multi-select') {
          const selected = Array.isArray(value) ? value : [];
          return (
            <fieldset key={definition.key} className="field span-2" style={{ border: 0, padding: 0, margin: 0 }}>
              <legend className={`field-label${definition.required ? ' field-required' : ''}`}>
                {definition.label}
              </legend>
              <div className="row wrap" style={{ gap: 12 }}>
                {input.options.map((option) => (
                  <label key={option.value} className="checkbox-row">
                    <input
                      type="checkbox"
                      checked={selected.includes(option.value)}
                      onChange={(e) =>
                        onChange(
                          definition.key,
                          e.target.checked ? [...selected, option.value] : selected.filter((v) => v !== option.value),
                        )
                      }
                    />
                    {option.label}
                  </label>
                ))}
              </div>
              {error ? <span className="field-error">{error}</span> : null}
            </fieldset>
          );
        }
        const text = typeof value === 'string' ? value : '';
        return (
          <Field
            key={definition.key}
            label={definition.label}
            required={definition.required ?? false}
            error={error}
            hint={definition.description}
          >
            {input.kind === 'select' ? (
              <select
                className="select"
                {...common}
                value={text}
                onChange={(e) => onChange(definition.key, e.target.value)}
              >
                <option value="">—</option>
                {input.options.map((option) => (
                  <option key={option.value} value={option.value}>
                    {option.label}
                  </option>
                ))}
              </select>
            ) : (
              <input
                className="input"
                {...common}
                type={input.kind === 'number' ? 'number' : input.kind === 'date' ? 'date' : input.inputType}
                step={input.kind === 'number' ? input.step : undefined}
                min={input.kind === 'number' ? definition.min : undefined}
                max={input.kind === 'number' ? definition.max : undefined}
                maxLength={definition.maxLength}
                value={text}
                onChange={(e) => onChange(definition.key, e.target.value)}
              />
            )}
          </Field>
        );
      })}
    </>
  );
}
