import { describe, expect, it } from 'vitest';
import {
  chartPoints,
  currenciesOf,
  dashboardQuery,
  drillDownQuery,
  drillDownRoute,
  fileNameOf,
  formatMetric,
  groupLabel,
  perCurrency,
  recordHref,
  scopeOf,
  type DashboardTable,
} from './dashboard';

const revenue: DashboardTable = {
  name: 'revenue',
  title: 'Revenue and velocity by currency',
  columns: [
    { key: 'group', title: 'Owner', unit: 'text', metric: null },
    { key: 'currency', title: 'Currency', unit: 'text', metric: null },
    { key: 'won_amount', title: 'Won amount', unit: 'money_minor', metric: 'won_amount' },
  ],
  rows: [
    { values: { group: 'u1', currency: 'EUR', won_amount: 1000 }, drillDown: { won_amount: '/e1' } },
    { values: { group: 'u1', currency: 'USD', won_amount: 7000 }, drillDown: { won_amount: '/u1' } },
    { values: { group: 'u2', currency: 'EUR', won_amount: 500 }, drillDown: { won_amount: '/e2' } },
    { values: { group: 'u2', currency: 'USD', won_amount: null }, drillDown: { won_amount: '/u2' } },
  ],
};

describe('dashboard request', () => {
  it('sends a named period for the API to resolve in the tenant’s zone, or both custom dates', () => {
    expect(
      dashboardQuery('sales', { period: 'last_quarter', from: '', to: '', groupBy: 'owner', currency: '' }),
    ).toEqual({ period: 'last_quarter', groupBy: 'owner' });
    expect(
      dashboardQuery('sales', { period: 'custom', from: '2026-01-01', to: '2026-03-31', groupBy: '', currency: 'EUR' }),
    ).toEqual({ from: '2026-01-01', to: '2026-03-31', currency: 'EUR' });
  });

  it('drops what the API would refuse: pipeline groups on support, odd periods and currencies', () => {
    expect(
      dashboardQuery('support', { period: 'fortnight', from: '', to: '', groupBy: 'pipeline', currency: 'eur' }),
    ).toEqual({ period: 'this_month' });
  });
});

describe('figures', () => {
  it('formats each unit and shows an undefined figure as a dash, not 0', () => {
    expect(formatMetric(0.4567, 'ratio')).toBe('45.7%');
    expect(formatMetric(12, 'count')).toBe('12');
    expect(formatMetric(3.25, 'days')).toBe('3.3 d');
    expect(formatMetric(1.5, 'hours')).toBe('1.5 h');
    expect(formatMetric(1_250_050, 'money_minor', 'EUR')).toMatch(/12,500\.5/);
    expect(formatMetric(500, 'money_minor', 'JPY')).toMatch(/500/);
    expect(formatMetric(10_000, 'money_minor_per_day', 'USD')).toMatch(/\$100\/day$/);
    expect(formatMetric(null, 'ratio')).toBe('—');
  });

  it('names groups for people', () => {
    expect(groupLabel(null, null)).toBe('All');
    expect(groupLabel('owner', 'me-id', { me: 'me-id' })).toBe('You');
    expect(groupLabel('owner', '')).toBe('Unassigned');
    expect(groupLabel('pipeline', 'p1', { pipelines: new Map([['p1', 'Enterprise']]) })).toBe('Enterprise');
    expect(groupLabel('source', '')).toBe('No source');
    expect(groupLabel('month', '2026-03')).toBe('2026-03');
  });
});

describe('money per currency', () => {
  it('splits money rows into one series per currency and never adds them up', () => {
    const series = perCurrency(revenue, ['won_amount'], (row) => String(row.values.group));
    expect(series).toEqual([
      {
        currency: 'EUR',
        points: [
          { label: 'u1', values: { won_amount: 1000 }, drillDown: { won_amount: '/e1' } },
          { label: 'u2', values: { won_amount: 500 }, drillDown: { won_amount: '/e2' } },
        ],
      },
      {
        currency: 'USD',
        points: [
          { label: 'u1', values: { won_amount: 7000 }, drillDown: { won_amount: '/u1' } },
          { label: 'u2', values: { won_amount: null }, drillDown: { won_amount: '/u2' } },
        ],
      },
    ]);
    expect(currenciesOf([revenue])).toEqual(['EUR', 'USD']);
  });

  it('keeps one point per row for count charts', () => {
    expect(chartPoints(revenue, ['won_amount'], () => 'x')).toHaveLength(4);
  });
});

describe('drill-down', () => {
  it('maps the API’s drill-down URL to the app’s screen and back, keeping empty groups', () => {
    const api = '/api/v1/dashboards/sales/records?metric=won_deals&from=2026-01-01&to=2026-01-31&groupBy=source&group=';
    const route = drillDownRoute(api);
    expect(route).toBe(
      '/dashboards/sales/records?metric=won_deals&from=2026-01-01&to=2026-01-31&groupBy=source&group=',
    );
    expect(drillDownQuery(new URLSearchParams(route?.split('?')[1]))).toEqual({
      metric: 'won_deals',
      from: '2026-01-01',
      to: '2026-01-31',
      groupBy: 'source',
      group: '',
    });
    expect(drillDownRoute('https://elsewhere.example/x')).toBeUndefined();
    expect(drillDownQuery(new URLSearchParams('metric=csat&evil=1&currency='))).toEqual({ metric: 'csat' });
  });

  it('links each record kind to its screen', () => {
    expect(recordHref('deal', 'd 1')).toBe('/deals/d%201');
    expect(recordHref('ticket', 't1')).toBe('/tickets/t1');
    expect(recordHref('run', 'r1')).toBeUndefined();
  });

  it('says whose figures are shown and names the CSV as the server does', () => {
    expect(scopeOf(['sales-rep'])).toBe('Your own figures');
    expect(scopeOf(['support-manager'])).toBe('Figures of your teams and yours');
    expect(scopeOf(['crm-admin', 'sales-rep'])).toBe('Figures of the whole tenant');
    expect(fileNameOf('attachment; filename="sales-summary-2026-01-01-2026-01-31.csv"', 'x.csv')).toBe(
      'sales-summary-2026-01-01-2026-01-31.csv',
    );
    expect(fileNameOf(null, 'x.csv')).toBe('x.csv');
  });
});
