import type { Principal } from '@crm/service-kit';
import { monthRange, monthsOf, type DateRange } from '../domain/calendar-date';
import { computeForecast, resolvePeriod, type ForecastResult, type PeriodRequest } from '../domain/forecast';
import { visibilityPredicate } from '../store/scope-matcher';
import { assertMaySeeDeals, type AppDeps } from './app-deps';
import { stageLookupOf } from './pipelines';

export interface Forecast extends ForecastResult {
  range: DateRange;
}

/**
 * Reads one projection document per month the period touches, by id: the small per-month one for months the
 * period covers whole, the per-day one for the months at its edges. Then sums what the caller may see.
 */
export async function getForecast(
  deps: AppDeps,
  principal: Principal,
  period: PeriodRequest,
  pipelineId: string,
): Promise<Forecast> {
  assertMaySeeDeals(principal);
  const range = resolvePeriod(period);
  const months = monthsOf(range).map((month) => ({
    month,
    grain: coversWholeMonth(range, month) ? ('month' as const) : ('day' as const),
  }));
  const [pipelines, cells] = await Promise.all([
    deps.pipelines.list(principal.tenantId),
    deps.projections.forecastCells(principal.tenantId, months),
  ]);
  const visible = visibilityPredicate(principal, 'deals');
  const inPeriod = (date: string) => date.length === 7 || (date >= range.start && date <= range.end);
  const inScope = cells.filter(
    (cell) =>
      inPeriod(cell.date) &&
      (!pipelineId || cell.pipelineId === pipelineId) &&
      visible({ tenantId: principal.tenantId, ownerId: cell.ownerId, teamId: cell.teamId }),
  );
  return { range, ...computeForecast(inScope, stageLookupOf(pipelines)) };
}

function coversWholeMonth(range: DateRange, month: string): boolean {
  const whole = monthRange(month);
  return whole !== undefined && range.start <= whole.start && range.end >= whole.end;
}
