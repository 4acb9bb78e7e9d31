import { describe, expect, it } from 'vitest';
import { currenciesOf, forecastRows } from './forecast';
import { periodOf } from './period';
import type { Forecast } from '../api/types';

describe('forecast periods', () => {
  const day = new Date(2025, 10, 14); // 14 November 2025
  it('computes month, quarter and year ranges', () => {
    expect(periodOf('this-month', day)).toEqual({ from: '2025-11-01', to: '2025-11-30' });
    expect(periodOf('next-month', day)).toEqual({ from: '2025-12-01', to: '2025-12-31' });
    expect(periodOf('this-quarter', day)).toEqual({ from: '2025-10-01', to: '2025-12-31' });
    expect(periodOf('next-quarter', day)).toEqual({ from: '2026-01-01', to: '2026-03-31' });
    expect(periodOf('this-year', day)).toEqual({ from: '2025-01-01', to: '2025-12-31' });
    expect(periodOf('this-month', new Date(2024, 1, 10))).toEqual({ from: '2024-02-01', to: '2024-02-29' });
  });
});

describe('forecast rows', () => {
  const money = (amountMinor: number) => ({ amountMinor, currency: 'EUR' });
  const forecast = {
    from: '2025-10-01',
    to: '2025-12-31',
    groupBy: 'owner',
    groups: [
      {
        key: 'u1',
        figures: [
          {
            currency: 'EUR',
            closedWon: money(100),
            commit: money(50),
            bestCase: null,
            pipeline: money(10),
            weightedPipeline: money(5),
            wonDealCount: 1,
            openDealCount: 2,
          },
        ],
      },
      {
        key: 'u2',
        figures: [
          {
            currency: 'EUR',
            closedWon: money(500),
            commit: null,
            bestCase: null,
            pipeline: null,
            weightedPipeline: null,
            wonDealCount: 2,
            openDealCount: 0,
          },
        ],
      },
      {
        key: 'u3',
        figures: [
          {
            currency: 'USD',
            closedWon: null,
            commit: { amountMinor: 7, currency: 'USD' },
            bestCase: null,
            pipeline: null,
            weightedPipeline: null,
            wonDealCount: 0,
            openDealCount: 1,
          },
        ],
      },
    ],
    totals: [
      {
        currency: 'EUR',
        closedWon: money(600),
        commit: money(50),
        bestCase: null,
        pipeline: money(10),
        weightedPipeline: money(5),
        wonDealCount: 3,
        openDealCount: 2,
      },
      {
        currency: 'USD',
        closedWon: null,
        commit: { amountMinor: 7, currency: 'USD' },
        bestCase: null,
        pipeline: null,
        weightedPipeline: null,
        wonDealCount: 0,
        openDealCount: 1,
      },
    ],
  } as Forecast;

  it('lists the currencies and the groups of one currency, biggest won + commit first', () => {
    expect(currenciesOf(forecast)).toEqual(['EUR', 'USD']);
    const { rows, total } = forecastRows(forecast, 'EUR');
    expect(rows.map((r) => r.key)).toEqual(['u2', 'u1']);
    expect(rows[1]).toMatchObject({ closedWon: 100, commit: 50, bestCase: 0, weightedPipeline: 5, openDealCount: 2 });
    expect(total).toMatchObject({ closedWon: 600, wonDealCount: 3 });
  });
});
