import { allOf, visibilityFilter, type Filter, type FindOptions, type Principal } from '@crm/service-kit';
import { afterCursor, pageOf, type CursorKey } from '../domain/cursor';
import { slotOf } from '../domain/list-slots';
import type { ListSlots } from './list-slots.repository';

/** Seconds past now that a list still looks at: another replica's clock may run a little ahead. */
const CLOCK_SLACK_SECONDS = 300;

interface SlottedRecord {
  _id: string;
  updatedAt: Date;
}

interface Findable<T> {
  find(principal: Principal, filter: Filter, options?: FindOptions): Promise<T[]>;
}

export interface SlotPageRequest {
  /** The list's own filter clauses, updatedSince included. */
  clauses: Array<Record<string, unknown>>;
  /** The clauses that are equalities (all but updatedSince): any of them makes one indexed query the cheaper read. */
  narrowing: Array<Record<string, unknown>>;
  updatedSince?: Date;
  includeDeleted?: boolean;
  limit: number;
  cursor: CursorKey | undefined;
}

export interface ListPage<T> {
  rows: T[];
  nextCursor: string;
}

/** Marks the slot of a write before it happens and gives the field to store with it: a repository's beforeWrite. */
export async function stampSlot(slots: ListSlots, tenantId: string, updatedAt: Date): Promise<{ updatedSlot: number }> {
  await slots.mark(tenantId, [updatedAt]);
  return { updatedSlot: slotOf(updatedAt) };
}

/**
 * One page in (updatedAt desc, _id desc) order: nothing, when the caller may see none of `resource`; by walking
 * the time slots, when no equality narrows it (`narrowing` empty and a caller who sees more than their own
 * records); otherwise by one query, answered from the narrowing equality's index.
 */
export async function newestFirstPage<T extends SlottedRecord>(
  records: Findable<T>,
  slots: ListSlots,
  principal: Principal,
  resource: string,
  request: SlotPageRequest,
): Promise<ListPage<T>> {
  const visible = visibilityFilter(principal, resource, 'read');
  if (!visible) return { rows: [], nextCursor: '' };
  if (request.narrowing.length === 0 && typeof visible.ownerId !== 'string')
    return pageBySlots(records, slots, principal, request);
  const clauses = request.cursor ? [...request.clauses, afterCursor('updatedAt', request.cursor)] : request.clauses;
  const rows = await records.find(principal, allOf(...clauses), {
    sort: { updatedAt: -1, _id: -1 },
    limit: request.limit + 1,
    includeDeleted: request.includeDeleted,
  });
  return pageOf(rows, request.limit, (row) => row.updatedAt);
}

/** One page read a second at a time, newest first (see domain/list-slots). */
async function pageBySlots<T extends SlottedRecord>(
  records: Findable<T>,
  slots: ListSlots,
  principal: Principal,
  request: SlotPageRequest,
): Promise<ListPage<T>> {
  const { cursor, limit } = request;
  const high = cursor ? slotOf(cursor.at) : slotOf(new Date()) + CLOCK_SLACK_SECONDS;
  const low = request.updatedSince ? slotOf(request.updatedSince) : 0;
  const rows: T[] = [];
  for await (const second of slots.secondsDescending(principal.tenantId, high, low)) {
    const clauses = [{ updatedSlot: second }, ...request.clauses];
    if (cursor) clauses.push(afterCursor('updatedAt', cursor));
    rows.push(
      ...(await records.find(principal, allOf(...clauses), {
        sort: { updatedAt: -1, _id: -1 },
        limit: limit + 1 - rows.length,
        includeDeleted: request.includeDeleted,
      })),
    );
    if (rows.length > limit) break;
  }
  return pageOf(rows, limit, (row) => row.updatedAt);
}
