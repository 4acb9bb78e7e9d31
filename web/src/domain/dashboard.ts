// The reporting API's dashboards shaped for pickers, charts and drill-down links. The figures are the API's, never
// recomputed here; money stays per currency (a chart per currency), as the API keeps it. Pure.
import { formatMoney } from './money';

export type DashboardName = 'sales' | 'support';
export type GroupBy = 'owner' | 'team' | 'pipeline' | 'source' | 'month' | 'week';
export type Cell = number | string | null;

export interface DashboardColumn {
  key: string;
  title: string;
  unit: string;
  metric: string | null;
}

export interface DashboardRow {
  values: Record<string, Cell>;
  drillDown: Record<string, string>;
}

export interface DashboardTable {
  name: string;
  title: string;
  columns: DashboardColumn[];
  rows: DashboardRow[];
}

/** Support tickets have no pipeline (the API refuses groupBy=pipeline there). */
export const GROUP_BYS: Record<DashboardName, readonly GroupBy[]> = {
  sales: ['owner', 'team', 'pipeline', 'source', 'month', 'week'],
  support: ['owner', 'team', 'source', 'month', 'week'],
};

export const GROUP_LABELS: Record<GroupBy, string> = {
  owner: 'Owner',
  team: 'Team',
  pipeline: 'Pipeline',
  source: 'Source',
  month: 'Month',
  week: 'Week',
};

/** The API's named periods: it resolves them to calendar dates in the tenant's time zone, not the browser's. */
export const NAMED_PERIODS = [
  ['this_week', 'This week'],
  ['last_week', 'Last week'],
  ['this_month', 'This month'],
  ['last_month', 'Last month'],
  ['this_quarter', 'This quarter'],
  ['last_quarter', 'Last quarter'],
  ['this_year', 'This year'],
  ['last_year', 'Last year'],
] as const;

export type NamedPeriod = (typeof NAMED_PERIODS)[number][0];

export function isGroupBy(dashboard: DashboardName, value: string): value is GroupBy {
  return (GROUP_BYS[dashboard] as readonly string[]).includes(value);
}

export function isNamedPeriod(value: string): value is NamedPeriod {
  return NAMED_PERIODS.some(([name]) => name === value);
}

export interface DashboardSelection {
  /** A named period, or 'custom' with from and to. */
  period: string;
  from: string;
  to: string;
  groupBy: string;
  currency: string;
}

/** The dashboard request's query from the pickers; an unknown value falls back to the API's default. */
export function dashboardQuery(dashboard: DashboardName, s: DashboardSelection): Record<string, string> {
  const query: Record<string, string> = {};
  if (s.period === 'custom') {
    if (s.from) query.from = s.from;
    if (s.to) query.to = s.to;
  } else query.period = isNamedPeriod(s.period) ? s.period : 'this_month';
  if (isGroupBy(dashboard, s.groupBy)) query.groupBy = s.groupBy;
  if (/^[A-Z]{3}$/.test(s.currency)) query.currency = s.currency;
  return query;
}

const PERCENT = new Intl.NumberFormat('en', { style: 'percent', maximumFractionDigits: 1 });
const COUNT = new Intl.NumberFormat('en', { maximumFractionDigits: 2 });
const ONE_DECIMAL = new Intl.NumberFormat('en', { maximumFractionDigits: 1 });

/** A figure in its unit; null is "undefined" (no closed deal, no answer), shown as a dash, never as 0. */
export function formatMetric(value: Cell, unit: string, currency?: string | null): string {
  if (value === null || value === '') return '—';
  if (typeof value === 'string') return value;
  switch (unit) {
    case 'ratio':
      return PERCENT.format(value);
    case 'days':
      return `${ONE_DECIMAL.format(value)} d`;
    case 'hours':
      return `${ONE_DECIMAL.format(value)} h`;
    case 'money_minor':
      return currency ? formatMoney({ amountMinor: value, currency }) : `${COUNT.format(value)} (minor units)`;
    case 'money_minor_per_day':
      return `${currency ? formatMoney({ amountMinor: value, currency }) : COUNT.format(value)}/day`;
    default:
      return COUNT.format(value);
  }
}

export interface GroupLabelContext {
  me?: string;
  pipelines?: ReadonlyMap<string, string>;
}

