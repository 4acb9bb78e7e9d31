// The deals read model: one row per deal, kept by the kit (in the request, by the consumer of the PIPELINE
// stream, by rebuilds; newest version wins). Every list, board column, board total and forecast is a query over
// it, with the caller's visibility in the SQL (kit scopeSql) and keyset pages (kit cursors).
import { sql, type Kysely, type SelectQueryBuilder, type SqlBool } from 'kysely';
import {
  afterCursor,
  decodeCursor,
  jsonb,
  orderBy,
  pageOf,
  rowProjection,
  scopeBranches,
  scopeOf,
  scopeSql,
  type CursorValue,
  type Principal,
  type Projection,
  type Row,
  type SortKey,
} from '@crm/service-kit';
import type { BoardCell } from '../domain/board';
import type { DateRange } from '../domain/calendar-date';
import type { CompanySummary, ContactSummary, StageVisit } from '../domain/deal';
import type { ForecastCell } from '../domain/forecast';
import type { DealRecord } from './deal.records';
import type { PipelineReadModel } from './read-model.schema';

export interface DealListFilter {
  pipelineId?: string;
  stageId?: string;
  status?: string;
  ownerId?: string;
  teamId?: string;
  contactId?: string;
  companyId?: string;
  includeDeleted?: boolean;
}

/** Narrowing of a board within what the caller may see. */
export interface BoardFilter {
  ownerId?: string;
  teamId?: string;
}

/** A deal as lists show it: the record and what it shows of its contact and company. */
export interface ListedDeal {
  deal: DealRecord;
  contact: ContactSummary | null;
  company: CompanySummary | null;
}

export interface DealPage {
  deals: ListedDeal[];
  /** Empty when this was the last page. */
  nextCursor: string;
}

/** Board order within a column: rank, then id (ranks compare as bytes: the column's collation is "C"). */
const BOARD_ORDER: SortKey[] = [
  { column: 'd.rank', direction: 'asc' },
  { column: 'd.id', direction: 'asc' },
];
/** Creation order: ids are UUIDv7. */
const CREATION_ORDER: SortKey[] = [{ column: 'd.id', direction: 'asc' }];

const DEALS_POLICY = { resource: 'deals' };

export function dealRow(deal: DealRecord): Row {
  return {
    id: deal._id,
    tenant_id: deal.tenantId,
    owner_id: deal.ownerId,
    team_id: deal.teamId,
    version: deal.version,
    pipeline_id: deal.pipelineId,
    stage_id: deal.stageId,
    status: deal.status,
    rank: deal.rank,
    title: deal.title,
    amount_minor: deal.amountMinor,
    currency: deal.currency,
    contact_id: deal.contactId,
    company_id: deal.companyId,
    expected_close_date: deal.expectedCloseDate || null,
    forecast_date: deal.forecastDate || null,
    closed_at: deal.closedAt ?? null,
    created_at: deal.createdAt,
    updated_at: deal.updatedAt,
    deleted_at: deal.deletedAt ?? null,
    doc: jsonb(deal),
  };
}

export class DealReadModel {
  constructor(readonly db: Kysely<PipelineReadModel>) {}

  /** The projection the deal store applies in the request, the stream consumer and rebuilds apply again. */
  projection(): Projection<DealRecord> {
    return rowProjection<DealRecord, PipelineReadModel>({ db: this.db, table: 'deals', toRow: dealRow });
  }

  /**
   * One page in a stable order: board order (rank, then id) within a stage, else creation order. The cursor
   * holds the last deal's sort key, so pages never skip or repeat a deal that stays put.
   */
  async list(principal: Principal, filter: DealListFilter, limit: number, cursor: string): Promise<DealPage> {
    const keys = filter.stageId ? BOARD_ORDER : CREATION_ORDER;
    let query = this.visible(principal)
      .$if(!filter.includeDeleted, (q) => q.where('d.deleted_at', 'is', null))
      .$if(Boolean(filter.pipelineId), (q) => q.where('d.pipeline_id', '=', filter.pipelineId as string))
      .$if(Boolean(filter.stageId), (q) => q.where('d.stage_id', '=', filter.stageId as string))
      .$if(Boolean(filter.status), (q) => q.where('d.status', '=', filter.status as string))
      .$if(Boolean(filter.ownerId), (q) => q.where('d.owner_id', '=', filter.ownerId as string))
      .$if(Boolean(filter.teamId), (q) => q.where('d.team_id', '=', filter.teamId as string))
      .$if(Boolean(filter.contactId), (q) => q.where('d.contact_id', '=', filter.contactId as string))
      .$if(Boolean(filter.companyId), (q) => q.where('d.company_id', '=', filter.companyId as string));
    if (cursor) query = query.where(afterCursor(keys, decodeCursor(cursor, keys.length)));
    const rows = await query
      .orderBy(orderBy(keys))
      .limit(limit + 1)
      .execute();
    const page = pageOf(rows, limit, (row) => sortKeyOf(row, keys));
    return { deals: page.rows.map(listedDealOf), nextCursor: page.nextCursor };
  }

