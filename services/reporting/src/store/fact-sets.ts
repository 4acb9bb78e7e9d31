// The sets of fact rows each metric counts (metrics.ts says which in words; this says it in SQL), once: the
// dashboards aggregate them, the drill-down lists their ids. Every set carries the caller's visibility (scopeSql),
// the period in the tenant's time zone, the currency choice and the group_by dimension of its rows.
import { scopeSql, type Scope } from '@crm/service-kit';
import { sql, type RawBuilder } from 'kysely';
import type { CalendarDate } from '../domain/calendar';
import type { GroupBy } from '../domain/dashboard-request';
import type { RecordKind } from '../domain/metrics';

export interface FactWindow {
  tenantId: string;
  scope: Scope;
  timeZone: string;
  /** Calendar dates, inclusive, in the tenant's zone. */
  from: CalendarDate;
  to: CalendarDate;
  /** The same period as instants: [fromAt, toAt). */
  fromAt: Date;
  toAt: Date;
  groupBy: GroupBy | null;
  currency: string | null;
}

/** Rows of one metric: `from ... where ...`, and the expressions of their dimensions. */
export interface FactSet {
  kind: RecordKind;
  /** `table alias [joins]` */
  source: RawBuilder<unknown>;
  where: RawBuilder<unknown>[];
  id: RawBuilder<string>;
  group: RawBuilder<string>;
  /** Time bucket ("2025-03" / "2025-W07") of the row's own date, when the caller buckets by something else. */
  bucket?: RawBuilder<string>;
  currency?: RawBuilder<string>;
  category?: RawBuilder<string>;
  pipelineId?: RawBuilder<string>;
  stageId?: RawBuilder<string>;
  type?: RawBuilder<string>;
  /** SLA target (first_reply, next_reply, ...). */
  target?: RawBuilder<string>;
  ruleId?: RawBuilder<string>;
  sourceValue?: RawBuilder<string>;
  /** What a row contributes, for the drill-down (won / lost, converted / not). */
  outcome?: RawBuilder<string>;
}

const ref = (column: string) => sql.ref(column) as RawBuilder<string>;

export function bucketOfInstant(at: RawBuilder<unknown>, unit: 'month' | 'week', timeZone: string): RawBuilder<string> {
  return unit === 'month'
    ? sql<string>`to_char(${at} at time zone ${timeZone}, 'YYYY-MM')`
    : sql<string>`to_char(${at} at time zone ${timeZone}, 'IYYY-"W"IW')`;
}

function bucketOfDate(date: RawBuilder<unknown>, unit: 'month' | 'week'): RawBuilder<string> {
  return unit === 'month' ? sql<string>`to_char(${date}, 'YYYY-MM')` : sql<string>`to_char(${date}, 'IYYY-"W"IW')`;
}

interface Dimensions {
  owner: string;
  team: string;
  /** Missing: the records have none (leads have no pipeline). */
  pipeline?: string;
  source?: RawBuilder<string>;
  /** The time the metric counts the row by. */
  at: { instant: RawBuilder<unknown> } | { date: RawBuilder<unknown> };
}

function groupOf(w: FactWindow, dims: Dimensions): RawBuilder<string> {
  switch (w.groupBy) {
    case null:
      return sql<string>`''`;
    case 'owner':
      return ref(dims.owner);
    case 'team':
      return ref(dims.team);
    case 'pipeline':
      return dims.pipeline ? ref(dims.pipeline) : sql<string>`''`;
    case 'source':
      return dims.source ?? sql<string>`''`;
    case 'month':
    case 'week':
      return 'instant' in dims.at
        ? bucketOfInstant(dims.at.instant, w.groupBy, w.timeZone)
        : bucketOfDate(dims.at.date, w.groupBy);
  }
}

/** Month, or week when grouped by week: the forecast's expected close period. */
function forecastUnit(w: FactWindow): 'month' | 'week' {
  return w.groupBy === 'week' ? 'week' : 'month';
}

function inPeriod(at: string, w: FactWindow): RawBuilder<unknown> {
  return sql`${sql.ref(at)} >= ${w.fromAt} and ${sql.ref(at)} < ${w.toAt}`;
}

function currencyIs(column: string, w: FactWindow): RawBuilder<unknown>[] {
  return w.currency ? [sql`${sql.ref(column)} = ${w.currency}`] : [];
}

/**
 * A deal's source is its contact's lead source ('' without one). The join is always written: PostgreSQL removes a
 * left join on a unique key whose columns a query does not use, so it costs only where the source is asked for.
 */
