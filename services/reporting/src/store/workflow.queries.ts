// Tasks and workflow runs: the counts both dashboards take from the WORKFLOW stream's facts.
import { sql, type Kysely } from 'kysely';
import { bucketEndWithin, bucketsOf } from '../domain/buckets';
import { isTimeGroup } from '../domain/dashboard-request';
import type { AutomationAggregate } from '../domain/dashboard-tables';
import { countBy } from './count-by';
import { completedTasks, endedRuns, overdueTasksAt, whereOf, type FactWindow } from './fact-sets';

type Db = Kysely<unknown>;
const n = (value: unknown) => Number(value ?? 0);

export async function tasksCompleted(db: Db, w: FactWindow): Promise<{ group: string; tasks: number }[]> {
  return (await countBy(db, completedTasks(w))).map((r) => ({ group: r.group, tasks: r.count }));
}

/** Overdue at the end of the period, or of each month or week (one pass: the bucket ends are joined). */
export async function tasksOverdue(db: Db, w: FactWindow): Promise<{ group: string; tasks: number }[]> {
  if (!isTimeGroup(w.groupBy)) {
    const set = overdueTasksAt(w, w.toAt);
    const { rows } = await sql<{ grp: string; n: number }>`
      select ${set.group} as grp, count(*) as n from ${set.source} where ${whereOf(set)} group by 1`.execute(db);
    return rows.map((r) => ({ group: r.grp, tasks: n(r.n) }));
  }
  const unit = w.groupBy;
  const ends = bucketsOf(w, unit).map((bucket) => ({ bucket, end: bucketEndWithin(bucket, unit, w) as string }));
  const endAt = sql`(b.end_date::date::timestamp at time zone ${w.timeZone})`;
  const set = overdueTasksAt(w, endAt);
  const { rows } = await sql<{ grp: string; n: number }>`
    select b.bucket as grp, count(*) as n
    from (values ${sql.join(ends.map((e) => sql`(${e.bucket}, ${e.end})`))}) as b(bucket, end_date)
    join ${set.source} on ${whereOf(set)}
    group by 1`.execute(db);
  return rows.map((r) => ({ group: r.grp, tasks: n(r.n) }));
}

export async function automationAggregates(
  db: Db,
  w: FactWindow,
  dashboard: 'sales' | 'support',
): Promise<AutomationAggregate[]> {
  const set = endedRuns(w, dashboard);
  const { rows } = await sql<{
    grp: string;
    rule_id: string;
    rule_name: string;
    succeeded: number;
    failed: number;
    cancelled: number;
  }>`
    select ${set.group} as grp, r.rule_id, max(r.rule_name) as rule_name,
           count(*) filter (where r.status = 'succeeded') as succeeded,
           count(*) filter (where r.status = 'failed') as failed,
           count(*) filter (where r.status = 'cancelled') as cancelled
    from ${set.source} where ${whereOf(set)} group by 1, 2`.execute(db);
  return rows.map((r) => ({
    group: r.grp,
    ruleId: r.rule_id,
    ruleName: r.rule_name,
    succeeded: n(r.succeeded),
    failed: n(r.failed),
    cancelled: n(r.cancelled),
  }));
}