/** What a group value means to a person: "You", a pipeline's name, "No source" for the empty group. */
export function groupLabel(groupBy: string | null, value: Cell, ctx: GroupLabelContext = {}): string {
  const text = value === null ? '' : String(value);
  switch (groupBy) {
    case null:
    case '':
      return 'All';
    case 'owner':
      if (!text) return 'Unassigned';
      return text === ctx.me ? 'You' : `User ${text.slice(0, 8)}`;
    case 'team':
      return text ? `Team ${text}` : 'No team';
    case 'pipeline':
      return text ? (ctx.pipelines?.get(text) ?? text) : 'No pipeline';
    case 'source':
      return text || 'No source';
    default:
      return text || '—';
  }
}

export interface ChartPoint {
  label: string;
  /** By metric: the figure (null stays null, recharts leaves the bar out). */
  values: Record<string, number | null>;
  drillDown: Record<string, string>;
}

function pointOf(row: DashboardRow, metrics: readonly string[], label: string): ChartPoint {
  return {
    label,
    values: Object.fromEntries(
      metrics.map((m) => {
        const v = row.values[m];
        return [m, typeof v === 'number' ? v : null];
      }),
    ),
    drillDown: Object.fromEntries(metrics.flatMap((m) => (row.drillDown[m] ? [[m, row.drillDown[m]]] : []))),
  };
}

/** One point per row (per group), for metrics of one unit that may be drawn side by side. */
export function chartPoints(
  table: DashboardTable,
  metrics: readonly string[],
  label: (row: DashboardRow) => string,
): ChartPoint[] {
  return table.rows.map((row) => pointOf(row, metrics, label(row)));
}

export interface CurrencySeries {
  currency: string;
  points: ChartPoint[];
}

/**
 * Money rows split by their currency column: one series per currency, in the API's order, so amounts in different
 * currencies are never drawn on (or added along) one axis.
 */
export function perCurrency(
  table: DashboardTable,
  metrics: readonly string[],
  label: (row: DashboardRow) => string,
): CurrencySeries[] {
  const byCurrency = new Map<string, ChartPoint[]>();
  for (const row of table.rows) {
    const currency = String(row.values.currency ?? '');
    if (!currency) continue;
    const points = byCurrency.get(currency) ?? [];
    points.push(pointOf(row, metrics, label(row)));
    byCurrency.set(currency, points);
  }
  return [...byCurrency.entries()].map(([currency, points]) => ({ currency, points }));
}

/** The currencies a dashboard's money tables hold. */
export function currenciesOf(tables: readonly DashboardTable[]): string[] {
  const set = new Set<string>();
  for (const table of tables)
    for (const row of table.rows)
      if (typeof row.values.currency === 'string' && row.values.currency) set.add(row.values.currency);
  return [...set].sort();
}

const RECORDS_PATH = /^\/api\/v1\/dashboards\/(sales|support)\/records\?(.*)$/;

/** The app's drill-down screen for an API drill-down URL: same query, the app's path. */
export function drillDownRoute(apiUrl: string): string | undefined {
  const match = RECORDS_PATH.exec(apiUrl);
  return match ? `/dashboards/${match[1]}/records?${match[2]}` : undefined;
}

/** The query the drill-down screen passes on to the API (only the parameters the API takes). */
export const DRILL_DOWN_PARAMS = [
  'metric',
  'from',
  'to',
  'period',
  'groupBy',
  'group',
  'currency',
  'pipelineId',
  'stageId',
  'category',
  'target',
  'type',
  'source',
  'bucket',
  'ruleId',
] as const;

export function drillDownQuery(search: URLSearchParams): Record<string, string> {
  const query: Record<string, string> = {};
  for (const key of DRILL_DOWN_PARAMS) {
    const value = search.get(key);
    // group and source may be empty on purpose: "records without one".
    if (value !== null && (value !== '' || key === 'group' || key === 'source')) query[key] = value;
  }
  return query;
}

/** Where a record behind a number is shown in the app; kinds without a screen have none. */
export function recordHref(kind: string, id: string): string | undefined {
  const path = { deal: 'deals', contact: 'contacts', company: 'companies', ticket: 'tickets', task: 'tasks' }[kind];
  if (!path) return undefined;
  return kind === 'task' ? '/tasks' : `/${path}/${encodeURIComponent(id)}`;
}

/** Whose figures the API counts for these roles (it scopes them; this only says so). */
export function scopeOf(roles: readonly string[]): string {
  if (roles.includes('crm-admin')) return 'Figures of the whole tenant';
  if (roles.includes('sales-manager') || roles.includes('support-manager')) return 'Figures of your teams and yours';
  return 'Your own figures';
}

/** A CSV file name from the server's Content-Disposition, or a fallback. */
export function fileNameOf(contentDisposition: string | null, fallback: string): string {
  const match = /filename="?([^";]+)"?/i.exec(contentDisposition ?? '');
  return match?.[1] ?? fallback;
}
