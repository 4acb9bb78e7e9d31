import { forecastDateOf } from '../domain/deal';
import { foldChanges, projectionChanges, type DealFacts, type ProjectionChange } from '../domain/projection';
import type { DealDocument } from '../store/deal.schema';
import type { AppDeps } from './app-deps';

export function dealFacts(deal: Pick<DealDocument, 'pipelineId' | 'stageId' | 'status' | 'ownerId' | 'teamId' | 'currency' | 'amountMinor' | 'closedAt' | 'expectedCloseDate' | 'deletedAt'>): DealFacts {
  return {
    pipelineId: deal.pipelineId,
    stageId: deal.stageId,
    status: deal.status,
    ownerId: deal.ownerId,
    teamId: deal.teamId,
    currency: deal.currency,
    amountMinor: deal.amountMinor,
    forecastDate: forecastDateOf(deal),
    deleted: Boolean(deal.deletedAt),
  };
}

/**
 * Recomputes a tenant's board and forecast projections from its deals: after a restore from backup, a bulk
 * import, or a bug. Run it while the tenant is quiet (see ProjectionRepository.replaceTenant).
 */
export async function rebuildProjections(deps: Pick<AppDeps, 'deals' | 'projections'>, tenantId: string, progress: (deals: number) => void = () => undefined): Promise<{ deals: number; documents: number }> {
  const changes: ProjectionChange[] = [];
  let deals = 0;
  for await (const batch of deps.deals.scanTenant(tenantId)) {
    for (const deal of batch) changes.push(...projectionChanges(undefined, dealFacts(deal)));
    deals += batch.length;
    // Folding as we go keeps memory to the number of cells, not of deals.
    const folded = [...foldChanges(changes).values()];
    changes.splice(0, changes.length, ...folded);
    progress(deals);
  }
  const documents = await deps.projections.replaceTenant(tenantId, foldChanges(changes).values());
  return { deals, documents };
}
