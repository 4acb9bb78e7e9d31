// The drill-down: the ids of the records behind one number, from the same fact sets the number was counted from,
// narrowed to the row's filter; keyset pages in id order.
import { decodeCursor, encodeCursor } from '@crm/service-kit';
import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { MetricName, RecordKind } from '../domain/metrics';
import type { RecordFilter } from '../domain/tables';
import {
  activitiesInPeriod,
  closedDeals,
  completedTasks,
  endedRuns,
  overdueTasksAt,
  newCompanies,
  newContacts,
  openDealsAt,
  openDealsClosingInPeriod,
  stageStays,
  whereOf,
  type FactSet,
  type FactWindow,
} from './fact-sets';

export interface RecordRef {
  id: string;
  kind: RecordKind;
  outcome: string;
}

export interface RecordsPage {
  records: RecordRef[];
  nextCursor: string;
}

/**
 * The sets a sales metric counts; `openAt` is the instant open deals and overdue tasks are counted at (the period's
 * or the bucket's end).
 */
export function setsOfSalesMetric(metric: MetricName, w: FactWindow, filter: RecordFilter, openAt: Date): FactSet[] {
  switch (metric) {
    case 'won_deals':
    case 'won_amount':
    case 'avg_won_amount':
    case 'avg_sales_cycle_won':
      return [closedDeals(w, 'won')];
    case 'lost_deals':
    case 'avg_sales_cycle_lost':
      return [closedDeals(w, 'lost')];
    case 'win_rate':
      return [closedDeals(w)];
    case 'open_deals':
    case 'pipeline_velocity':
      return [openDealsAt(w, openAt)];
    case 'weighted_pipeline':
      return [openDealsClosingInPeriod(w)];
    case 'forecast_amount':
    case 'forecast_deals':
      if (filter.category === 'closed') return [closedDeals(w, 'won')];
      if (filter.category) return [openDealsClosingInPeriod(w, filter.category)];
      return [openDealsClosingInPeriod(w), closedDeals(w, 'won')];
    case 'stage_entries':
    case 'stage_conversion':
      return [stageStays(w, 'entered')];
    case 'stage_exits':
    case 'avg_time_in_stage':
      return [stageStays(w, 'left')];
    case 'new_leads':
      return [newContacts(w)];
    case 'new_companies':
      return [newCompanies(w)];
    case 'activities':
    case 'activities_per_rep':
      return [activitiesInPeriod(w)];
    case 'tasks_completed':
      return [completedTasks(w)];
    case 'tasks_overdue':
      return [overdueTasksAt(w, openAt)];
    case 'automation_runs':
    case 'automation_failure_rate':
      return [endedRuns(w, 'sales')];
    case 'automation_failures':
      return [endedRuns(w, 'sales', 'failed')];
    default:
      return [];
  }
}

export async function listRecords(
  db: Kysely<unknown>,
  sets: readonly FactSet[],
  filter: RecordFilter,
  options: { limit: number; cursor: string; groupFilter: boolean },
): Promise<RecordsPage> {
  if (!sets.length) return { records: [], nextCursor: '' };
  const after = options.cursor ? String(decodeCursor(options.cursor, 1)[0] ?? '') : null;
  const selects = sets.map((set) => {
    const narrowing = filtersOf(set, filter, options.groupFilter);
    if (narrowing === null) return null;
    const conditions = [whereOf(set), ...narrowing, ...(after !== null ? [sql`${set.id} > ${after}`] : [])];
    return sql`select ${set.id} as id, ${set.outcome ?? sql`''`} as outcome
               from ${set.source} where ${sql.join(conditions, sql` and `)}`;
  });
  const parts = selects.filter((s): s is RawBuilder<unknown> => s !== null);
  if (!parts.length) return { records: [], nextCursor: '' };
  const { rows } = await sql<{ id: string; outcome: string }>`
    select distinct on (id) id, outcome from (${sql.join(parts, sql` union all `)}) x
    order by id limit ${options.limit + 1}`.execute(db);
  const kind = sets[0]?.kind ?? 'deal';
  const records = rows.slice(0, options.limit).map((r) => ({ id: r.id, kind, outcome: r.outcome }));
  const last = records[records.length - 1];
  return { records, nextCursor: rows.length > options.limit && last ? encodeCursor([last.id]) : '' };
}

/** The row's filter as conditions on a set; null when the set cannot hold such rows (e.g. a type on deals). */
function filtersOf(set: FactSet, filter: RecordFilter, groupFilter: boolean): RawBuilder<unknown>[] | null {
  const conditions: RawBuilder<unknown>[] = [];
  if (groupFilter && filter.group !== undefined) conditions.push(sql`${set.group} = ${filter.group}`);
  const dims: [string | undefined, RawBuilder<string> | undefined][] = [
    [filter.currency, set.currency],
    [filter.pipelineId, set.pipelineId],
    [filter.stageId, set.stageId],
    [filter.category, set.category],
    [filter.type, set.type],
    [filter.target, set.target],
    [filter.ruleId, set.ruleId],
    [filter.source, set.sourceValue],
    [filter.bucket, set.bucket],
  ];
  for (const [value, expression] of dims) {
    if (value === undefined || value === '') continue;
    if (!expression) return null;
    conditions.push(sql`${expression} = ${value}`);
  }
  // A source filter of '' means "without a source", which the loop above skipped as unset.
  if (filter.source === '' && set.sourceValue) conditions.push(sql`${set.sourceValue} = ''`);
  return conditions;
}
