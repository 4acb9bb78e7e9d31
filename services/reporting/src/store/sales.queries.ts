// The counts and sums of the sales dashboard, over the fact sets (fact-sets.ts). Independent aggregates run at once
// on the pool; each reads one partial covering index range.
import { sql, type Kysely } from 'kysely';
import { bucketsOf, openAtBucketEnds } from '../domain/buckets';
import { isTimeGroup } from '../domain/dashboard-request';
import type { SalesAggregates, StageAggregate } from '../domain/dashboard-tables';
import {
  activitiesInPeriod,
  closedDeals,
  converted,
  createdDeals,
  newCompanies,
  newContacts,
  openDealsAt,
  openDealsClosingInPeriod,
  stageStays,
  STAY_STAGE_JOINS,
  weightedAmount,
  whereOf,
  type FactWindow,
} from './fact-sets';
import { countBy } from './count-by';
import { automationAggregates, tasksCompleted, tasksOverdue } from './workflow.queries';

type Db = Kysely<unknown>;

const n = (value: unknown) => Number(value ?? 0);

/** Which aggregates each table needs. */
const NEEDS: Record<string, readonly (keyof Omit<SalesAggregates, 'groups'>)[]> = {
  summary: ['closed', 'open', 'leads', 'companies', 'activities', 'reps', 'tasksCompleted', 'tasksOverdue'],
  revenue: ['closed', 'open', 'weighted'],
  forecast: ['forecast'],
  stages: ['stages'],
  leads: ['leads'],
  activities: ['activities'],
  automation: ['automation'],
};

export async function salesAggregates(db: Db, w: FactWindow, tables: readonly string[]): Promise<SalesAggregates> {
  const needs = new Set(tables.flatMap((t) => NEEDS[t] ?? []));
  const none = Promise.resolve([]);
  const closed = needs.has('closed') || needs.has('open') ? closedAggregates(db, w) : none;
  const [
    closedRows,
    open,
    weighted,
    forecast,
    stages,
    leads,
    companies,
    activities,
    reps,
    completed,
    overdue,
    automation,
  ] = await Promise.all([
    closed,
    needs.has('open') ? openAggregates(db, w, closed) : none,
    needs.has('weighted') ? weightedAggregates(db, w) : none,
    needs.has('forecast') ? forecastAggregates(db, w) : none,
    needs.has('stages') ? stageAggregates(db, w) : none,
    needs.has('leads')
      ? countBy(db, newContacts(w), 'source').then((rows) =>
          rows.map((r) => ({ group: r.group, source: r.dim, leads: r.count })),
        )
      : none,
    needs.has('companies')
      ? countBy(db, newCompanies(w)).then((rows) => rows.map((r) => ({ group: r.group, companies: r.count })))
      : none,
    needs.has('activities')
      ? countBy(db, activitiesInPeriod(w), 'type').then((rows) =>
          rows.map((r) => ({ group: r.group, type: r.dim, activities: r.count })),
        )
      : none,
    needs.has('reps') ? repsOf(db, w) : none,
    needs.has('tasksCompleted') ? tasksCompleted(db, w) : none,
    needs.has('tasksOverdue') ? tasksOverdue(db, w) : none,
    needs.has('automation') ? automationAggregates(db, w, 'sales') : none,
  ]);
  const groups = isTimeGroup(w.groupBy)
    ? bucketsOf(w, w.groupBy)
    : [
        ...new Set(
          [...closedRows, ...open, ...leads, ...companies, ...activities, ...completed, ...overdue].map((r) => r.group),
        ),
      ].sort();
  return {
    groups,
    closed: closedRows,
    open,
    weighted,
    forecast,
    stages,
    leads,
    companies,
    activities,
    reps,
    tasksCompleted: completed,
    tasksOverdue: overdue,
    automation,
  };
}

async function closedAggregates(db: Db, w: FactWindow): Promise<SalesAggregates['closed']> {
  const set = closedDeals(w);
  const { rows } = await sql<{
    grp: string;
    currency: string;
    won: number;
    lost: number;
    won_amount: number;
    won_cycle: number;
    lost_cycle: number;
  }>`
    select ${set.group} as grp, d.currency,
      count(*) filter (where d.status = 'won') as won,
      count(*) filter (where d.status = 'lost') as lost,
      coalesce(sum(d.amount_minor) filter (where d.status = 'won'), 0) as won_amount,
      coalesce(sum(extract(epoch from d.closed_at - d.created_at)) filter (where d.status = 'won'), 0) as won_cycle,
      coalesce(sum(extract(epoch from d.closed_at - d.created_at)) filter (where d.status = 'lost'), 0) as lost_cycle
    from ${set.source} where ${whereOf(set)} group by 1, 2`.execute(db);
  return rows.map((r) => ({
    group: r.grp,
    currency: r.currency,
    won: n(r.won),
    lost: n(r.lost),
    wonAmount: n(r.won_amount),
    wonCycleSeconds: n(r.won_cycle),
    lostCycleSeconds: n(r.lost_cycle),
  }));
}

/**
 * Open deals at the end of the period, or of each month or week: those open at the start plus the created minus the
 * closed, bucket by bucket (one pass over the period instead of one count per bucket).
 */
async function openAggregates(
  db: Db,
  w: FactWindow,
  closed: Promise<SalesAggregates['closed']>,
): Promise<SalesAggregates['open']> {
  if (!isTimeGroup(w.groupBy)) {
    const rows = await countOpenAt(db, w, w.toAt, true);
    return rows.map((r) => ({ group: r.group, currency: r.currency, open: r.count }));
  }
  const [atStart, created, closedRows] = await Promise.all([
    countOpenAt(db, w, w.fromAt, false),
    countBy(db, createdDeals(w), 'currency'),
    closed,
  ]);
  return openAtBucketEnds(
    bucketsOf(w, w.groupBy),
    atStart,
    created.map((c) => ({ group: c.group, currency: c.dim, count: c.count })),
    closedRows.map((c) => ({ group: c.group, currency: c.currency, count: c.won + c.lost })),
  ).map((r) => ({ group: r.group, currency: r.currency, open: r.count }));
}

