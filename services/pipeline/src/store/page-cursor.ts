// Opaque cursors: the sort key of the last item of a page, base64url-encoded JSON.
import { invalidArgument } from '@crm/service-kit';

export interface CursorKey {
  /** Rank, when the list is in board order. */
  r?: string;
  /** Id of the last item. */
  i: string;
}

export function encodeCursor(key: CursorKey): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

export function decodeCursor(cursor: string): CursorKey | undefined {
  if (!cursor) return undefined;
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Partial<CursorKey>;
    if (typeof parsed.i === 'string' && (parsed.r === undefined || typeof parsed.r === 'string'))
      return parsed as CursorKey;
  } catch {
    // fall through
  }
  throw invalidArgument(
    [{ field: 'page.cursor', description: 'is not a cursor this list returned' }],
    'page.cursor is not a cursor this list returned',
  );
}

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 200;

export function pageSize(limit: number | undefined): number {
  if (!limit) return DEFAULT_PAGE_SIZE;
  if (limit < 1 || limit > MAX_PAGE_SIZE)
    throw invalidArgument(
      [{ field: 'page.limit', description: `must be between 1 and ${MAX_PAGE_SIZE}` }],
      `page.limit must be between 1 and ${MAX_PAGE_SIZE}`,
    );
  return limit;
}
