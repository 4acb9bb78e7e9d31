import { ServiceError, versionMismatch, type Principal } from '@crm/service-kit';
import { dealEvents } from '../events/deal-events';
import type { DealDocument } from '../store/deal.schema';
import { requireId, withStageGate, type AppDeps } from './app-deps';
import { tenantStageLookup } from './pipelines';

/** Soft delete: the document stays, carrying its last event, and can be restored. */
export async function deleteDeal(
  deps: AppDeps,
  principal: Principal,
  id: string,
  expectedVersion: number,
): Promise<DealDocument> {
  requireId(id, 'id');
  const current = await deps.deals.getById(principal, id);
  if (current.version !== expectedVersion) throw versionMismatch(expectedVersion, current.version);
  const deletedAt = new Date();
  const next = { ...current, deletedAt };
  const events = dealEvents({
    state: 'deal.deleted',
    previous: current,
    next,
    changedFields: [],
    stageOf: await tenantStageLookup(deps, principal.tenantId),
    actor: principal,
    namespace: deps.namespace,
  });
  return deps.deals.updateVersioned(principal, id, expectedVersion, { update: { $set: { deletedAt } }, events });
}

/** Restores into the deal's stage, which must still be active (under its gate, as every entry into a stage). */
export async function restoreDeal(
  deps: AppDeps,
  principal: Principal,
  id: string,
  expectedVersion: number,
): Promise<DealDocument> {
  requireId(id, 'id');
  const current = await deps.deals.getById(principal, id, { includeDeleted: true });
  if (current.version !== expectedVersion) throw versionMismatch(expectedVersion, current.version);
  if (!current.deletedAt)
    throw new ServiceError('FAILED_PRECONDITION', 'The deal is not deleted', { reason: 'NOT_DELETED' });
  return withStageGate(deps, current.stageId, async () => {
    const stageOf = await tenantStageLookup(deps, principal.tenantId);
    const stage = stageOf(current.pipelineId, current.stageId);
    if (!stage || stage.archived)
      throw new ServiceError('FAILED_PRECONDITION', "The deal's stage was archived; it cannot be restored into it", {
        reason: 'STAGE_ARCHIVED',
      });
    const next = { ...current, deletedAt: null };
    const events = dealEvents({
      state: 'deal.restored',
      previous: current,
      next,
      changedFields: [],
      stageOf,
      actor: principal,
      namespace: deps.namespace,
    });
    return deps.deals.updateVersioned(principal, id, expectedVersion, {
      update: { $set: { deletedAt: null } },
      events,
      includeDeleted: true,
    });
  });
}
