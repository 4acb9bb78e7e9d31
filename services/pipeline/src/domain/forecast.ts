// The forecast of a period: per group (owner, team) and currency, what was won and what is expected.
import { invalidFields } from './invalid-fields';
import { isCalendarDate, monthRange, monthsOf, quarterRange, type DateRange } from './calendar-date';
import type { Stage } from './stage';

/** The deals of one owner, team, pipeline, stage and currency in the period: a row of the read model's aggregate. */
export interface ForecastCell {
  ownerId: string;
  teamId: string;
  pipelineId: string;
  stageId: string;
  currency: string;
  count: number;
  amountMinor: number;
}

export interface ForecastFigures {
  currency: string;
  closedWon: number;
  commit: number;
  bestCase: number;
  pipeline: number;
  weightedPipeline: number;
  wonDealCount: number;
  openDealCount: number;
}

export interface ForecastResult {
  byOwner: Array<{ ownerId: string; figures: ForecastFigures[] }>;
  byTeam: Array<{ teamId: string; figures: ForecastFigures[] }>;
  totals: ForecastFigures[];
}

export interface PeriodRequest {
  month?: string;
  quarter?: string;
  range?: { startDate: string; endDate: string };
}

/** A custom range may span at most this many months. */
export const MAX_FORECAST_MONTHS = 24;

export function resolvePeriod(request: PeriodRequest): DateRange {
  if (request.month !== undefined) {
    const range = monthRange(request.month);
    if (!range) throw invalidFields([{ field: 'month', description: 'must be a month such as 2025-03' }]);
    return range;
  }
  if (request.quarter !== undefined) {
    const range = quarterRange(request.quarter);
    if (!range) throw invalidFields([{ field: 'quarter', description: 'must be a quarter such as 2025-Q1' }]);
    return range;
  }
  if (request.range) {
    const { startDate, endDate } = request.range;
    const violations = [];
    if (!isCalendarDate(startDate))
      violations.push({ field: 'range.startDate', description: 'must be a calendar date such as 2025-01-01' });
    if (!isCalendarDate(endDate))
      violations.push({ field: 'range.endDate', description: 'must be a calendar date such as 2025-03-31' });
    if (violations.length > 0) throw invalidFields(violations);
    if (endDate < startDate)
      throw invalidFields([{ field: 'range.endDate', description: 'must not be before the start date' }]);
    const range = { start: startDate, end: endDate };
    if (monthsOf(range).length > MAX_FORECAST_MONTHS)
      throw invalidFields([{ field: 'range', description: `may span at most ${MAX_FORECAST_MONTHS} months` }]);
    return range;
  }
  throw invalidFields([{ field: 'period', description: 'one of month, quarter or range is required' }]);
}

interface Accumulator {
  closedWon: number;
  commit: number;
  bestCase: number;
  pipeline: number;
  /** Σ amount × probability, divided by 100 once at the end. */
  weightedHundredths: number;
  wonDealCount: number;
  openDealCount: number;
}

/**
 * Cells must already be limited to the period and to what the caller may see. Won deals count as closed won;
 * open deals by their stage's forecast category, and (unless omitted) weighted by its probability; lost deals
 * and cells of unknown stages count nowhere.
 */
export function computeForecast(
  cells: readonly ForecastCell[],
  stageOf: (pipelineId: string, stageId: string) => Stage | undefined,
): ForecastResult {
  const byOwner = new Map<string, Map<string, Accumulator>>();
  const byTeam = new Map<string, Map<string, Accumulator>>();
  const totals = new Map<string, Accumulator>();
  for (const cell of cells) {
    const stage = stageOf(cell.pipelineId, cell.stageId);
    if (!stage || stage.kind === 'lost') continue;
    for (const into of [bucket(byOwner, cell.ownerId), bucket(byTeam, cell.teamId), totals])
      addCell(accumulator(into, cell.currency), cell, stage);
  }
  return {
    byOwner: [...byOwner.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([ownerId, m]) => ({ ownerId, figures: figuresOf(m) })),
    byTeam: [...byTeam.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([teamId, m]) => ({ teamId, figures: figuresOf(m) })),
    totals: figuresOf(totals),
  };
}

function addCell(acc: Accumulator, cell: ForecastCell, stage: Stage): void {
  if (stage.kind === 'won') {
    acc.closedWon += cell.amountMinor;
    acc.wonDealCount += cell.count;
    return;
  }
  if (stage.forecastCategory === 'omitted') return;
  acc.openDealCount += cell.count;
  acc.weightedHundredths += cell.amountMinor * stage.probability;
  if (stage.forecastCategory === 'commit') acc.commit += cell.amountMinor;
  else if (stage.forecastCategory === 'best_case') acc.bestCase += cell.amountMinor;
  else if (stage.forecastCategory === 'pipeline') acc.pipeline += cell.amountMinor;
}

function bucket(groups: Map<string, Map<string, Accumulator>>, key: string): Map<string, Accumulator> {
  const existing = groups.get(key);
  if (existing) return existing;
  const created = new Map<string, Accumulator>();
  groups.set(key, created);
  return created;
}

function accumulator(byCurrency: Map<string, Accumulator>, currency: string): Accumulator {
  const existing = byCurrency.get(currency);
  if (existing) return existing;
  const created: Accumulator = {
    closedWon: 0,
    commit: 0,
    bestCase: 0,
    pipeline: 0,
    weightedHundredths: 0,
    wonDealCount: 0,
    openDealCount: 0,
  };
  byCurrency.set(currency, created);
  return created;
}

function figuresOf(byCurrency: Map<string, Accumulator>): ForecastFigures[] {
  return [...byCurrency.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([currency, acc]) => ({
      currency,
      closedWon: acc.closedWon,
      commit: acc.commit,
      bestCase: acc.bestCase,
      pipeline: acc.pipeline,
      weightedPipeline: Math.round(acc.weightedHundredths / 100),
      wonDealCount: acc.wonDealCount,
      openDealCount: acc.openDealCount,
    }));
}