const DEAL_SOURCE_JOIN = sql`left join contacts dc on dc.tenant_id = d.tenant_id and dc.contact_id = d.contact_id`;
const dealSource = sql<string>`coalesce(dc.lead_source, '')`;
const DEALS = sql`deals d ${DEAL_SOURCE_JOIN}`;

/** Deals won or lost whose close time falls in the period. */
export function closedDeals(w: FactWindow, status?: 'won' | 'lost'): FactSet {
  return {
    kind: 'deal',
    source: DEALS,
    where: [
      scopeSql(w.scope, { table: 'd' }),
      sql`not d.deleted`,
      sql`d.status <> 'open'`,
      ...(status ? [sql`d.status = ${status}`] : []),
      inPeriod('d.closed_at', w),
      ...currencyIs('d.currency', w),
    ],
    id: ref('d.deal_id'),
    group: groupOf(w, {
      owner: 'd.owner_id',
      team: 'd.team_id',
      pipeline: 'd.pipeline_id',
      source: dealSource,
      at: { instant: sql.ref('d.closed_at') },
    }),
    bucket: bucketOfInstant(sql.ref('d.closed_at'), forecastUnit(w), w.timeZone),
    currency: ref('d.currency'),
    // In forecast terms a won deal is "closed"; a lost one counts in no category.
    category: sql<string>`case when d.status = 'won' then 'closed' else 'omitted' end`,
    pipelineId: ref('d.pipeline_id'),
    sourceValue: dealSource,
    outcome: ref('d.status'),
  };
}

/** Deals open at `end`: created before it and not closed by then (still open, or closed at or after it). */
export function openDealsAt(w: FactWindow, end: Date, part?: 'still_open' | 'closed_later'): FactSet {
  const parts = {
    still_open: sql`d.status = 'open'`,
    closed_later: sql`d.status <> 'open' and d.closed_at >= ${end}`,
  };
  return {
    kind: 'deal',
    source: DEALS,
    where: [
      scopeSql(w.scope, { table: 'd' }),
      sql`not d.deleted`,
      sql`d.created_at < ${end}`,
      part ? parts[part] : sql`(${parts.still_open} or (${parts.closed_later}))`,
      ...currencyIs('d.currency', w),
    ],
    id: ref('d.deal_id'),
    group: groupOf(w, {
      owner: 'd.owner_id',
      team: 'd.team_id',
      pipeline: 'd.pipeline_id',
      source: dealSource,
      at: { instant: sql`${end}::timestamptz - interval '1 microsecond'` },
    }),
    currency: ref('d.currency'),
    pipelineId: ref('d.pipeline_id'),
    sourceValue: dealSource,
  };
}

/** Deals created in the period (for the running count of open deals per month or week). */
export function createdDeals(w: FactWindow): FactSet {
  return {
    kind: 'deal',
    source: DEALS,
    where: [
      scopeSql(w.scope, { table: 'd' }),
      sql`not d.deleted`,
      inPeriod('d.created_at', w),
      ...currencyIs('d.currency', w),
    ],
    id: ref('d.deal_id'),
    group: groupOf(w, {
      owner: 'd.owner_id',
      team: 'd.team_id',
      pipeline: 'd.pipeline_id',
      source: dealSource,
      at: { instant: sql.ref('d.created_at') },
    }),
    currency: ref('d.currency'),
  };
}

const STAGE_JOIN = sql`left join pipeline_stages st
  on st.tenant_id = d.tenant_id and st.pipeline_id = d.pipeline_id and st.stage_id = d.stage_id`;
/** The stage's current probability and category; the deal's (as of its last change) for stages not known. */
const probability = sql<number>`coalesce(st.probability, d.probability)`;
const category = sql<string>`coalesce(st.forecast_category, d.forecast_category)`;