/** Deals open at an instant, by group (when `grouped`) and currency; the two parts each read their own index. */
async function countOpenAt(
  db: Db,
  w: FactWindow,
  at: Date,
  grouped: boolean,
): Promise<{ group: string; currency: string; count: number }[]> {
  const parts = (['still_open', 'closed_later'] as const).map((part) => {
    const set = openDealsAt(w, at, part);
    return sql`select ${grouped ? set.group : sql`''`} as grp, d.currency, count(*) as n
               from ${set.source} where ${whereOf(set)} group by 1, 2`;
  });
  const { rows } = await sql<{ grp: string; currency: string; n: number }>`
    select grp, currency, sum(n) as n from (${parts[0]} union all ${parts[1]}) x group by 1, 2`.execute(db);
  return rows.map((r) => ({ group: r.grp, currency: r.currency, count: n(r.n) }));
}

async function weightedAggregates(db: Db, w: FactWindow): Promise<SalesAggregates['weighted']> {
  const set = openDealsClosingInPeriod(w);
  const { rows } = await sql<{ grp: string; currency: string; weighted: number }>`
    select ${set.group} as grp, d.currency, coalesce(sum(${weightedAmount}), 0) as weighted
    from ${set.source} where ${whereOf(set)} group by 1, 2`.execute(db);
  return rows.map((r) => ({ group: r.grp, currency: r.currency, amountTimesProbability: n(r.weighted) }));
}

async function forecastAggregates(db: Db, w: FactWindow): Promise<SalesAggregates['forecast']> {
  const open = openDealsClosingInPeriod(w);
  const won = closedDeals(w, 'won');
  const { rows } = await sql<{
    grp: string;
    bucket: string;
    category: string;
    currency: string;
    amount: number;
    deals: number;
  }>`
    select ${open.group} as grp, ${open.bucket} as bucket, ${open.category} as category, d.currency,
           sum(d.amount_minor) as amount, count(*) as deals
    from ${open.source} where ${whereOf(open)} group by 1, 2, 3, 4
    union all
    select ${won.group}, ${won.bucket}, 'closed', d.currency, sum(d.amount_minor), count(*)
    from ${won.source} where ${whereOf(won)} group by 1, 2, 3, 4`.execute(db);
  return rows.map((r) => ({
    group: r.grp,
    bucket: r.bucket,
    category: r.category,
    currency: r.currency,
    amount: n(r.amount),
    deals: n(r.deals),
  }));
}

/**
 * Entries (and conversions), exits and time in stage by stage. Whether a stay converted depends only on its stage and
 * the next, so the stays are counted by those first and the stages' order joined to the counts, not to every stay.
 */
async function stageAggregates(db: Db, w: FactWindow): Promise<StageAggregate[]> {
  const entered = stageStays(w, 'entered');
  const left = stageStays(w, 'left');
  const { rows } = await sql<{
    grp: string;
    pipeline_id: string;
    stage_id: string;
    stage_name: string | null;
    position: number | null;
    entries: number;
    converted: number;
    exits: number;
    stay_seconds: number;
  }>`
    select x.grp, x.pipeline_id, x.stage_id, ps.name as stage_name, ps.position,
           sum(x.entries) as entries, sum(x.converted) as converted, sum(x.exits) as exits,
           sum(x.stay_seconds) as stay_seconds
    from (
      select s.grp, s.pipeline_id, s.stage_id, sum(s.n) as entries,
             coalesce(sum(s.n) filter (where ${converted}), 0) as converted, 0 as exits, 0 as stay_seconds
      from (
        select ${entered.group} as grp, s.tenant_id, s.pipeline_id, s.stage_id, s.next_stage_id, s.next_status,
               count(*) as n
        from ${entered.source} where ${whereOf(entered)} group by 1, 2, 3, 4, 5, 6
      ) s ${STAY_STAGE_JOINS}
      group by 1, 2, 3
      union all
      select ${left.group}, s.pipeline_id, s.stage_id, 0, 0, count(*),
             sum(extract(epoch from s.left_at - s.entered_at))
      from ${left.source} where ${whereOf(left)} group by 1, 2, 3
    ) x
    left join pipeline_stages ps
      on ps.tenant_id = ${w.tenantId} and ps.pipeline_id = x.pipeline_id and ps.stage_id = x.stage_id
    group by 1, 2, 3, 4, 5`.execute(db);
  return rows.map((r) => ({
    group: r.grp,
    pipelineId: r.pipeline_id,
    stageId: r.stage_id,
    stageName: r.stage_name ?? '',
    position: r.position ?? Number.MAX_SAFE_INTEGER,
    entries: n(r.entries),
    converted: n(r.converted),
    exits: n(r.exits),
    staySeconds: n(r.stay_seconds),
  }));
}

/** People owning at least one activity of the period, by group. */
async function repsOf(db: Db, w: FactWindow): Promise<SalesAggregates['reps']> {
  const set = activitiesInPeriod(w);
  const { rows } = await sql<{ grp: string; reps: number }>`
    select ${set.group} as grp, count(distinct a.owner_id) as reps
    from ${set.source} where ${whereOf(set)} group by 1`.execute(db);
  return rows.map((r) => ({ group: r.grp, reps: n(r.reps) }));
}
