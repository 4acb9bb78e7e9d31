/**
 * A ts-proto message as API JSON: its fields are already camelCase; dates become RFC 3339 strings and unset
 * message fields null. Custom-field values (from google.protobuf.Struct) pass through as they are.
 */
export function jsonOf(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  if (value === undefined) return null;
  if (Array.isArray(value)) return value.map(jsonOf);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, v]) => [key, jsonOf(v)]));
  }
  return value;
}

/** The page of a list response: an empty next_cursor means the last page. */
export function listBody(
  items: unknown[],
  page: { nextCursor: string } | undefined,
): { data: unknown[]; nextCursor: string | null } {
  return { data: items.map(jsonOf), nextCursor: page?.nextCursor ? page.nextCursor : null };
}
