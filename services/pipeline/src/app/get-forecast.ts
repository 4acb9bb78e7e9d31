import type { Principal } from '@crm/service-kit';
import { monthsOf, type DateRange } from '../domain/calendar-date';
import { computeForecast, resolvePeriod, type ForecastResult, type PeriodRequest } from '../domain/forecast';
import { visibilityPredicate } from '../store/scope-matcher';
import { assertMaySeeDeals, type AppDeps } from './app-deps';
import { stageLookupOf } from './pipelines';

export interface Forecast extends ForecastResult {
  range: DateRange;
}

/** Reads the month projections the period touches (one document each, by id) and sums what the caller may see. */
export async function getForecast(deps: AppDeps, principal: Principal, period: PeriodRequest, pipelineId: string): Promise<Forecast> {
  assertMaySeeDeals(principal);
  const range = resolvePeriod(period);
  const [pipelines, cells] = await Promise.all([deps.pipelines.list(principal.tenantId), deps.projections.forecastCells(principal.tenantId, monthsOf(range))]);
  const visible = visibilityPredicate(principal, 'deals');
  const inScope = cells.filter(
    (cell) => cell.date >= range.start && cell.date <= range.end && (!pipelineId || cell.pipelineId === pipelineId) && visible({ tenantId: principal.tenantId, ownerId: cell.ownerId, teamId: cell.teamId }),
  );
  return { range, ...computeForecast(inScope, stageLookupOf(pipelines)) };
}
