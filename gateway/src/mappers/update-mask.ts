// PATCH has JSON merge-patch semantics (RFC 7396): a present property is set, null clears it, an absent one is
// left alone. The services take the same thing as (input, update_mask).

const SNAKE = /[A-Z]/g;

export function snakeCase(name: string): string {
  return name.replace(SNAKE, (c) => `_${c.toLowerCase()}`);
}

export interface MaskedPatch<T> {
  input: Partial<T>;
  paths: string[];
}

/**
 * Turns a validated merge patch into (input, paths). Nulls become the field's empty value; customFields are
 * merged key by key ("custom_fields.<key>"), a null value removing that key.
 */
export function toUpdateMask<T>(
  patch: Record<string, unknown>,
  emptyValues: Partial<Record<keyof T & string, unknown>> = {},
): MaskedPatch<T> {
  const input: Record<string, unknown> = {};
  const paths: string[] = [];
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined) continue;
    if (key === 'customFields' && value !== null && typeof value === 'object') {
      const kept: Record<string, unknown> = {};
      for (const [field, fieldValue] of Object.entries(value)) {
        paths.push(`custom_fields.${field}`);
        if (fieldValue !== null) kept[field] = fieldValue;
      }
      input.customFields = kept;
      continue;
    }
    paths.push(snakeCase(key));
    input[key] = value === null ? emptyValueOf(key, emptyValues) : value;
  }
  return { input: input as Partial<T>, paths };
}

function emptyValueOf(key: string, emptyValues: Record<string, unknown>): unknown {
  return key in emptyValues ? emptyValues[key] : '';
}
