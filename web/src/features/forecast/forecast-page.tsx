import { ChartLine } from 'lucide-react';
import { Suspense, lazy, useMemo } from 'react';
import { usePipelines } from '../../api/deals.api';
import { useForecast } from '../../api/forecast.api';
import { useAccess } from '../../app/access';
import { CATEGORY_LABELS, currenciesOf, forecastRows, type ForecastRow } from '../../domain/forecast';
import { personLabel } from '../../domain/format';
import { formatMoney } from '../../domain/money';
import { PERIOD_LABELS, periodOf, type PeriodPreset } from '../../domain/period';
import { EmptyState, ErrorPanel, PageHeader, Skeleton, SkeletonRows, Spinner } from '../../ui/misc';
import { useUrlFilters } from '../records/list-filters';

const ForecastChart = lazy(() => import('./forecast-chart').then((m) => ({ default: m.ForecastChart })));

export function ForecastPage() {
  const access = useAccess();
  const { values, set } = useUrlFilters(['period', 'group', 'pipeline', 'currency', 'from', 'to'] as const);
  const preset = (values.period || 'this-quarter') as PeriodPreset | 'custom';
  const period = preset === 'custom' ? { from: values.from, to: values.to } : periodOf(preset, new Date());
  const groupBy = values.group === 'team' ? 'team' : 'owner';
  const pipelines = usePipelines();
  const forecast = useForecast({ from: period.from, to: period.to, groupBy, pipelineId: values.pipeline || undefined });
  const currencies = forecast.data ? currenciesOf(forecast.data) : [];
  const currency = currencies.includes(values.currency) ? values.currency : (currencies[0] ?? '');
  const { rows, total } = useMemo(
    () =>
      forecast.data && currency
        ? forecastRows(forecast.data, currency)
        : { rows: [] as ForecastRow[], total: undefined },
    [forecast.data, currency],
  );
  const label = (key: string) => (groupBy === 'owner' ? personLabel(key, access.userId) : `Team ${key || '—'}`);
  const money = (minor: number) => formatMoney({ amountMinor: minor, currency });

  return (
    <div className="page">
      <PageHeader title="Forecast" subtitle={`${period.from} – ${period.to}, by expected close date`} />
      <div className="toolbar">
        <select className="select" aria-label="Period" value={preset} onChange={(e) => set('period', e.target.value)}>
          {Object.entries(PERIOD_LABELS).map(([value, text]) => (
            <option key={value} value={value}>
              {text}
            </option>
          ))}
          <option value="custom">Custom…</option>
        </select>
        {preset === 'custom' ? (
          <>
            <input
              className="input"
              style={{ width: 160 }}
              type="date"
              aria-label="From"
              value={values.from}
              onChange={(e) => set('from', e.target.value)}
            />
            <input
              className="input"
              style={{ width: 160 }}
              type="date"
              aria-label="To"
              value={values.to}
              onChange={(e) => set('to', e.target.value)}
            />
          </>
        ) : null}
        <div className="segmented" role="group" aria-label="Group by">
          <button type="button" aria-pressed={groupBy === 'owner'} onClick={() => set('group', '')}>
            By owner
          </button>
          <button type="button" aria-pressed={groupBy === 'team'} onClick={() => set('group', 'team')}>
            By team
          </button>
        </div>
        {(pipelines.data?.length ?? 0) > 1 ? (
          <select
            className="select"
            aria-label="Pipeline"
            value={values.pipeline}
            onChange={(e) => set('pipeline', e.target.value)}
          >
            <option value="">All pipelines</option>
            {pipelines.data?.map((p) => (
              <option key={p.id} value={p.id}>
                {p.name}
              </option>
            ))}
          </select>
        ) : null}
        {currencies.length > 1 ? (
          <select
            className="select"
            aria-label="Currency"
            value={currency}
            onChange={(e) => set('currency', e.target.value)}
          >
            {currencies.map((c) => (
              <option key={c}>{c}</option>
            ))}
          </select>
        ) : null}
        {forecast.isFetching ? <Spinner label="Updating" /> : null}
      </div>
      {!period.from || !period.to ? (
        <p className="subtle">Choose both dates.</p>
      ) : forecast.isPending ? (
        <SkeletonRows rows={6} />
      ) : forecast.isError && !forecast.data ? (
        <ErrorPanel error={forecast.error} onRetry={() => void forecast.refetch()} />
      ) : !total || rows.length === 0 ? (
        <EmptyState icon={<ChartLine size={22} />} title="Nothing forecast for this period">
          Deals appear here by their expected close date.
        </EmptyState>
      ) : (
        <div className="stack" style={{ gap: 16 }}>
          <div className="kpis">
            {(['closedWon', 'commit', 'bestCase', 'pipeline', 'weightedPipeline'] as const).map((key) => (
              <div key={key} className={`kpi card kpi-${key}`}>
                <span className="kpi-label">{CATEGORY_LABELS[key]}</span>
                <span className="kpi-value tabular">{money(total[key])}</span>
              </div>
            ))}
          </div>
          <div className="card card-pad">
            <Suspense fallback={<Skeleton height={280} />}>
              <ForecastChart rows={rows} currency={currency} label={label} />
            </Suspense>
          </div>
          <div className="card" style={{ overflowX: 'auto' }}>
            <table className="table">
              <caption className="visually-hidden">Forecast by {groupBy}</caption>
              <thead>
                <tr>
                  <th scope="col">{groupBy === 'owner' ? 'Owner' : 'Team'}</th>
                  <th scope="col" className="num">
                    Closed won
                  </th>
                  <th scope="col" className="num">
                    Commit
                  </th>
                  <th scope="col" className="num">
                    Best case
                  </th>
                  <th scope="col" className="num">
                    Pipeline
                  </th>
                  <th scope="col" className="num">
                    Weighted
                  </th>
                  <th scope="col" className="num">
                    Deals won / open
                  </th>
                </tr>
              </thead>
              <tbody>
                {rows.map((row) => (
                  <tr key={row.key}>
                    <th scope="row" style={{ fontWeight: 550 }}>
                      {label(row.key)}
                    </th>
                    <td className="num">{money(row.closedWon)}</td>
                    <td className="num">{money(row.commit)}</td>
                    <td className="num">{money(row.bestCase)}</td>
                    <td className="num">{money(row.pipeline)}</td>
                    <td className="num">{money(row.weightedPipeline)}</td>
                    <td className="num">
                      {row.wonDealCount} / {row.openDealCount}
                    </td>
                  </tr>
                ))}
              </tbody>
              <tfoot>
                <tr>
                  <th scope="row">Total</th>
                  <td className="num">{money(total.closedWon)}</td>
                  <td className="num">{money(total.commit)}</td>
                  <td className="num">{money(total.bestCase)}</td>
                  <td className="num">{money(total.pipeline)}</td>
                  <td className="num">{money(total.weightedPipeline)}</td>
                  <td className="num">
                    {total.wonDealCount} / {total.openDealCount}
                  </td>
                </tr>
              </tfoot>
            </table>
          </div>
        </div>
      )}
    </div>
  );
}
