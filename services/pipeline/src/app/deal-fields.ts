import { validateDefinitionsOrThrow, type Principal } from '@crm/service-kit';
import type { DealSettings } from '../store/deal-settings.records';
import { assertAdmin, assertMaySeeDeals, type AppDeps } from './app-deps';

export function getDealFieldDefinitions(deps: AppDeps, principal: Principal): Promise<DealSettings> {
  assertMaySeeDeals(principal);
  return deps.settings.get(principal.tenantId);
}

/** The complete set, checked by the kit's rules against what is stored: fields are archived, never dropped. */
export async function setDealFieldDefinitions(
  deps: AppDeps,
  principal: Principal,
  input: unknown[],
  expectedVersion: number,
): Promise<DealSettings> {
  assertAdmin(principal);
  const current = await deps.settings.get(principal.tenantId);
  const definitions = validateDefinitionsOrThrow(input, { previous: current.customFields });
  return deps.settings.save(principal, expectedVersion, definitions);
}