/** Deals open now whose expected close date falls in the period, in stages that are not omitted from forecasts. */
export function openDealsClosingInPeriod(w: FactWindow, forecastCategory?: string): FactSet {
  return {
    kind: 'deal',
    source: sql`deals d ${STAGE_JOIN} ${DEAL_SOURCE_JOIN}`,
    where: [
      scopeSql(w.scope, { table: 'd' }),
      sql`not d.deleted`,
      sql`d.status = 'open'`,
      sql`d.expected_close_date between ${w.from}::date and ${w.to}::date`,
      sql`${category} in ('pipeline', 'best_case', 'commit')`,
      ...(forecastCategory ? [sql`${category} = ${forecastCategory}`] : []),
      ...currencyIs('d.currency', w),
    ],
    id: ref('d.deal_id'),
    group: groupOf(w, {
      owner: 'd.owner_id',
      team: 'd.team_id',
      pipeline: 'd.pipeline_id',
      source: dealSource,
      at: { date: sql.ref('d.expected_close_date') },
    }),
    bucket: bucketOfDate(sql.ref('d.expected_close_date'), forecastUnit(w)),
    currency: ref('d.currency'),
    category,
    pipelineId: ref('d.pipeline_id'),
    stageId: ref('d.stage_id'),
    sourceValue: dealSource,
  };
}

export const weightedAmount = sql<number>`d.amount_minor::numeric * ${probability}`;

/** A stay's stage (`cur`) and the stage it moved to (`nxt`), for their order in the pipeline (`converted`). */
export const STAY_STAGE_JOINS = sql`
  left join pipeline_stages cur
    on cur.tenant_id = s.tenant_id and cur.pipeline_id = s.pipeline_id and cur.stage_id = s.stage_id
  left join pipeline_stages nxt
    on nxt.tenant_id = s.tenant_id and nxt.pipeline_id = s.pipeline_id and nxt.stage_id = s.next_stage_id`;

/** Stays of deals in stages: `entered` counts those entered in the period, `left` those that ended in it. */
export function stageStays(w: FactWindow, by: 'entered' | 'left'): FactSet {
  const at = by === 'entered' ? 's.entered_at' : 's.left_at';
  return {
    kind: 'deal',
    source: sql`deal_stays s ${STAY_STAGE_JOINS}
      left join deals d on d.tenant_id = s.tenant_id and d.deal_id = s.deal_id
      ${DEAL_SOURCE_JOIN}`,
    where: [
      scopeSql(w.scope, { table: 's' }),
      sql`not s.deal_deleted`,
      ...(by === 'left' ? [sql`s.left_at is not null`] : []),
      inPeriod(at, w),
      ...currencyIs('s.currency', w),
    ],
    id: ref('s.deal_id'),
    group: groupOf(w, {
      owner: 's.owner_id',
      team: 's.team_id',
      pipeline: 's.pipeline_id',
      source: dealSource,
      at: { instant: sql.ref(at) },
    }),
    currency: ref('s.currency'),
    pipelineId: ref('s.pipeline_id'),
    stageId: ref('s.stage_id'),
    sourceValue: dealSource,
    outcome: sql<string>`case when ${converted} then 'converted' else 'not_converted' end`,
  };
}

/** A stay left forward: to a won stage, or to a later stage of the same pipeline (in its current order). */
export const converted = sql<boolean>`(s.next_status = 'won' or (s.next_status = 'open' and nxt.position > cur.position))`;

/** Contacts created in the period that are leads of their own (not deleted, not merged into another). */
export function newContacts(w: FactWindow): FactSet {
  return {
    kind: 'contact',
    source: sql`contacts c`,
    where: [scopeSql(w.scope, { table: 'c' }), sql`not c.deleted`, sql`not c.merged`, inPeriod('c.created_at', w)],
    id: ref('c.contact_id'),
    group: groupOf(w, {
      owner: 'c.owner_id',
      team: 'c.team_id',
      source: ref('c.lead_source'),
      at: { instant: sql.ref('c.created_at') },
    }),
    sourceValue: ref('c.lead_source'),
  };
}

export function newCompanies(w: FactWindow): FactSet {
  return {
    kind: 'company',
    source: sql`companies co`,
    where: [scopeSql(w.scope, { table: 'co' }), sql`not co.deleted`, inPeriod('co.created_at', w)],
    id: ref('co.company_id'),
    group: groupOf(w, { owner: 'co.owner_id', team: 'co.team_id', at: { instant: sql.ref('co.created_at') } }),
  };
}

/** Activities that took place in the period; grouped by source, by their contact's lead source. */
export function activitiesInPeriod(w: FactWindow): FactSet {
  const source = sql<string>`coalesce(ac.lead_source, '')`;
  return {
    kind: 'activity',
    source: sql`activities a left join contacts ac on ac.tenant_id = a.tenant_id and ac.contact_id = a.contact_id`,
    where: [scopeSql(w.scope, { table: 'a' }), sql`not a.deleted`, inPeriod('a.occurred_at', w)],
    id: ref('a.activity_id'),
    group: groupOf(w, { owner: 'a.owner_id', team: 'a.team_id', source, at: { instant: sql.ref('a.occurred_at') } }),
    type: ref('a.type'),
  };
}

