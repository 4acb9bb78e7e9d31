// The counts and sums of the support dashboard, over the ticket fact sets (fact-sets.ts).
import { sql, type Kysely } from 'kysely';
import { bucketsOf } from '../domain/buckets';
import { isTimeGroup } from '../domain/dashboard-request';
import type { SupportAggregates } from '../domain/dashboard-tables';
import type { MetricName } from '../domain/metrics';
import { endedRuns, slaOutcomes, tickets, whereOf, type FactSet, type FactWindow } from './fact-sets';
import { automationAggregates } from './workflow.queries';

type Db = Kysely<unknown>;
const n = (value: unknown) => Number(value ?? 0);

export async function supportAggregates(db: Db, w: FactWindow, tables: readonly string[]): Promise<SupportAggregates> {
  const [ticketRows, sla, automation] = await Promise.all([
    tables.includes('summary') ? ticketAggregates(db, w) : Promise.resolve([]),
    tables.includes('sla') ? slaAggregates(db, w) : Promise.resolve([]),
    tables.includes('automation') ? automationAggregates(db, w, 'support') : Promise.resolve([]),
  ]);
  const groups = isTimeGroup(w.groupBy) ? bucketsOf(w, w.groupBy) : [...new Set(ticketRows.map((t) => t.group))].sort();
  return { groups, tickets: ticketRows, sla, automation };
}

async function ticketAggregates(db: Db, w: FactWindow): Promise<SupportAggregates['tickets']> {
  const [created, replied, solved, answered] = (['created_at', 'first_reply_at', 'solved_at', 'csat_at'] as const).map(
    (by) => tickets(w, by),
  ) as [FactSet, FactSet, FactSet, FactSet];
  const { rows } = await sql<{
    grp: string;
    created: number;
    solved: number;
    replies: number;
    reply_seconds: number;
    resolution_seconds: number;
    good: number;
    bad: number;
  }>`
    select grp, sum(created) as created, sum(solved) as solved, sum(replies) as replies,
           sum(reply_seconds) as reply_seconds, sum(resolution_seconds) as resolution_seconds,
           sum(good) as good, sum(bad) as bad
    from (
      select ${created.group} as grp, count(*) as created, 0 as solved, 0 as replies, 0 as reply_seconds,
             0 as resolution_seconds, 0 as good, 0 as bad
      from ${created.source} where ${whereOf(created)} group by 1
      union all
      select ${replied.group}, 0, 0, count(*), coalesce(sum(t.first_reply_seconds), 0), 0, 0, 0
      from ${replied.source} where ${whereOf(replied)} group by 1
      union all
      select ${solved.group}, 0, count(*), 0, 0, coalesce(sum(t.resolution_seconds), 0), 0, 0
      from ${solved.source} where ${whereOf(solved)} group by 1
      union all
      select ${answered.group}, 0, 0, 0, 0, 0, count(*) filter (where t.csat_rating = 'good'),
             count(*) filter (where t.csat_rating = 'bad')
      from ${answered.source} where ${whereOf(answered)} group by 1
    ) x group by 1`.execute(db);
  return rows.map((r) => ({
    group: r.grp,
    created: n(r.created),
    solved: n(r.solved),
    firstReplies: n(r.replies),
    firstReplySeconds: n(r.reply_seconds),
    resolutionSeconds: n(r.resolution_seconds),
    good: n(r.good),
    bad: n(r.bad),
  }));
}

async function slaAggregates(db: Db, w: FactWindow): Promise<SupportAggregates['sla']> {
  const set = slaOutcomes(w);
  const { rows } = await sql<{ grp: string; metric: string; met: number; breached: number }>`
    select ${set.group} as grp, x.metric, count(*) filter (where x.outcome = 'met') as met,
           count(*) filter (where x.outcome = 'breached') as breached
    from ${set.source} where ${whereOf(set)} group by 1, 2`.execute(db);
  return rows.map((r) => ({ group: r.grp, target: r.metric, met: n(r.met), breached: n(r.breached) }));
}

export function setsOfSupportMetric(metric: MetricName, w: FactWindow): FactSet[] {
  switch (metric) {
    case 'tickets_created':
      return [tickets(w, 'created_at')];
    case 'tickets_solved':
    case 'resolution_time':
      return [tickets(w, 'solved_at')];
    case 'first_reply_time':
      return [tickets(w, 'first_reply_at')];
    case 'csat':
    case 'csat_responses':
      return [tickets(w, 'csat_at')];
    case 'sla_met':
      return [slaOutcomes(w, 'met')];
    case 'sla_breached':
      return [slaOutcomes(w, 'breached')];
    case 'automation_runs':
    case 'automation_failure_rate':
      return [endedRuns(w, 'support')];
    case 'automation_failures':
      return [endedRuns(w, 'support', 'failed')];
    case 'sla_attainment':
      return [slaOutcomes(w)];
    default:
      return [];
  }
}