  /**
   * The first deals of each column in board order, with the cursor ListDeals continues from: one query, each
   * column a LATERAL keyset read per scope branch (the tenant; or the caller's own deals and each of their teams'),
   * every branch from its (tenant, owner|team, pipeline, stage, rank) index and merged, `scopeSql` in each.
   */
  async columns(
    principal: Principal,
    pipelineId: string,
    stageIds: readonly string[],
    narrow: BoardFilter,
    perStage: number,
  ): Promise<Map<string, DealPage>> {
    const scope = scopeOf(principal, DEALS_POLICY, 'read');
    const branches = scopeBranches(scope, { table: 'b' });
    if (branches.length === 0 || stageIds.length === 0) return new Map(stageIds.map((id) => [id, emptyPage()]));
    const take = perStage + 1;
    const conditions = [
      scopeSql(scope, { table: 'b' }),
      sql<SqlBool>`b.pipeline_id = ${pipelineId}`,
      sql<SqlBool>`b.stage_id = c.stage_id`,
      sql<SqlBool>`b.deleted_at is null`,
      ...(narrow.ownerId ? [sql<SqlBool>`b.owner_id = ${narrow.ownerId}`] : []),
      ...(narrow.teamId ? [sql<SqlBool>`b.team_id = ${narrow.teamId}`] : []),
    ];
    const selects = branches.map(
      (branch) => sql`(
        select b.id, b.rank from deals b where ${branch} and ${sql.join(conditions, sql` and `)}
        order by b.rank, b.id limit ${take}
      )`,
    );
    // union, not union all: a deal of the caller's own in one of their teams comes from two branches.
    const firsts =
      selects.length === 1
        ? selects[0]
        : sql`select * from (${sql.join(selects, sql` union `)}) merged order by rank, id limit ${take}`;
    const { rows } = await sql<DealQueryRow & { stage_id: string }>`
      select c.stage_id, d.id, d.rank, d.doc,
        cs.display_name as contact_name, cs.email as contact_email, cs.erased as contact_erased,
        cs.source_version as contact_version,
        co.name as company_name, co.domain as company_domain, co.source_version as company_version
      from unnest(${[...stageIds]}::text[]) with ordinality as c(stage_id, position)
      cross join lateral (${firsts}) f
      join deals d on d.id = f.id
      left join contact_summaries cs on cs.tenant_id = d.tenant_id and cs.id = d.contact_id
      left join company_summaries co on co.tenant_id = d.tenant_id and co.id = d.company_id
      order by c.position, d.rank, d.id
    `.execute(this.db);
    const byStage = new Map<string, DealQueryRow[]>(stageIds.map((id) => [id, []]));
    for (const row of rows) byStage.get(row.stage_id)?.push(row);
    return new Map(
      [...byStage].map(([stageId, stageRows]) => {
        const page = pageOf(stageRows, perStage, (row) => sortKeyOf(row, BOARD_ORDER));
        return [stageId, { deals: page.rows.map(listedDealOf), nextCursor: page.nextCursor }];
      }),
    );
  }

  /**
   * Count and amount per stage and currency of the deals the caller may see: the board's totals, summed from the
   * per-owner-and-team groups of `deal_totals` (never summed across currencies).
   */
  async boardCells(principal: Principal, pipelineId: string, narrow: BoardFilter): Promise<BoardCell[]> {
    const rows = await this.db
      .selectFrom('deal_totals as t')
      .where(scopeSql(scopeOf(principal, DEALS_POLICY, 'read'), { table: 't' }))
      .where('t.pipeline_id', '=', pipelineId)
      .$if(Boolean(narrow.ownerId), (q) => q.where('t.owner_id', '=', narrow.ownerId as string))
      .$if(Boolean(narrow.teamId), (q) => q.where('t.team_id', '=', narrow.teamId as string))
      .select(['t.stage_id', 't.currency'])
      .select((eb) => [eb.fn.sum<number>('t.deal_count').as('count'), eb.fn.sum<number>('t.amount_minor').as('amount')])
      .groupBy(['t.stage_id', 't.currency'])
      .execute();
    return rows.map((r) => ({
      stageId: r.stage_id,
      currency: r.currency,
      count: Number(r.count),
      amountMinor: Number(r.amount),
    }));
  }

  /** Count and amount per owner, team, pipeline, stage and currency of the deals forecast in the range. */
  async forecastCells(principal: Principal, range: DateRange, pipelineId: string): Promise<ForecastCell[]> {
    const rows = await this.liveRows(principal, {})
      .where(sql<boolean>`d.forecast_date between ${range.start}::date and ${range.end}::date`)
      .$if(Boolean(pipelineId), (q) => q.where('d.pipeline_id', '=', pipelineId))
      .select(['d.owner_id', 'd.team_id', 'd.pipeline_id', 'd.stage_id', 'd.currency'])
      .select((eb) => [eb.fn.countAll<number>().as('count'), eb.fn.sum<number>('d.amount_minor').as('amount')])
      .groupBy(['d.owner_id', 'd.team_id', 'd.pipeline_id', 'd.stage_id', 'd.currency'])
      .execute();
    return rows.map((r) => ({
      ownerId: r.owner_id,
      teamId: r.team_id,
      pipelineId: r.pipeline_id,
      stageId: r.stage_id,
      currency: r.currency,
      count: Number(r.count),
      amountMinor: Number(r.amount),
    }));
  }

