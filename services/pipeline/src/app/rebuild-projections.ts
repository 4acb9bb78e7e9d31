import { forecastDateOf } from '../domain/deal';
import { foldChanges, projectionChanges, type DealFacts, type ProjectionChange } from '../domain/projection';
import { headOf, keepFirst, type HeadEntry } from '../domain/column-head';
import type { Column } from '../store/column-head.repository';
import { columnOf } from '../store/deal.repository';
import type { DealDocument } from '../store/deal.schema';
import type { AppDeps } from './app-deps';

export function dealFacts(
  deal: Pick<
    DealDocument,
    | 'pipelineId'
    | 'stageId'
    | 'status'
    | 'ownerId'
    | 'teamId'
    | 'currency'
    | 'amountMinor'
    | 'closedAt'
    | 'expectedCloseDate'
    | 'deletedAt'
  >,
): DealFacts {
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
 * Recomputes a tenant's board and forecast projections, and the heads of its board columns, from its deals in one
 * pass: after a restore from backup, a bulk import, or a bug. Run it while the tenant is quiet (see
 * ProjectionRepository.replaceTenant).
 */
export async function rebuildProjections(
  deps: Pick<AppDeps, 'deals' | 'projections' | 'heads'>,
  tenantId: string,
  progress: (deals: number) => void = () => undefined,
): Promise<{ deals: number; documents: number; heads: number }> {
  const changes: ProjectionChange[] = [];
  const firsts = new Map<string, { column: Column; entries: HeadEntry[] }>();
  let deals = 0;
  for await (const batch of deps.deals.scanTenant(tenantId)) {
    for (const deal of batch) {
      changes.push(...projectionChanges(undefined, dealFacts(deal)));
      collectFirst(firsts, deal, deps.heads.size + 1);
    }
    deals += batch.length;
    // Folding as we go keeps memory to the number of cells, not of deals.
    const folded = [...foldChanges(changes).values()];
    changes.splice(0, changes.length, ...folded);
    progress(deals);
  }
  const documents = await deps.projections.replaceTenant(tenantId, foldChanges(changes).values());
  for (const { column, entries } of firsts.values())
    await deps.heads.repository.rebuild(column, async () => headOf(entries, deps.heads.size));
  return { deals, documents, heads: firsts.size };
}

function collectFirst(
  firsts: Map<string, { column: Column; entries: HeadEntry[] }>,
  deal: DealDocument,
  count: number,
): void {
  const column = columnOf(deal);
  if (!column) return;
  const key = `${column.pipelineId}:${column.stageId}`;
  const kept = firsts.get(key) ?? { column, entries: [] };
  firsts.set(key, { column, entries: keepFirst(kept.entries, { id: deal._id, rank: deal.rank }, count) });
}
