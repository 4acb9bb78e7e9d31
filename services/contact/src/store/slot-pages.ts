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
  updatedSince?: Date;
  includeDeleted?: boolean;
  limit: number;
  cursor: CursorKey | undefined;
}

export interface ListPage<T> {
  rows: T[];
  nextCursor: string;
}

/**
 * How a page of (updatedAt desc, _id desc) is read: nothing, when the caller may see none of `resource`; by
 * walking the time slots, when no equality narrows it (`narrowing` empty and a caller who sees more than their
 * own records); otherwise by one query, answered from the narrowing equality's index.
 */
export function pagePlan(principal: Principal, resource: string, narrowing: readonly unknown[]): 'none' | 'slots' | 'query' {
  const visible = visibilityFilter(principal, resource, 'read');
  if (!visible) return 'none';
  return narrowing.length === 0 && typeof visible.ownerId !== 'string' ? 'slots' : 'query';
}

/** One page read a second at a time, newest first (see domain/list-slots). */
export async function pageBySlots<T extends SlottedRecord>(records: Findable<T>, slots: ListSlots, principal: Principal, request: SlotPageRequest): Promise<ListPage<T>> {
  const { cursor, limit } = request;
  const high = cursor ? slotOf(cursor.at) : slotOf(new Date()) + CLOCK_SLACK_SECONDS;
  const low = request.updatedSince ? slotOf(request.updatedSince) : 0;
  const rows: T[] = [];
  for await (const second of slots.secondsDescending(principal.tenantId, high, low)) {
    const clauses = [{ updatedSlot: second }, ...request.clauses];
    if (cursor) clauses.push(afterCursor('updatedAt', cursor));
    rows.push(...(await records.find(principal, allOf(...clauses), { sort: { updatedAt: -1, _id: -1 }, limit: limit + 1 - rows.length, includeDeleted: request.includeDeleted })));
    if (rows.length > limit) break;
  }
  return pageOf(rows, limit, (row) => row.updatedAt);
}
