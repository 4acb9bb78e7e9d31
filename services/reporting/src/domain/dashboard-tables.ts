// Turns the store's counts and sums into the dashboards' tables, through the formulas of the metric catalogue.
// Every aggregate carries `group`: the group_by value of its row ('' without group_by). Pure.
import type { GroupBy } from './dashboard-request';
import {
  averageAmount,
  csat,
  meanDays,
  meanHours,
  perRep,
  pipelineVelocity,
  ratio,
  slaAttainment,
  weightedAmount,
  winRate,
} from './formulas';
import type { MetricName } from './metrics';
import { columnsOf, dimensionsOf, type Dimension, type RecordFilter, type Table, type TableSpec } from './tables';

export interface ClosedDealsAggregate {
  group: string;
  currency: string;
  won: number;
  lost: number;
  wonAmount: number;
  wonCycleSeconds: number;
  lostCycleSeconds: number;
}

export interface OpenDealsAggregate {
  group: string;
  currency: string;
  open: number;
}

export interface WeightedAggregate {
  group: string;
  currency: string;
  /** Σ amount × probability (not yet ÷ 100). */
  amountTimesProbability: number;
}

export interface ForecastAggregate {
  group: string;
  /** Expected close (or, for closed, close) month "2025-03" or week "2025-W07". */
  bucket: string;
  category: string;
  currency: string;
  amount: number;
  deals: number;
}

export interface StageAggregate {
  group: string;
  pipelineId: string;
  stageId: string;
  stageName: string;
  /** Place of the stage in its pipeline (unknown stages last). */
  position: number;
  entries: number;
  converted: number;
  exits: number;
  staySeconds: number;
}

export interface AutomationAggregate {
  group: string;
  ruleId: string;
  ruleName: string;
  /** Runs that ended, by outcome. */
  succeeded: number;
  failed: number;
  cancelled: number;
}

export interface SalesAggregates {
  /** Every group to show a summary row for (with time groups, each bucket of the period). */
  groups: string[];
  closed: ClosedDealsAggregate[];
  open: OpenDealsAggregate[];
  weighted: WeightedAggregate[];
  forecast: ForecastAggregate[];
  stages: StageAggregate[];
  leads: { group: string; source: string; leads: number }[];
  companies: { group: string; companies: number }[];
  activities: { group: string; type: string; activities: number }[];
  reps: { group: string; reps: number }[];
  tasksCompleted: { group: string; tasks: number }[];
  tasksOverdue: { group: string; tasks: number }[];
  automation: AutomationAggregate[];
}

export interface SupportAggregates {
  groups: string[];
  tickets: {
    group: string;
    created: number;
    solved: number;
    firstReplies: number;
    firstReplySeconds: number;
    resolutionSeconds: number;
    good: number;
    bad: number;
  }[];
  sla: { group: string; target: string; met: number; breached: number }[];
  automation: AutomationAggregate[];
}

interface RowData {
  dims: Partial<Record<Dimension, string>>;
  metrics: Partial<Record<MetricName, number | null>>;
}

const CATEGORY_ORDER = ['closed', 'commit', 'best_case', 'pipeline'];

