// Forecast figures per group in one currency, shaped for the table and the stacked chart.
import type { Forecast, ForecastFigures } from '../api/types';
import { minorDigits } from './money';

export const FORECAST_CATEGORIES = ['closedWon', 'commit', 'bestCase', 'pipeline'] as const;
export type ForecastCategory = (typeof FORECAST_CATEGORIES)[number];

export const CATEGORY_LABELS: Record<ForecastCategory | 'weightedPipeline', string> = {
  closedWon: 'Closed won',
  commit: 'Commit',
  bestCase: 'Best case',
  pipeline: 'Pipeline',
  weightedPipeline: 'Weighted pipeline',
};

export interface ForecastRow {
  key: string;
  /** Minor units per category. */
  closedWon: number;
  commit: number;
  bestCase: number;
  pipeline: number;
  weightedPipeline: number;
  wonDealCount: number;
  openDealCount: number;
}

function minor(value: unknown): number {
  const money = value as { amountMinor?: unknown } | null | undefined;
  return typeof money?.amountMinor === 'number' ? money.amountMinor : 0;
}

function rowOf(key: string, figures: ForecastFigures | undefined): ForecastRow {
  return {
    key,
    closedWon: minor(figures?.closedWon),
    commit: minor(figures?.commit),
    bestCase: minor(figures?.bestCase),
    pipeline: minor(figures?.pipeline),
    weightedPipeline: minor(figures?.weightedPipeline),
    wonDealCount: figures?.wonDealCount ?? 0,
    openDealCount: figures?.openDealCount ?? 0,
  };
}

export function currenciesOf(forecast: Forecast): string[] {
  const all = new Set<string>();
  for (const t of forecast.totals) if (t.currency) all.add(t.currency);
  for (const g of forecast.groups) for (const f of g.figures) if (f.currency) all.add(f.currency);
  return [...all].sort();
}

/** One row per group in the currency, largest committed-or-won first, and the total row. */
export function forecastRows(forecast: Forecast, currency: string): { rows: ForecastRow[]; total: ForecastRow } {
  const rows = forecast.groups
    .map((g) =>
      rowOf(
        g.key,
        g.figures.find((f) => f.currency === currency),
      ),
    )
    .filter((r) => r.wonDealCount + r.openDealCount > 0 || r.closedWon + r.commit + r.bestCase + r.pipeline > 0)
    .sort((a, b) => b.closedWon + b.commit - (a.closedWon + a.commit) || a.key.localeCompare(b.key));
  return {
    rows,
    total: rowOf(
      'total',
      forecast.totals.find((t) => t.currency === currency),
    ),
  };
}

/** Major units for a chart axis. */
export function toMajor(amountMinor: number, currency: string): number {
  return amountMinor / 10 ** minorDigits(currency);
}