  /** Every live deal in a stage, whoever owns it: archiving must not strand deals the admin cannot see. */
  async countInStage(tenantId: string, pipelineId: string, stageId: string): Promise<number> {
    const row = await this.db
      .selectFrom('deals')
      .select((eb) => eb.fn.countAll<number>().as('count'))
      .where('tenant_id', '=', tenantId)
      .where('pipeline_id', '=', pipelineId)
      .where('stage_id', '=', stageId)
      .where('deleted_at', 'is', null)
      .executeTakeFirst();
    return Number(row?.count ?? 0);
  }

  /** Ids of the deals (deleted ones too) that refer to a contact, for the contact-data consumer. */
  async idsReferencingContact(tenantId: string, contactId: string): Promise<string[]> {
    const rows = await this.db
      .selectFrom('deals')
      .select('id')
      .where('tenant_id', '=', tenantId)
      .where('contact_id', '=', contactId)
      .execute();
    return rows.map((r) => r.id);
  }

  /** Deals the caller may see (tenant and visibility decided in SQL), with their contact and company summaries. */
  private visible(principal: Principal) {
    return this.db
      .selectFrom('deals as d')
      .leftJoin('contact_summaries as cs', (join) =>
        join.onRef('cs.tenant_id', '=', 'd.tenant_id').onRef('cs.id', '=', 'd.contact_id'),
      )
      .leftJoin('company_summaries as co', (join) =>
        join.onRef('co.tenant_id', '=', 'd.tenant_id').onRef('co.id', '=', 'd.company_id'),
      )
      .select([
        'd.id',
        'd.rank',
        'd.doc',
        'cs.display_name as contact_name',
        'cs.email as contact_email',
        'cs.erased as contact_erased',
        'cs.source_version as contact_version',
        'co.name as company_name',
        'co.domain as company_domain',
        'co.source_version as company_version',
      ])
      .where(scopeSql(scopeOf(principal, DEALS_POLICY, 'read'), { table: 'd' }));
  }

  /** Live deals the caller may see, for aggregates (no joins). */
  private liveRows(principal: Principal, narrow: BoardFilter) {
    const query = this.db
      .selectFrom('deals as d')
      .where(scopeSql(scopeOf(principal, DEALS_POLICY, 'read'), { table: 'd' }))
      .where('d.deleted_at', 'is', null);
    return narrowed(query, narrow);
  }
}

function narrowed<O>(
  query: SelectQueryBuilder<PipelineReadModel & { d: PipelineReadModel['deals'] }, 'd', O>,
  narrow: BoardFilter,
) {
  return query
    .$if(Boolean(narrow.ownerId), (q) => q.where('d.owner_id', '=', narrow.ownerId as string))
    .$if(Boolean(narrow.teamId), (q) => q.where('d.team_id', '=', narrow.teamId as string));
}

interface DealQueryRow {
  id: string;
  rank: string;
  doc: unknown;
  contact_name: string | null;
  contact_email: string | null;
  contact_erased: boolean | null;
  contact_version: number | null;
  company_name: string | null;
  company_domain: string | null;
  company_version: number | null;
}

function emptyPage(): DealPage {
  return { deals: [], nextCursor: '' };
}

function sortKeyOf(row: DealQueryRow, keys: readonly SortKey[]): CursorValue[] {
  return keys.map((key) => (key.column === 'd.rank' ? row.rank : row.id));
}

function listedDealOf(row: DealQueryRow): ListedDeal {
  const deal = dealOfDoc(row.doc);
  return {
    deal,
    contact: deal.contactId
      ? {
          id: deal.contactId,
          displayName: row.contact_name ?? '',
          email: row.contact_email ?? '',
          erased: row.contact_erased ?? false,
          sourceVersion: row.contact_version ?? 0,
        }
      : null,
    company: deal.companyId
      ? {
          id: deal.companyId,
          name: row.company_name ?? '',
          domain: row.company_domain ?? '',
          sourceVersion: row.company_version ?? 0,
        }
      : null,
  };
}

interface StoredVisit {
  stageId: string;
  enteredAt: string;
  leftAt: string | null;
  by: string;
}

/** The record from its JSON copy in the row: dates come back as strings. */
export function dealOfDoc(doc: unknown): DealRecord {
  const json = doc as Record<string, unknown> & { stageHistory: StoredVisit[] };
  const date = (value: unknown) => (typeof value === 'string' && value ? new Date(value) : null);
  const stageHistory: StageVisit[] = json.stageHistory.map((visit) => ({
    stageId: visit.stageId,
    enteredAt: new Date(visit.enteredAt),
    leftAt: date(visit.leftAt),
    by: visit.by,
  }));
  return {
    ...(json as unknown as DealRecord),
    createdAt: new Date(json.createdAt as string),
    updatedAt: new Date(json.updatedAt as string),
    deletedAt: date(json.deletedAt),
    closedAt: date(json.closedAt),
    stageHistory,
  };
}
