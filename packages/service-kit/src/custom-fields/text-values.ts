// CSV cells are text and custom fields are typed: the one reading of a cell as a field's value (imports).
import type { CustomFieldDefinition } from './definition';

/**
 * Typed values from text, by key: numbers and booleans ("true/yes/1", "false/no/0") are read as such, a
 * multi-select as a list split on ";", "," or "|"; anything else stays text for the validation to judge. Empty
 * cells are left out; keys without a definition are passed on, so the validation reports them.
 */
export function customFieldValuesFromText(
  definitions: readonly CustomFieldDefinition[],
  cells: Readonly<Record<string, string>>,
): Record<string, unknown> {
  const types = new Map(definitions.map((d) => [d.key, d.type]));
  const values: Record<string, unknown> = {};
  for (const [key, cell] of Object.entries(cells)) {
    const raw = cell.trim();
    if (raw === '') continue;
    const type = types.get(key);
    if (type === 'number') values[key] = Number.isFinite(Number(raw)) ? Number(raw) : raw;
    else if (type === 'boolean')
      values[key] = /^(true|yes|1)$/i.test(raw) ? true : /^(false|no|0)$/i.test(raw) ? false : raw;
    else if (type === 'multi_select')
      values[key] = raw
        .split(/[;,|]/)
        .map((s) => s.trim())
        .filter(Boolean);
    else values[key] = raw;
  }
  return values;
}
