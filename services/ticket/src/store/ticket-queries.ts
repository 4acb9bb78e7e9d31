// Queues, views and search over the read model: every query takes the caller's visibility as SQL, every page is a
// keyset page ending with the unique id. Rows give ids; the records are then read by _id (the writer's snapshot).
import { sql, type Kysely, type RawBuilder, type SqlBool } from 'kysely';
import {
  afterCursor,
  decodeCursor,
  invalidArgument,
  orderBy,
  pageOf,
  type CursorValue,
  type Page,
  type SortKey,
} from '@crm/service-kit';
import { foldText, type TicketDb, type TicketRow } from './read-model';
import { ticketScopeIsEmpty, ticketScopeSql, type TicketScope } from './ticket-visibility';

export const TICKET_ORDERS = ['updated_desc', 'created_desc', 'created_asc', 'sla_due_asc', 'priority_desc'] as const;
export type TicketOrder = (typeof TICKET_ORDERS)[number];

export const TICKET_VIEWS = [
  'my_open',
  'unassigned',
  'group_open',
  'breaching',
  'pending',
  'solved',
  'all_open',
] as const;
export type TicketView = (typeof TICKET_VIEWS)[number];

export interface TicketQuery {
  statuses: string[];
  priorities: string[];
  groupId: string;
  /** A user id, or "none" for unassigned. */
  assigneeId: string;
  tags: string[];
  requesterContactId: string;
  companyId: string;
  slaBreachedOnly: boolean;
  /** Only open tickets (not solved or closed). */
  openOnly: boolean;
  /** Any of these groups (a manager's or agent's groups view). */
  groupIds?: string[];
}

const ORDER_KEYS: Record<TicketOrder, SortKey[]> = {
  updated_desc: [
    { column: 't.updated_at', direction: 'desc', type: 'timestamp' },
    { column: 't.id', direction: 'desc' },
  ],
  created_desc: [
    { column: 't.created_at', direction: 'desc', type: 'timestamp' },
    { column: 't.id', direction: 'desc' },
  ],
  created_asc: [
    { column: 't.created_at', direction: 'asc', type: 'timestamp' },
    { column: 't.id', direction: 'asc' },
  ],
  // Tickets without a running clock have no due time: they are left out of this order (see ticketPage).
  sla_due_asc: [
    { column: 't.sla_due_at', direction: 'asc', type: 'timestamp' },
    { column: 't.id', direction: 'asc' },
  ],
  priority_desc: [
    { column: 't.priority_rank', direction: 'desc', type: 'number' },
    { column: 't.updated_at', direction: 'desc', type: 'timestamp' },
    { column: 't.id', direction: 'desc' },
  ],
};

function keyOf(
  order: TicketOrder,
  row: Pick<TicketRow, 'id' | 'updated_at' | 'created_at' | 'sla_due_at' | 'priority_rank'>,
): CursorValue[] {
  const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);
  switch (order) {
    case 'updated_desc':
      return [iso(row.updated_at), row.id];
    case 'created_desc':
    case 'created_asc':
      return [iso(row.created_at), row.id];
    case 'sla_due_asc':
      return [iso(row.sla_due_at), row.id];
    case 'priority_desc':
      return [row.priority_rank, iso(row.updated_at), row.id];
  }
}

/** Filters as SQL over alias t; `me` is the caller for "my" views. */
function conditions(query: TicketQuery): RawBuilder<SqlBool>[] {
  const where: RawBuilder<SqlBool>[] = [sql<SqlBool>`not t.deleted`];
  if (query.statuses.length > 0) where.push(sql<SqlBool>`t.status = any(${query.statuses}::text[])`);
  if (query.openOnly) where.push(sql<SqlBool>`t.is_open`);
  if (query.priorities.length > 0) where.push(sql<SqlBool>`t.priority = any(${query.priorities}::text[])`);
  if (query.groupId) where.push(sql<SqlBool>`t.team_id = ${query.groupId}`);
  if (query.groupIds) where.push(sql<SqlBool>`t.team_id = any(${query.groupIds}::text[])`);
  if (query.assigneeId === 'none') where.push(sql<SqlBool>`t.owner_id = ''`);
  else if (query.assigneeId) where.push(sql<SqlBool>`t.owner_id = ${query.assigneeId}`);
  if (query.tags.length > 0) where.push(sql<SqlBool>`t.tags @> ${query.tags}::text[]`);
  if (query.requesterContactId) where.push(sql<SqlBool>`t.requester_contact_id = ${query.requesterContactId}`);
  if (query.companyId) where.push(sql<SqlBool>`t.company_id = ${query.companyId}`);
  if (query.slaBreachedOnly) where.push(sql<SqlBool>`t.sla_breached`);
  return where;
}

