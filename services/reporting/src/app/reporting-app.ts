// The use cases: resolve the tenant's calendar and the caller's visibility, check the request (domain), read the
// facts (store), build the tables (domain).
import { hasRole, invalidArgument, pageSize, scopeOf, ServiceError, type Principal } from '@crm/service-kit';
import type { Kysely } from 'kysely';
import { bucketEndWithin } from '../domain/buckets';
import { isTimeGroup, parseDashboardChoice, parseRecordsChoice } from '../domain/dashboard-request';
import { salesTables, supportTables } from '../domain/dashboard-tables';
import { METRICS, type Dashboard, type MetricDefinition } from '../domain/metrics';
import { resolvePeriod, type DateRange, type PeriodInput } from '../domain/period';
import { tablesOf, type RecordFilter, type Table } from '../domain/tables';
import { canonicalTimeZone, isTimeZone, localDateOf } from '../domain/time-zone';
import type { FactWindow } from '../store/fact-sets';
import { instantsOf, startOfDay } from '../store/period-instants';
import { listRecords, setsOfSalesMetric, type RecordsPage } from '../store/records.queries';
import { salesAggregates } from '../store/sales.queries';
import type { ReportingSettings, SettingsRepository } from '../store/settings.repository';
import type { StreamPosition, StreamPositions } from '../store/stream-positions';
import { setsOfSupportMetric, supportAggregates } from '../store/support.queries';

export interface ReportingApp {
  db: Kysely<unknown>;
  settings: SettingsRepository;
  positions: StreamPositions;
  clock: () => Date;
}

/** Reports read what the caller may see of every record kind; partners need `reports:read`. */
const REPORTS = { resource: 'reports' } as const;

export interface DashboardRequest extends PeriodInput {
  dashboard: string;
  groupBy: string;
  currency: string;
  table: string;
}

export interface DashboardResult {
  dashboard: Dashboard;
  range: DateRange;
  timeZone: string;
  groupBy: string;
  currency: string;
  tables: Table[];
  asOf: StreamPosition[];
}

export function listMetrics(dashboard: string): MetricDefinition[] {
  return METRICS.filter((m) => !dashboard || m.dashboards.includes(dashboard as Dashboard)).map((m) => ({ ...m }));
}

export function tablesShowing(metric: string): string[] {
  return [
    ...new Set(
      tablesOf('sales')
        .concat(tablesOf('support'))
        .filter((t) => (t.metrics as readonly string[]).includes(metric))
        .map((t) => t.name),
    ),
  ];
}

async function windowOf(
  app: ReportingApp,
  principal: Principal,
  period: PeriodInput,
  choice: { groupBy: FactWindow['groupBy']; currency: string | null },
): Promise<FactWindow> {
  const { timeZone } = await app.settings.get(principal.tenantId);
  const range = resolvePeriod(period, localDateOf(app.clock(), timeZone));
  const { fromAt, toAt } = await instantsOf(app.db, range.from, range.to, timeZone);
  return {
    tenantId: principal.tenantId,
    scope: scopeOf(principal, REPORTS, 'read'),
    timeZone,
    ...range,
    fromAt,
    toAt,
    groupBy: choice.groupBy,
    currency: choice.currency,
  };
}

export async function getDashboard(
  app: ReportingApp,
  principal: Principal,
  request: DashboardRequest,
): Promise<DashboardResult> {
  const choice = parseDashboardChoice(request);
  const window = await windowOf(app, principal, request, choice);
  const specs = tablesOf(choice.dashboard).filter((t) => !choice.table || t.name === choice.table);
  const names = specs.map((t) => t.name);
  const [tables, asOf] = await Promise.all([
    choice.dashboard === 'sales'
      ? salesAggregates(app.db, window, names).then((data) => salesTables(specs, choice.groupBy, data))
      : supportAggregates(app.db, window, names).then((data) => supportTables(specs, choice.groupBy, data)),
    app.positions.of(principal.tenantId),
  ]);
  return {
    dashboard: choice.dashboard,
    range: { from: window.from, to: window.to },
    timeZone: window.timeZone,
    groupBy: choice.groupBy ?? '',
    currency: choice.currency ?? '',
    tables,
    asOf,
  };
}

export interface RecordsRequest extends PeriodInput {
  dashboard: string;
  metric: string;
  groupBy: string;
  filter: RecordFilter;
  limit: number;
  cursor: string;
}

export async function getRecords(
  app: ReportingApp,
  principal: Principal,
  request: RecordsRequest,
): Promise<RecordsPage> {
  const choice = parseRecordsChoice({
    dashboard: request.dashboard,
    metric: request.metric,
    groupBy: request.groupBy,
    currency: request.filter.currency ?? '',
    group: request.filter.group ?? '',
  });
  const limit = pageSize(request.limit);
  const window = await windowOf(app, principal, request, choice);
  const group = request.filter.group;
  // Open deals and overdue tasks grouped by month or week are those at the end of the row's bucket.
  let openAt = window.toAt;
  const timeGrouped = isTimeGroup(choice.groupBy) && group !== undefined;
  if (timeGrouped && isTimeGroup(choice.groupBy)) {
    const end = bucketEndWithin(group, choice.groupBy, window);
    if (!end) throw invalidArgument([{ field: 'group', description: `is not a ${choice.groupBy} of the period` }]);
    openAt = await startOfDay(app.db, end, window.timeZone);
  }
  const name = choice.metric.name as Parameters<typeof setsOfSalesMetric>[0];
  const sets =
    choice.dashboard === 'sales'
      ? setsOfSalesMetric(name, window, request.filter, openAt)
      : setsOfSupportMetric(name, window);
  const opensAtBucketEnd =
    timeGrouped && ['open_deals', 'pipeline_velocity', 'tasks_overdue'].includes(choice.metric.name);
  return listRecords(app.db, sets, request.filter, { limit, cursor: request.cursor, groupFilter: !opensAtBucketEnd });
}

export function getSettings(app: ReportingApp, principal: Principal): Promise<ReportingSettings> {
  return app.settings.get(principal.tenantId);
}

export async function updateSettings(
  app: ReportingApp,
  principal: Principal,
  input: { timeZone: string; expectedVersion: number },
): Promise<ReportingSettings> {
  if (!hasRole(principal, 'crm-admin'))
    throw new ServiceError('PERMISSION_DENIED', 'Only admins change the reporting settings');
  const known = isTimeZone(input.timeZone) && (await app.settings.knowsTimeZone(canonicalTimeZone(input.timeZone)));
  if (!known)
    throw invalidArgument([{ field: 'time_zone', description: 'must be an IANA time zone, e.g. Europe/Berlin' }]);
  return app.settings.update(principal.tenantId, canonicalTimeZone(input.timeZone), input.expectedVersion, app.clock());
}
