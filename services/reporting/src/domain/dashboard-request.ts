// What a dashboard or drill-down request may ask for, checked before anything is read. Violations name the field
// as the API spells it (group_by, currency, table, metric, ...). Pure.
import { invalidArgument, type FieldViolation } from '@crm/service-kit';
import type { Dashboard, MetricDefinition } from './metrics';
import { isMetricOf, metricNamed } from './metrics';
import { tablesOf } from './tables';

export type GroupBy = 'owner' | 'team' | 'pipeline' | 'source' | 'month' | 'week';

export const DASHBOARDS: readonly Dashboard[] = ['sales', 'support'];

/** Support tickets have no pipeline; their source is the channel they came in through. */
export const GROUP_BYS: Record<Dashboard, readonly GroupBy[]> = {
  sales: ['owner', 'team', 'pipeline', 'source', 'month', 'week'],
  support: ['owner', 'team', 'source', 'month', 'week'],
};

export function isTimeGroup(groupBy: GroupBy | null): groupBy is 'month' | 'week' {
  return groupBy === 'month' || groupBy === 'week';
}

export interface DashboardChoice {
  dashboard: Dashboard;
  groupBy: GroupBy | null;
  /** null: money per currency. */
  currency: string | null;
  /** null: every table. */
  table: string | null;
}

export interface DashboardChoiceInput {
  dashboard: string;
  groupBy: string;
  currency: string;
  table: string;
}

export function parseDashboard(value: string): Dashboard {
  if (DASHBOARDS.includes(value as Dashboard)) return value as Dashboard;
  throw invalidArgument([{ field: 'dashboard', description: `must be one of ${DASHBOARDS.join(', ')}` }]);
}

export function parseDashboardChoice(input: DashboardChoiceInput): DashboardChoice {
  const dashboard = parseDashboard(input.dashboard);
  const violations: FieldViolation[] = [];
  const groupBy = parseGroupBy(dashboard, input.groupBy, violations);
  const currency = parseCurrency(input.currency, violations);
  const tables = tablesOf(dashboard).map((t) => t.name);
  if (input.table && !tables.includes(input.table))
    violations.push({ field: 'table', description: `must be one of ${tables.join(', ')}` });
  if (violations.length) throw invalidArgument(violations);
  return { dashboard, groupBy, currency, table: input.table || null };
}

export interface RecordsChoice {
  dashboard: Dashboard;
  metric: MetricDefinition;
  groupBy: GroupBy | null;
  currency: string | null;
}

export function parseRecordsChoice(input: {
  dashboard: string;
  metric: string;
  groupBy: string;
  currency: string;
  group: string;
}): RecordsChoice {
  const dashboard = parseDashboard(input.dashboard);
  const violations: FieldViolation[] = [];
  const metric = metricNamed(input.metric);
  if (!metric || !isMetricOf(metric, dashboard))
    violations.push({
      field: 'metric',
      description: input.metric
        ? `is not a ${dashboard} metric (GET /api/v1/metrics lists them)`
        : 'is required: the metric whose records to list',
    });
  const groupBy = parseGroupBy(dashboard, input.groupBy, violations);
  if (input.group && !groupBy) violations.push({ field: 'group', description: 'needs group_by' });
  if (input.group.length > 200) violations.push({ field: 'group', description: 'is too long' });
  const currency = parseCurrency(input.currency, violations);
  if (violations.length || !metric) throw invalidArgument(violations);
  return { dashboard, metric, groupBy, currency };
}

function parseGroupBy(dashboard: Dashboard, value: string, violations: FieldViolation[]): GroupBy | null {
  if (!value) return null;
  if (GROUP_BYS[dashboard].includes(value as GroupBy)) return value as GroupBy;
  violations.push({ field: 'group_by', description: `must be one of ${GROUP_BYS[dashboard].join(', ')}` });
  return null;
}

function parseCurrency(value: string, violations: FieldViolation[]): string | null {
  if (!value) return null;
  if (/^[A-Z]{3}$/.test(value)) return value;
  violations.push({ field: 'currency', description: 'must be an ISO 4217 code such as EUR' });
  return null;
}
