// The sales and support dashboards: the API's figures for a period (in the tenant's time zone) as KPI tiles, charts
// and tables, grouped by owner, team, pipeline, source, month or week. Every figure opens the records behind it;
// every table downloads as the API's CSV. Money is drawn one currency at a time, never added across currencies.
import { ChartNoAxesColumn, Download } from 'lucide-react';
import { Suspense, lazy, useMemo, useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { downloadApiCsv, useDashboard, useMetrics, usePipelineNames, type Metric } from '../../api/dashboards.api';
import { useAccess } from '../../app/access';
import {
  GROUP_BYS,
  GROUP_LABELS,
  NAMED_PERIODS,
  chartPoints,
  currenciesOf,
  dashboardQuery,
  drillDownRoute,
  formatMetric,
  groupLabel,
  perCurrency,
  scopeOf,
  type DashboardName,
  type DashboardRow,
  type DashboardTable,
  type GroupLabelContext,
} from '../../domain/dashboard';
import { useToasts } from '../../ui/toast';
import { EmptyState, ErrorPanel, PageHeader, Skeleton, SkeletonRows, Spinner } from '../../ui/misc';
import { useUrlFilters } from '../records/list-filters';

const DashboardChart = lazy(() => import('./dashboard-chart').then((m) => ({ default: m.DashboardChart })));

const TITLES: Record<DashboardName, string> = { sales: 'Sales dashboard', support: 'Support dashboard' };

/** The count metrics drawn side by side per group. */
const COUNT_CHART: Record<DashboardName, string[]> = {
  sales: ['won_deals', 'lost_deals', 'open_deals'],
  support: ['tickets_created', 'tickets_solved'],
};

export function SalesDashboardPage() {
  return <DashboardPage dashboard="sales" />;
}

export function SupportDashboardPage() {
  return <DashboardPage dashboard="support" />;
}

function DashboardPage({ dashboard }: { dashboard: DashboardName }) {
  const access = useAccess();
  const navigate = useNavigate();
  const { values, set } = useUrlFilters(['period', 'from', 'to', 'groupBy', 'currency'] as const);
  const selection = { ...values, period: values.period || 'this_month' };
  const query = dashboardQuery(dashboard, selection);
  const incomplete = selection.period === 'custom' && (!values.from || !values.to);
  const answer = useDashboard(dashboard, query, !incomplete);
  const metrics = useMetrics();
  const pipelines = usePipelineNames(dashboard === 'sales' && access.can('dealsRead'));
  const data = answer.data;
  const groupBy = data?.groupBy ?? null;
  const ctx: GroupLabelContext = { me: access.userId, pipelines: pipelines.data };
  const rowLabel = (row: DashboardRow) => groupLabel(groupBy, row.values.group ?? null, ctx);
  const catalogue = useMemo(() => new Map((metrics.data ?? []).map((m) => [m.name, m])), [metrics.data]);
  const title = (metric: string) => catalogue.get(metric)?.title ?? metric;
  const drill = (url: string) => {
    const route = drillDownRoute(url);
    if (route) void navigate(route);
  };
  const tables = data?.tables ?? [];
  const summary = tables.find((t) => t.name === 'summary');
  const revenue = tables.find((t) => t.name === 'revenue');
  const currencies = currenciesOf(tables);

  return (
    <div className="page dashboard-page">
      <PageHeader
        title={TITLES[dashboard]}
        subtitle={
          data ? `${data.from} – ${data.to} (${data.timeZone}) · ${scopeOf(access.roles)}` : scopeOf(access.roles)
        }
      />
      <div className="toolbar">
        <select
          className="select"
          aria-label="Period"
          value={selection.period}
          onChange={(e) => set('period', e.target.value)}
        >
          {NAMED_PERIODS.map(([value, text]) => (
            <option key={value} value={value}>
              {text}
            </option>
          ))}
          <option value="custom">Custom…</option>
        </select>
        {selection.period === 'custom' ? (
          <>
            <input
              className="input date-input"
              type="date"
              aria-label="From"
              value={values.from}
              onChange={(e) => set('from', e.target.value)}
            />
            <input
              className="input date-input"
              type="date"
              aria-label="To"
              value={values.to}
              onChange={(e) => set('to', e.target.value)}
            />
          </>
        ) : null}
        <select
          className="select"
          aria-label="Group by"
          value={query.groupBy ?? ''}
          onChange={(e) => set('groupBy', e.target.value)}
        >
          <option value="">No grouping</option>
          {GROUP_BYS[dashboard].map((g) => (
            <option key={g} value={g}>
              By {GROUP_LABELS[g].toLowerCase()}
            </option>
          ))}
        </select>
        {dashboard === 'sales' ? (
          <select
            className="select"
            aria-label="Currency"
            value={query.currency ?? ''}
            onChange={(e) => set('currency', e.target.value)}
          >
            <option value="">Each currency apart</option>
            {[...new Set([...currencies, ...(query.currency ? [query.currency] : [])])].map((c) => (
              <option key={c} value={c}>
                Only {c}
              </option>
            ))}
          </select>
        ) : null}
        {answer.isFetching ? <Spinner label="Updating" /> : null}
      </div>

      {incomplete ? (
        <p className="subtle">Choose both dates.</p>
      ) : answer.isPending ? (
        <SkeletonRows rows={6} />
      ) : answer.isError && !data ? (
        <ErrorPanel error={answer.error} onRetry={() => void answer.refetch()} />
      ) : (
        <div className="stack" style={{ gap: 16 }}>
          {summary && !groupBy && summary.rows[0] ? (
            <Kpis table={summary} row={summary.rows[0]} describe={(m) => catalogue.get(m)} />
          ) : null}
          {summary && summary.rows.length > 0 ? (
            <section className="card card-pad" aria-labelledby={`${dashboard}-counts`}>
              <h2 id={`${dashboard}-counts`} className="section-title">
                {COUNT_CHART[dashboard].map(title).join(', ')}
                {groupBy ? ` by ${GROUP_LABELS[groupBy as keyof typeof GROUP_LABELS]?.toLowerCase() ?? groupBy}` : ''}
              </h2>
              <Suspense fallback={<Skeleton height={260} />}>
                <DashboardChart
                  label={`${TITLES[dashboard]}: counts`}
                  points={chartPoints(summary, COUNT_CHART[dashboard], rowLabel)}
                  metrics={COUNT_CHART[dashboard].map((key) => ({ key, title: title(key) }))}
                  format={(v) => formatMetric(v, 'count')}
                  integers
                  onDrill={drill}
                />
              </Suspense>
            </section>
          ) : null}
          {revenue
            ? perCurrency(revenue, ['won_amount', 'weighted_pipeline'], rowLabel).map(({ currency, points }) => (
                <section key={currency} className="card card-pad" aria-labelledby={`revenue-${currency}`}>
                  <h2 id={`revenue-${currency}`} className="section-title">
                    {title('won_amount')} and {title('weighted_pipeline').toLowerCase()} in {currency}
                  </h2>
                  <Suspense fallback={<Skeleton height={260} />}>
                    <DashboardChart
                      label={`Money in ${currency}`}
                      points={points}
                      metrics={['won_amount', 'weighted_pipeline'].map((key) => ({ key, title: title(key) }))}
                      format={(v) => formatMetric(v, 'money_minor', currency)}
                      onDrill={drill}
                    />
                  </Suspense>
                </section>
              ))
            : null}
          {tables.every((t) => t.rows.length === 0) ? (
            <EmptyState icon={<ChartNoAxesColumn size={22} />} title="Nothing counted in this period">
              Figures appear as records are created, moved and closed.
            </EmptyState>
          ) : null}
          {tables.map((table) => (
            <DashboardTableView
              key={table.name}
              dashboard={dashboard}
              query={query}
              table={table}
              rowLabel={rowLabel}
              pipelines={pipelines.data}
              describe={(m) => catalogue.get(m)}
            />
          ))}
          <Definitions dashboard={dashboard} metrics={metrics.data ?? []} />
        </div>
      )}
    </div>
  );
}

function Kpis({
  table,
  row,
  describe,
}: {
  table: DashboardTable;
  row: DashboardRow;
  describe: (metric: string) => Metric | undefined;
}) {
  const columns = table.columns.filter((c) => c.metric);
  return (
    <ul className="kpis dashboard-kpis" aria-label="Key figures">
      {columns.map((column) => {
        const route = row.drillDown[column.key] ? drillDownRoute(row.drillDown[column.key] ?? '') : undefined;
        const value = formatMetric(row.values[column.key] ?? null, column.unit);
        return (
          <li key={column.key} className="kpi card" title={describe(column.metric ?? '')?.definition}>
            <span className="kpi-label">{column.title}</span>
            {route && row.values[column.key] !== null ? (
              <Link className="kpi-value tabular" to={route} aria-label={`${column.title}: ${value}, show records`}>
                {value}
              </Link>
            ) : (
              <span className="kpi-value tabular">{value}</span>
            )}
          </li>
        );
      })}
    </ul>
  );
}

function DashboardTableView({
  dashboard,
  query,
  table,
  rowLabel,
  pipelines,
  describe,
}: {
  dashboard: DashboardName;
  query: Record<string, string>;
  table: DashboardTable;
  rowLabel: (row: DashboardRow) => string;
  pipelines: ReadonlyMap<string, string> | undefined;
  describe: (metric: string) => Metric | undefined;
}) {
  const toasts = useToasts();
  const [downloading, setDownloading] = useState(false);
  const download = async () => {
    setDownloading(true);
    try {
      await downloadApiCsv(`/api/v1/dashboards/${dashboard}`, { ...query, table: table.name }, `${table.name}.csv`);
    } catch (error) {
      toasts.error(error, 'The CSV could not be downloaded');
    } finally {
      setDownloading(false);
    }
  };
  const cell = (row: DashboardRow, key: string): string => {
    if (key === 'group') return rowLabel(row);
    const value = row.values[key];
    if (key === 'pipeline_id' && typeof value === 'string') return pipelines?.get(value) ?? value;
    return value === null || value === undefined || value === '' ? '—' : String(value);
  };
  const headingId = `table-${dashboard}-${table.name}`;
  return (
    <section className="card dashboard-table" aria-labelledby={headingId} data-table={table.name}>
      <div className="dashboard-table-header">
        <h2 id={headingId} className="section-title">
          {table.title}
        </h2>
        <button
          type="button"
          className="btn btn-ghost btn-sm"
          onClick={() => void download()}
          disabled={downloading}
          aria-label={`Download ${table.title} as CSV`}
        >
          <Download size={15} aria-hidden="true" /> CSV
        </button>
      </div>
      {/* Focusable, so a keyboard can scroll a table wider than a phone. */}
      <div className="table-scroll" tabIndex={0} role="region" aria-labelledby={headingId}>
        <table className="table">
          <thead>
            <tr>
              {table.columns.map((column) => (
                <th
                  key={column.key}
                  scope="col"
                  className={column.metric ? 'num' : undefined}
                  title={column.metric ? describe(column.metric)?.definition : undefined}
                >
                  {column.title}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {table.rows.length === 0 ? (
              <tr>
                <td colSpan={table.columns.length} className="subtle">
                  Nothing in this period.
                </td>
              </tr>
            ) : (
              table.rows.map((row, i) => (
                <tr key={i}>
                  {table.columns.map((column) => {
                    if (!column.metric) return <td key={column.key}>{cell(row, column.key)}</td>;
                    const currency = typeof row.values.currency === 'string' ? row.values.currency : null;
                    const value = formatMetric(row.values[column.key] ?? null, column.unit, currency);
                    const route = drillDownRoute(row.drillDown[column.key] ?? '');
                    return (
                      <td key={column.key} className="num">
                        {route && row.values[column.key] !== null ? (
                          <Link to={route} data-metric={column.key}>
                            {value}
                          </Link>
                        ) : (
                          value
                        )}
                      </td>
                    );
                  })}
                </tr>
              ))
            )}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function Definitions({ dashboard, metrics }: { dashboard: DashboardName; metrics: Metric[] }) {
  const shown = metrics.filter((m) => m.dashboards.includes(dashboard));
  if (shown.length === 0) return null;
  return (
    <details className="card card-pad metric-definitions">
      <summary>What these numbers mean</summary>
      <dl>
        {shown.map((m) => (
          <div key={m.name}>
            <dt>{m.title}</dt>
            <dd>{m.definition}</dd>
          </div>
        ))}
      </dl>
    </details>
  );
}
