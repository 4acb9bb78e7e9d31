// The one cursor of the platform: an opaque token holding the sort key of the last row of a page, and the keyset
// condition that continues after it. Never OFFSET.
import { sql, type RawBuilder, type SqlBool } from 'kysely';
import { invalidArgument } from '../errors/service-error';

export type CursorValue = string | number | boolean | null;

export interface SortKey {
  /** Column reference, e.g. "updated_at" or "c.updated_at". */
  column: string;
  direction: 'asc' | 'desc';
  /** How the value travels in the cursor; dates as ISO strings with microseconds kept by PostgreSQL. */
  type?: 'text' | 'number' | 'timestamp';
}

const PREFIX = 'k1.';

export function encodeCursor(values: readonly CursorValue[]): string {
  return PREFIX + Buffer.from(JSON.stringify(values)).toString('base64url');
}

/** The values of a cursor for `arity` sort keys; a token that is not one is INVALID_ARGUMENT on `field`. */
export function decodeCursor(cursor: string, arity: number, field = 'cursor'): CursorValue[] {
  const bad = () => invalidArgument([{ field, description: 'is not a cursor this list returned' }]);
  if (!cursor.startsWith(PREFIX)) throw bad();
  let values: unknown;
  try {
    values = JSON.parse(Buffer.from(cursor.slice(PREFIX.length), 'base64url').toString('utf8'));
  } catch {
    throw bad();
  }
  if (!Array.isArray(values) || values.length !== arity) throw bad();
  if (!values.every((v) => v === null || ['string', 'number', 'boolean'].includes(typeof v))) throw bad();
  return values as CursorValue[];
}

/** Rows strictly after `values` in the order of `keys` (which must end with a unique column, e.g. id). */
export function afterCursor(keys: readonly SortKey[], values: readonly CursorValue[]): RawBuilder<SqlBool> {
  const typed = (key: SortKey, value: CursorValue) =>
    key.type === 'timestamp'
      ? sql`${value}::timestamptz`
      : key.type === 'number'
        ? sql`${value}::float8`
        : sql`${value}`;
  const sameDirection = keys.every((k) => k.direction === keys[0]?.direction);
  if (sameDirection) {
    const op = sql.raw(keys[0]?.direction === 'desc' ? '<' : '>');
    const left = sql.join(keys.map((k) => sql.ref(k.column)));
    const right = sql.join(keys.map((k, i) => typed(k, values[i] ?? null)));
    return sql<SqlBool>`(${left}) ${op} (${right})`;
  }
  // Mixed directions: (a > x) or (a = x and b < y) or ...
  const branches = keys.map((key, i) => {
    const equalities = keys.slice(0, i).map((k, j) => sql`${sql.ref(k.column)} = ${typed(k, values[j] ?? null)}`);
    const op = sql.raw(key.direction === 'desc' ? '<' : '>');
    return sql.join([...equalities, sql`${sql.ref(key.column)} ${op} ${typed(key, values[i] ?? null)}`], sql` and `);
  });
  return sql<SqlBool>`(${sql.join(
    branches.map((b) => sql`(${b})`),
    sql` or `,
  )})`;
}

/** ORDER BY for the keys, e.g. `order by updated_at desc, id desc`. */
export function orderBy(keys: readonly SortKey[]): RawBuilder<unknown> {
  return sql.join(keys.map((k) => sql`${sql.ref(k.column)} ${sql.raw(k.direction)}`));
}

export interface Page<T> {
  rows: T[];
  /** Empty when this was the last page. */
  nextCursor: string;
}

/**
 * A page from rows fetched with `limit + 1`: the extra row only tells whether another page exists; the cursor
 * holds the sort key of the last row returned.
 */
export function pageOf<T>(rows: T[], limit: number, keyOf: (row: T) => CursorValue[]): Page<T> {
  if (rows.length <= limit) return { rows, nextCursor: '' };
  const page = rows.slice(0, limit);
  const last = page[page.length - 1] as T;
  return { rows: page, nextCursor: encodeCursor(keyOf(last)) };
}

/** The page size a list call asks for: 1..max, with a default when not given (proto3's 0). */
export function pageSize(requested: number, options: { default?: number; max?: number } = {}): number {
  const max = options.max ?? 200;
  if (!requested) return options.default ?? 50;
  if (!Number.isInteger(requested) || requested < 1 || requested > max)
    throw invalidArgument([{ field: 'limit', description: `must be between 1 and ${max}` }]);
  return requested;
}