export function salesTables(specs: readonly TableSpec[], groupBy: GroupBy | null, data: SalesAggregates): Table[] {
  const builders: Record<string, () => RowData[]> = {
    summary: () => summaryRows(data),
    revenue: () => revenueRows(data),
    forecast: () =>
      sortBy(
        data.forecast.map((f) => ({
          dims: { group: f.group, period: f.bucket, category: f.category, currency: f.currency },
          metrics: { forecast_amount: f.amount, forecast_deals: f.deals },
        })),
        (r) => [r.dims.group, r.dims.period, CATEGORY_ORDER.indexOf(r.dims.category ?? ''), r.dims.currency],
      ),
    stages: () =>
      sortBy(data.stages, (s) => [s.group, s.pipelineId, s.position, s.stageId]).map((s) => ({
        dims: { group: s.group, pipeline_id: s.pipelineId, stage_id: s.stageId, stage_name: s.stageName },
        metrics: {
          stage_entries: s.entries,
          stage_conversion: ratio(s.converted, s.entries),
          stage_exits: s.exits,
          avg_time_in_stage: meanDays(s.staySeconds, s.exits),
        },
      })),
    leads: () =>
      sortBy(
        data.leads.map((l) => ({ dims: { group: l.group, source: l.source }, metrics: { new_leads: l.leads } })),
        (r) => [r.dims.group, r.dims.source],
      ),
    activities: () =>
      sortBy(
        data.activities.map((a) => ({
          dims: { group: a.group, type: a.type },
          metrics: { activities: a.activities },
        })),
        (r) => [r.dims.group, r.dims.type],
      ),
    automation: () => automationRows(data.automation),
  };
  return specs.map((spec) => toTable(spec, groupBy, builders[spec.name]?.() ?? []));
}

function automationRows(rows: readonly AutomationAggregate[]): RowData[] {
  return sortBy([...rows], (r) => [r.group, r.ruleName, r.ruleId]).map((r) => ({
    dims: { group: r.group, rule_id: r.ruleId, rule_name: r.ruleName },
    metrics: {
      automation_runs: r.succeeded + r.failed + r.cancelled,
      automation_failures: r.failed,
      automation_failure_rate: ratio(r.failed, r.succeeded + r.failed),
    },
  }));
}

export function supportTables(specs: readonly TableSpec[], groupBy: GroupBy | null, data: SupportAggregates): Table[] {
  const builders: Record<string, () => RowData[]> = {
    summary: () => {
      const byGroup = new Map(data.tickets.map((t) => [t.group, t]));
      return data.groups.map((group) => {
        const t = byGroup.get(group);
        return {
          dims: { group },
          metrics: {
            tickets_created: t?.created ?? 0,
            tickets_solved: t?.solved ?? 0,
            first_reply_time: meanHours(t?.firstReplySeconds ?? 0, t?.firstReplies ?? 0),
            resolution_time: meanHours(t?.resolutionSeconds ?? 0, t?.solved ?? 0),
            csat_responses: (t?.good ?? 0) + (t?.bad ?? 0),
            csat: csat(t?.good ?? 0, t?.bad ?? 0),
          },
        };
      });
    },
    sla: () =>
      sortBy(data.sla, (s) => [s.group, s.target]).map((s) => ({
        dims: { group: s.group, target: s.target },
        metrics: { sla_met: s.met, sla_breached: s.breached, sla_attainment: slaAttainment(s.met, s.breached) },
      })),
    automation: () => automationRows(data.automation),
  };
  return specs.map((spec) => toTable(spec, groupBy, builders[spec.name]?.() ?? []));
}

function summaryRows(data: SalesAggregates): RowData[] {
  const sum = <T extends { group: string }>(rows: T[], group: string, value: (row: T) => number) =>
    rows.filter((r) => r.group === group).reduce((total, r) => total + value(r), 0);
  return data.groups.map((group) => {
    const won = sum(data.closed, group, (c) => c.won);
    const lost = sum(data.closed, group, (c) => c.lost);
    const activities = sum(data.activities, group, (a) => a.activities);
    return {
      dims: { group },
      metrics: {
        won_deals: won,
        lost_deals: lost,
        win_rate: winRate(won, lost),
        avg_sales_cycle_won: meanDays(
          sum(data.closed, group, (c) => c.wonCycleSeconds),
          won,
        ),
        avg_sales_cycle_lost: meanDays(
          sum(data.closed, group, (c) => c.lostCycleSeconds),
          lost,
        ),
        open_deals: sum(data.open, group, (o) => o.open),
        new_leads: sum(data.leads, group, (l) => l.leads),
        new_companies: sum(data.companies, group, (c) => c.companies),
        activities,
        activities_per_rep: perRep(
          activities,
          sum(data.reps, group, (r) => r.reps),
        ),
        tasks_completed: sum(data.tasksCompleted, group, (t) => t.tasks),
        tasks_overdue: sum(data.tasksOverdue, group, (t) => t.tasks),
      },
    };
  });
}