export class TicketQueries {
  constructor(private readonly db: Kysely<TicketDb>) {}

  /** One page of ticket ids in the order asked for, visible to the caller. */
  async page(
    scope: TicketScope,
    query: TicketQuery,
    order: TicketOrder,
    limit: number,
    cursor: string,
    search?: string,
  ): Promise<Page<string>> {
    if (ticketScopeIsEmpty(scope)) return { rows: [], nextCursor: '' };
    const keys = ORDER_KEYS[order];
    const where = [ticketScopeSql(scope, 't'), ...conditions(query)];
    if (order === 'sla_due_asc') where.push(sql<SqlBool>`t.sla_due_at is not null and t.is_open`);
    if (search !== undefined) where.push(sql<SqlBool>`t.search @@ to_tsquery('simple', ${tsQuery(search)})`);
    if (cursor) where.push(afterCursor(keys, decodeCursor(cursor, keys.length)));
    const result = await sql<TicketRow>`
      select t.id, t.updated_at, t.created_at, t.sla_due_at, t.priority_rank from tickets t
      where ${sql.join(where, sql` and `)}
      order by ${orderBy(keys)}
      limit ${limit + 1}`.execute(this.db);
    const page = pageOf(result.rows, limit, (row) => keyOf(order, row));
    return { rows: page.rows.map((r) => r.id), nextCursor: page.nextCursor };
  }

  /** Comment ids of a ticket and of the tickets merged into it, oldest first. */
  async commentPage(tenantId: string, ticketId: string, limit: number, cursor: string): Promise<Page<string>> {
    const keys: SortKey[] = [
      { column: 'c.created_at', direction: 'asc', type: 'timestamp' },
      { column: 'c.id', direction: 'asc' },
    ];
    const where: RawBuilder<SqlBool>[] = [
      sql<SqlBool>`c.tenant_id = ${tenantId}`,
      sql<SqlBool>`(c.ticket_id = ${ticketId} or c.ticket_id in (
        select id from tickets where tenant_id = ${tenantId} and merged_into = ${ticketId}))`,
    ];
    if (cursor) where.push(afterCursor(keys, decodeCursor(cursor, keys.length)));
    const result = await sql<{ id: string; created_at: Date }>`
      select c.id, c.created_at from ticket_comments c
      where ${sql.join(where, sql` and `)}
      order by ${orderBy(keys)}
      limit ${limit + 1}`.execute(this.db);
    const page = pageOf(result.rows, limit, (r) => [new Date(r.created_at).toISOString(), r.id]);
    return { rows: page.rows.map((r) => r.id), nextCursor: page.nextCursor };
  }

  /** Ids of a tenant's open tickets after `afterId`, optionally those counted in one calendar (recomputation). */
  async openTicketIds(tenantId: string, afterId: string, limit: number, calendarId?: string): Promise<string[]> {
    let q = this.db
      .selectFrom('tickets')
      .select('id')
      .where('tenant_id', '=', tenantId)
      .where('is_open', '=', true)
      .where('deleted', '=', false)
      .where('id', '>', afterId);
    if (calendarId) q = q.where('sla_calendar_id', '=', calendarId);
    const rows = await q.orderBy('id').limit(limit).execute();
    return rows.map((r) => r.id);
  }

  /** Open tickets per assignee among the given users (least-open assignment, capacity). */
  async openCounts(tenantId: string, userIds: readonly string[]): Promise<Map<string, number>> {
    if (userIds.length === 0) return new Map();
    const rows = await sql<{ owner_id: string; n: number }>`
      select owner_id, count(*)::int as n from tickets
      where tenant_id = ${tenantId} and owner_id = any(${[...userIds]}::text[]) and is_open and not deleted
      group by owner_id`.execute(this.db);
    return new Map(rows.rows.map((r) => [r.owner_id, Number(r.n)]));
  }

  /** Tickets whose requester is one contact (owner sync from CONTACT events). */
  async idsOfRequester(tenantId: string, contactId: string): Promise<string[]> {
    const rows = await this.db
      .selectFrom('tickets')
      .select('id')
      .where('tenant_id', '=', tenantId)
      .where('requester_contact_id', '=', contactId)
      .execute();
    return rows.map((r) => r.id);
  }
}

/** A prefix query of every word ("inv pay" finds "invoice payment"); words are folded like the column. */
export function tsQuery(text: string): string {
  const words = foldText(text)
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean)
    .slice(0, 8);
  if (words.length === 0) throw invalidArgument([{ field: 'query', description: 'needs at least one word' }]);
  return words.map((w) => `${w}:*`).join(' & ');
}