export function whereOf(set: FactSet): RawBuilder<unknown> {
  return sql.join(set.where, sql` and `);
}

/** Tickets counted by one of their times; duplicates merged into another ticket and deleted ones never count. */
export function tickets(w: FactWindow, by: 'created_at' | 'first_reply_at' | 'solved_at' | 'csat_at'): FactSet {
  return {
    kind: 'ticket',
    source: sql`tickets t`,
    where: [
      scopeSql(w.scope, { table: 't' }),
      sql`not t.deleted`,
      sql`not t.merged`,
      inPeriod(`t.${by}`, w),
      ...(by === 'csat_at' ? [sql`t.csat_rating in ('good', 'bad')`] : []),
    ],
    id: ref('t.ticket_id'),
    group: groupOf(w, {
      owner: 't.owner_id',
      team: 't.team_id',
      source: ref('t.channel'),
      at: { instant: sql.ref(`t.${by}`) },
    }),
    sourceValue: ref('t.channel'),
    outcome: by === 'csat_at' ? ref('t.csat_rating') : undefined,
  };
}

/** SLA target occurrences met or breached in the period, by the time they were. */
export function slaOutcomes(w: FactWindow, outcome?: 'met' | 'breached'): FactSet {
  return {
    kind: 'ticket',
    source: sql`ticket_slas x`,
    where: [
      scopeSql(w.scope, { table: 'x' }),
      sql`not x.ticket_deleted`,
      sql`x.outcome <> 'open'`,
      ...(outcome ? [sql`x.outcome = ${outcome}`] : []),
      inPeriod('x.outcome_at', w),
    ],
    id: ref('x.ticket_id'),
    group: groupOf(w, {
      owner: 'x.owner_id',
      team: 'x.team_id',
      source: ref('x.channel'),
      at: { instant: sql.ref('x.outcome_at') },
    }),
    sourceValue: ref('x.channel'),
    target: ref('x.metric'),
    outcome: ref('x.outcome'),
  };
}

/** Tasks completed in the period. */
export function completedTasks(w: FactWindow): FactSet {
  return {
    kind: 'task',
    source: sql`tasks k`,
    where: [
      scopeSql(w.scope, { table: 'k' }),
      sql`not k.deleted`,
      sql`k.completed_at is not null`,
      inPeriod('k.completed_at', w),
    ],
    id: ref('k.task_id'),
    group: groupOf(w, { owner: 'k.owner_id', team: 'k.team_id', at: { instant: sql.ref('k.completed_at') } }),
    outcome: sql<string>`'completed'`,
  };
}

/** Tasks open past their due time at `end`: due before it, not completed by then; cancelled ones never count. */
export function overdueTasksAt(w: FactWindow, end: RawBuilder<unknown> | Date): FactSet {
  return {
    kind: 'task',
    source: sql`tasks k`,
    where: [
      scopeSql(w.scope, { table: 'k' }),
      sql`not k.deleted`,
      sql`k.status <> 'cancelled'`,
      sql`k.due_at < ${end}`,
      sql`(k.completed_at is null or k.completed_at >= ${end})`,
    ],
    id: ref('k.task_id'),
    group: groupOf(w, {
      owner: 'k.owner_id',
      team: 'k.team_id',
      at: { instant: sql`${end}::timestamptz - interval '1 microsecond'` },
    }),
    outcome: sql<string>`'overdue'`,
  };
}

/** Workflow runs that ended in the period: about tickets on support, about anything else on sales. */
export function endedRuns(w: FactWindow, dashboard: 'sales' | 'support', status?: 'failed'): FactSet {
  return {
    kind: 'run',
    source: sql`workflow_runs r`,
    where: [
      scopeSql(w.scope, { table: 'r' }),
      dashboard === 'support' ? sql`r.subject_type = 'ticket'` : sql`r.subject_type <> 'ticket'`,
      sql`r.finished_at is not null`,
      ...(status ? [sql`r.status = ${status}`] : []),
      inPeriod('r.finished_at', w),
    ],
    id: ref('r.run_id'),
    group: groupOf(w, { owner: 'r.owner_id', team: 'r.team_id', at: { instant: sql.ref('r.finished_at') } }),
    ruleId: ref('r.rule_id'),
    outcome: ref('r.status'),
  };
}
