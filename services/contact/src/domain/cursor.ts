// Opaque cursors for lists sorted by (a date desc, _id desc): the cursor is the last row's sort key.
import { invalidArgument } from '@crm/service-kit';

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 200;

export interface CursorKey {
  at: Date;
  id: string;
}

export function encodeCursor(key: CursorKey): string {
  return Buffer.from(JSON.stringify({ t: key.at.getTime(), i: key.id })).toString('base64url');
}

export function decodeCursor(cursor: string): CursorKey | undefined {
  if (!cursor) return undefined;
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { t?: unknown; i?: unknown };
    if (typeof parsed.t === 'number' && Number.isFinite(parsed.t) && typeof parsed.i === 'string')
      return { at: new Date(parsed.t), id: parsed.i };
  } catch {
    // fall through to the error below
  }
  throw invalidArgument([{ field: 'page.cursor', description: 'is not a cursor this list returned' }]);
}

export function pageSize(limit: number | undefined): number {
  if (!limit) return DEFAULT_PAGE_SIZE;
  if (limit < 0 || limit > MAX_PAGE_SIZE)
    throw invalidArgument([{ field: 'page.limit', description: `must be between 1 and ${MAX_PAGE_SIZE}` }]);
  return limit;
}

/** The filter clause selecting rows after the cursor in (field desc, _id desc) order. */
export function afterCursor(field: string, key: CursorKey | undefined): Record<string, unknown> {
  if (!key) return {};
  return { $or: [{ [field]: { $lt: key.at } }, { [field]: key.at, _id: { $lt: key.id } }] };
}

/** Splits a fetched page of limit + 1 rows into the rows to return and the next cursor. */
export function pageOf<T extends { _id: string }>(
  rows: T[],
  limit: number,
  sortKey: (row: T) => Date,
): { rows: T[]; nextCursor: string } {
  if (rows.length <= limit) return { rows, nextCursor: '' };
  const page = rows.slice(0, limit);
  const last = page[page.length - 1] as T;
  return { rows: page, nextCursor: encodeCursor({ at: sortKey(last), id: last._id }) };
}
