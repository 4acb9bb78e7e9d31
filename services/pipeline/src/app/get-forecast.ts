import type { Principal } from '@crm/service-kit';
import type { DateRange } from '../domain/calendar-date';
import { computeForecast, resolvePeriod, type ForecastResult, type PeriodRequest } from '../domain/forecast';
import { assertMaySeeDeals, type AppDeps } from './app-deps';
import { stageLookupOf } from './pipelines';

export interface Forecast extends ForecastResult {
  range: DateRange;
}

/** The period's deals the caller may see, summed by the read model; the domain sorts the sums into categories. */
export async function getForecast(
  deps: AppDeps,
  principal: Principal,
  period: PeriodRequest,
  pipelineId: string,
): Promise<Forecast> {
  assertMaySeeDeals(principal);
  const range = resolvePeriod(period);
  const [pipelines, cells] = await Promise.all([
    deps.pipelines.list(principal.tenantId),
    deps.dealsView.forecastCells(principal, range, pipelineId),
  ]);
  return { range, ...computeForecast(cells, stageLookupOf(pipelines)) };
}