function revenueRows(data: SalesAggregates): RowData[] {
  const key = (r: { group: string; currency: string }) => `${r.group}\u0000${r.currency}`;
  const keys = new Map<string, { group: string; currency: string }>();
  for (const r of [...data.closed, ...data.open, ...data.weighted])
    keys.set(key(r), { group: r.group, currency: r.currency });
  const closed = new Map(data.closed.map((c) => [key(c), c]));
  const open = new Map(data.open.map((o) => [key(o), o]));
  const weighted = new Map(data.weighted.map((w) => [key(w), w]));
  const rows = [...keys.entries()].map(([k, { group, currency }]): RowData => {
    const c = closed.get(k);
    const won = c?.won ?? 0;
    const rate = winRate(won, c?.lost ?? 0);
    const avgWon = averageAmount(c?.wonAmount ?? 0, won);
    const cycle = meanDays(c?.wonCycleSeconds ?? 0, won);
    const openDeals = open.get(k)?.open ?? 0;
    return {
      dims: { group, currency },
      metrics: {
        won_deals: won,
        won_amount: c?.wonAmount ?? 0,
        avg_won_amount: avgWon,
        win_rate: rate,
        avg_sales_cycle_won: cycle,
        open_deals: openDeals,
        weighted_pipeline: weightedAmount(weighted.get(k)?.amountTimesProbability ?? 0),
        pipeline_velocity: pipelineVelocity({ openDeals, avgWonAmount: avgWon, winRate: rate, avgCycleDays: cycle }),
      },
    };
  });
  return sortBy(rows, (r) => [r.dims.group, r.dims.currency]);
}

function toTable(spec: TableSpec, groupBy: GroupBy | null, rows: RowData[]): Table {
  const dimensions = dimensionsOf(spec, groupBy);
  return {
    name: spec.name,
    title: spec.title,
    columns: columnsOf(spec, groupBy),
    rows: rows.map((row) => ({
      values: [...dimensions.map((d) => row.dims[d] ?? ''), ...spec.metrics.map((m) => row.metrics[m] ?? null)],
      filter: filterOf(row.dims, groupBy),
    })),
  };
}

function filterOf(dims: RowData['dims'], groupBy: GroupBy | null): RecordFilter {
  const filter: RecordFilter = {};
  if (groupBy) filter.group = dims.group ?? '';
  if (dims.currency) filter.currency = dims.currency;
  if (dims.pipeline_id) filter.pipelineId = dims.pipeline_id;
  if (dims.stage_id) filter.stageId = dims.stage_id;
  if (dims.category) filter.category = dims.category;
  if (dims.target) filter.target = dims.target;
  if (dims.type) filter.type = dims.type;
  if (dims.source !== undefined) filter.source = dims.source;
  if (dims.period && groupBy !== 'month' && groupBy !== 'week') filter.bucket = dims.period;
  if (dims.rule_id) filter.ruleId = dims.rule_id;
  return filter;
}

type SortKey = string | number | undefined;

function sortBy<T>(rows: T[], key: (row: T) => SortKey[]): T[] {
  const compare = (a: SortKey, b: SortKey) =>
    typeof a === 'number' && typeof b === 'number' ? a - b : String(a ?? '').localeCompare(String(b ?? ''));
  return [...rows].sort((x, y) => {
    const [kx, ky] = [key(x), key(y)];
    for (let i = 0; i < kx.length; i++) {
      const c = compare(kx[i], ky[i]);
      if (c !== 0) return c;
    }
    return 0;
  });
}
