/**
 * A ts-proto message as API JSON: its fields are already camelCase; dates become RFC 3339 strings and unset
 * message fields null. Custom-field values (from google.protobuf.Struct) pass through as they are.
 */
export function jsonOf(value: unknown): unknown {
  if (value === undefined) return null;
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(jsonOf);
  // One object per message, not the entry arrays of Object.entries/fromEntries (this runs for every record served).
  const source = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(source)) {
    // A custom field named __proto__ stays a field, as fromEntries kept it, rather than replacing the prototype.
    if (key === '__proto__')
      Object.defineProperty(out, key, {
        value: jsonOf(source[key]),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    else out[key] = jsonOf(source[key]);
  }
  return out;
}

/** The page of a list response: an empty next_cursor means the last page. */
export function listBody(
  items: unknown[],
  page: { nextCursor: string } | undefined,
): { data: unknown[]; nextCursor: string | null } {
  return { data: items.map(jsonOf), nextCursor: page?.nextCursor ? page.nextCursor : null };
}
