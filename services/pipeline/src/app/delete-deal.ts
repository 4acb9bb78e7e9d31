import { ServiceError, type Principal } from '@crm/service-kit';
import { takesDeals } from '../domain/stage';
import { dealEvents } from '../events/deal-events';
import type { DealRecord } from '../store/deal.records';
import { requireId, type AppDeps } from './app-deps';
import { stageLookupOf } from './pipelines';
import type { Written } from './read-deals';
import { withFreshPipelines } from './stage-entry';

/** Soft delete: the record stays, and can be restored. */
export async function deleteDeal(
  deps: AppDeps,
  principal: Principal,
  id: string,
  expectedVersion: number,
): Promise<Written<DealRecord>> {
  requireId(id, 'id');
  const pipelines = await deps.pipelines.list(principal.tenantId);
  const stageOf = stageLookupOf(pipelines);
  const result = await deps.deals.update(principal, id, expectedVersion, (current) => ({
    set: { deletedAt: deps.clock() },
    messages: dealEvents({
      state: 'deal.deleted',
      previous: current,
      changedFields: [],
      stageOf,
      actor: principal,
      namespace: deps.namespace,
    }),
  }));
  return { result, known: { pipelines } };
}

/** Restores into the deal's stage, which must still take deals: a restore enters the stage as a move does. */
export function restoreDeal(
  deps: AppDeps,
  principal: Principal,
  id: string,
  expectedVersion: number,
): Promise<Written<DealRecord>> {
  requireId(id, 'id');
  return withFreshPipelines(deps, principal.tenantId, async (pipelines, assertFresh) => ({
    known: { pipelines },
    result: await deps.deals.update(
      principal,
      id,
      expectedVersion,
      (current) => {
        if (!current.deletedAt)
          throw new ServiceError('FAILED_PRECONDITION', 'The deal is not deleted', { reason: 'NOT_DELETED' });
        const stageOf = stageLookupOf(pipelines);
        const stage = stageOf(current.pipelineId, current.stageId);
        if (!stage || !takesDeals(stage))
          throw new ServiceError(
            'FAILED_PRECONDITION',
            "The deal's stage was archived; it cannot be restored into it",
            {
              reason: 'STAGE_ARCHIVED',
            },
          );
        assertFresh();
        return {
          set: { deletedAt: null },
          messages: dealEvents({
            state: 'deal.restored',
            previous: current,
            changedFields: [],
            stageOf,
            actor: principal,
            namespace: deps.namespace,
          }),
        };
      },
      { includeDeleted: true },
    ),
  }));
}
