// The tables of each dashboard: their dimensions and metric columns. A request's group_by adds a leading "group"
// column, which takes the place of a dimension it repeats (leads by source grouped by source). Pure.
import type { GroupBy } from './dashboard-request';
import { metricNamed, type Dashboard, type MetricName, type MetricUnit } from './metrics';

export type Dimension =
  | 'group'
  | 'currency'
  | 'period'
  | 'category'
  | 'pipeline_id'
  | 'stage_id'
  | 'stage_name'
  | 'source'
  | 'type'
  | 'target'
  | 'rule_id'
  | 'rule_name';

export interface TableSpec {
  name: string;
  title: string;
  dashboard: Dashboard;
  dimensions: readonly Dimension[];
  metrics: readonly MetricName[];
}

export const TABLES: readonly TableSpec[] = [
  {
    name: 'summary',
    title: 'Sales summary',
    dashboard: 'sales',
    dimensions: [],
    metrics: [
      'won_deals',
      'lost_deals',
      'win_rate',
      'avg_sales_cycle_won',
      'avg_sales_cycle_lost',
      'open_deals',
      'new_leads',
      'new_companies',
      'activities',
      'activities_per_rep',
      'tasks_completed',
      'tasks_overdue',
    ],
  },
  {
    name: 'revenue',
    title: 'Revenue and velocity by currency',
    dashboard: 'sales',
    dimensions: ['currency'],
    metrics: [
      'won_deals',
      'won_amount',
      'avg_won_amount',
      'win_rate',
      'avg_sales_cycle_won',
      'open_deals',
      'weighted_pipeline',
      'pipeline_velocity',
    ],
  },
  {
    name: 'forecast',
    title: 'Forecast by category and expected close period',
    dashboard: 'sales',
    dimensions: ['period', 'category', 'currency'],
    metrics: ['forecast_amount', 'forecast_deals'],
  },
  {
    name: 'stages',
    title: 'Stage conversion and time in stage',
    dashboard: 'sales',
    dimensions: ['pipeline_id', 'stage_id', 'stage_name'],
    metrics: ['stage_entries', 'stage_conversion', 'stage_exits', 'avg_time_in_stage'],
  },
  {
    name: 'leads',
    title: 'New leads by source',
    dashboard: 'sales',
    dimensions: ['source'],
    metrics: ['new_leads'],
  },
  {
    name: 'activities',
    title: 'Activities by type',
    dashboard: 'sales',
    dimensions: ['type'],
    metrics: ['activities'],
  },
  {
    name: 'automation',
    title: 'Automation runs by rule',
    dashboard: 'sales',
    dimensions: ['rule_id', 'rule_name'],
    metrics: ['automation_runs', 'automation_failures', 'automation_failure_rate'],
  },
  {
    name: 'summary',
    title: 'Support summary',
    dashboard: 'support',
    dimensions: [],
    metrics: ['tickets_created', 'tickets_solved', 'first_reply_time', 'resolution_time', 'csat_responses', 'csat'],
  },
  {
    name: 'sla',
    title: 'SLA attainment by target',
    dashboard: 'support',
    dimensions: ['target'],
    metrics: ['sla_met', 'sla_breached', 'sla_attainment'],
  },
  {
    name: 'automation',
    title: 'Automation runs by rule',
    dashboard: 'support',
    dimensions: ['rule_id', 'rule_name'],
    metrics: ['automation_runs', 'automation_failures', 'automation_failure_rate'],
  },
];

export function tablesOf(dashboard: Dashboard): TableSpec[] {
  return TABLES.filter((t) => t.dashboard === dashboard);
}

export type Cell = number | string | null;

export interface Column {
  key: string;
  title: string;
  unit: MetricUnit | 'text';
  /** Set on metric columns: the metric shown, whose records ListRecords lists. */
  metric?: MetricName;
}

/** What selects a row's records in ListRecords. */
export interface RecordFilter {
  group?: string;
  currency?: string;
  pipelineId?: string;
  stageId?: string;
  category?: string;
  target?: string;
  type?: string;
  source?: string;
  /** A forecast row's expected close month or week. */
  bucket?: string;
  ruleId?: string;
}

export interface TableRow {
  values: Cell[];
  filter: RecordFilter;
}

export interface Table {
  name: string;
  title: string;
  columns: Column[];
  rows: TableRow[];
}

const DIMENSION_TITLES: Record<Exclude<Dimension, 'group'>, string> = {
  currency: 'Currency',
  period: 'Expected close period',
  category: 'Forecast category',
  pipeline_id: 'Pipeline',
  stage_id: 'Stage',
  stage_name: 'Stage name',
  source: 'Source',
  type: 'Type',
  target: 'SLA target',
  rule_id: 'Rule',
  rule_name: 'Rule name',
};

const GROUP_TITLES: Record<GroupBy, string> = {
  owner: 'Owner',
  team: 'Team',
  pipeline: 'Pipeline',
  source: 'Source',
  month: 'Month',
  week: 'Week',
};

/** The dimensions a table shows for a grouping: group first, in place of the dimension it repeats. */
export function dimensionsOf(table: TableSpec, groupBy: GroupBy | null): Dimension[] {
  if (!groupBy) return [...table.dimensions];
  const repeated: Partial<Record<GroupBy, Dimension>> = {
    source: 'source',
    pipeline: 'pipeline_id',
    month: 'period',
    week: 'period',
  };
  return ['group', ...table.dimensions.filter((d) => d !== repeated[groupBy])];
}

export function columnsOf(table: TableSpec, groupBy: GroupBy | null): Column[] {
  const dimensions = dimensionsOf(table, groupBy).map(
    (d): Column => ({
      key: d,
      title: d === 'group' ? GROUP_TITLES[groupBy ?? 'owner'] : DIMENSION_TITLES[d],
      unit: 'text',
    }),
  );
  const metrics = table.metrics.map((name): Column => {
    const metric = metricNamed(name);
    return { key: name, title: metric?.title ?? name, unit: metric?.unit ?? 'count', metric: name };
  });
  return [...dimensions, ...metrics];
}
