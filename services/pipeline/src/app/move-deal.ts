import { ServiceError, type Change, type Principal } from '@crm/service-kit';
import { forecastDateOf } from '../domain/deal';
import { invalidFields } from '../domain/invalid-fields';
import { rankBetween, RankError } from '../domain/rank';
import type { Stage } from '../domain/stage';
import { moveToStage, reopenTarget, type MoveOutcome } from '../domain/stage-move';
import { dealEvents } from '../events/deal-events';
import type { DealRecord } from '../store/deal.records';
import type { PipelineRecord } from '../store/pipeline.records';
import { requireId, type AppDeps } from './app-deps';
import { stageLookupOf } from './pipelines';
import type { Written } from './read-deals';
import { withFreshPipelines } from './stage-entry';

export interface MoveRequest {
  id: string;
  expectedVersion: number;
  /** Empty keeps the stage: a reorder within the column. */
  stageId: string;
  afterDealId: string;
  beforeDealId: string;
  lostReason: string;
}

/**
 * The board's drag and drop. Of concurrent moves with the same expected version exactly one wins (the kit's
 * event insert is the compare-and-set); the others get FAILED_PRECONDITION.
 */
export async function moveDeal(
  deps: AppDeps,
  principal: Principal,
  request: MoveRequest,
): Promise<Written<DealRecord>> {
  requireId(request.id, 'id');
  const placed = Boolean(request.afterDealId || request.beforeDealId);
  // The column a placement is in must be known before the write, to read the neighbours' ranks.
  const targetStageId =
    request.stageId || (placed ? (await deps.deals.get(principal, request.id)).stageId : request.stageId);
  const rank = placed ? await rankBetweenNeighbours(deps, principal, request, targetStageId) : undefined;
  return withFreshPipelines(deps, principal.tenantId, async (pipelines, assertFresh) => ({
    known: { pipelines },
    result: await deps.deals.update(principal, request.id, request.expectedVersion, (current) => {
      const target = locateStage(pipelines, targetStageId || current.stageId, current.pipelineId);
      const stageChanges = target.stage.id !== current.stageId;
      if (!stageChanges && !placed)
        throw invalidFields([
          {
            field: 'stageId',
            description: 'is the stage the deal is already in; name another stage or a place in the column',
          },
        ]);
      const nextRank = rank ?? current.rank;
      if (!stageChanges) return change(deps, principal, current, { rank: nextRank }, undefined, pipelines, ['rank']);
      const outcome = moveToStage({
        deal: current,
        to: target.stage,
        lostReason: request.lostReason,
        by: principal.userId,
        now: deps.clock(),
      });
      assertFresh();
      return change(
        deps,
        principal,
        current,
        { ...outcomeFields(outcome), pipelineId: target.pipeline._id, rank: nextRank },
        outcome,
        pipelines,
        ['stage_id', ...(target.pipeline._id !== current.pipelineId ? ['pipeline_id'] : [])],
      );
    }),
  }));
}

/** Reopens a won or lost deal into an open stage: the one asked for, or the last open stage it was in. */
export function reopenDeal(
  deps: AppDeps,
  principal: Principal,
  id: string,
  expectedVersion: number,
  stageId: string,
): Promise<Written<DealRecord>> {
  requireId(id, 'id');
  return withFreshPipelines(deps, principal.tenantId, async (pipelines, assertFresh) => ({
    known: { pipelines },
    result: await deps.deals.update(principal, id, expectedVersion, (current) => {
      const pipeline = pipelines.find((p) => p._id === current.pipelineId);
      if (!pipeline)
        throw new ServiceError('FAILED_PRECONDITION', "The deal's pipeline no longer exists", {
          reason: 'PIPELINE_MISSING',
        });
      const target = reopenTarget(current, pipeline.stages, stageId);
      const outcome = moveToStage({
        deal: current,
        to: target,
        lostReason: '',
        by: principal.userId,
        now: deps.clock(),
      });
      assertFresh();
      return change(deps, principal, current, outcomeFields(outcome), outcome, pipelines, ['stage_id']);
    }),
  }));
}

function locateStage(
  pipelines: readonly PipelineRecord[],
  stageId: string,
  preferredPipelineId: string,
): { pipeline: PipelineRecord; stage: Stage } {
  // A deal usually moves within its pipeline; a stage of another pipeline moves it there.
  const ordered = [...pipelines].sort(
    (a, b) => Number(b._id === preferredPipelineId) - Number(a._id === preferredPipelineId),
  );
  for (const pipeline of ordered) {
    const stage = pipeline.stages.find((s) => s.id === stageId);
    if (stage) return { pipeline, stage };
  }
  throw invalidFields([{ field: 'stageId', description: 'is not a stage of any pipeline' }]);
}

/** Neighbours are deals the caller sees in the target column; out of order means the caller's board is stale. */
async function rankBetweenNeighbours(
  deps: AppDeps,
  principal: Principal,
  request: MoveRequest,
  stageId: string,
): Promise<string> {
  const neighbour = async (id: string, field: string): Promise<string | null> => {
    if (!id) return null;
    if (id === request.id) throw invalidFields([{ field, description: 'is the deal being moved' }]);
    const deal = await deps.deals.find(principal, id);
    if (!deal || deal.stageId !== stageId)
      throw invalidFields([{ field, description: 'is not a deal in the target stage' }]);
    return deal.rank;
  };
  const [after, before] = await Promise.all([
    neighbour(request.afterDealId, 'afterDealId'),
    neighbour(request.beforeDealId, 'beforeDealId'),
  ]);
  try {
    return rankBetween(after, before);
  } catch (error) {
    if (!(error instanceof RankError)) throw error;
    throw new ServiceError(
      'FAILED_PRECONDITION',
      'The neighbouring deals are no longer in that order; reload the board and try again',
      { reason: 'RANK_CONFLICT' },
    );
  }
}

function outcomeFields(outcome: MoveOutcome): Partial<DealRecord> {
  return {
    stageId: outcome.stageId,
    status: outcome.status,
    lostReason: outcome.lostReason,
    closedAt: outcome.closedAt,
    stageHistory: outcome.stageHistory,
  };
}

function change(
  deps: AppDeps,
  principal: Principal,
  current: DealRecord,
  changes: Partial<DealRecord>,
  outcome: MoveOutcome | undefined,
  pipelines: readonly PipelineRecord[],
  changedFields: string[],
): Change<DealRecord> {
  const forecastDate = forecastDateOf({ ...current, ...changes });
  return {
    set: { ...changes, forecastDate },
    messages: dealEvents({
      state: outcome ? 'deal.stage_changed' : 'deal.updated',
      signal: outcome?.signal,
      previous: current,
      changedFields: outcome?.signal === 'lost' ? [...changedFields, 'lost_reason'] : changedFields,
      stageOf: stageLookupOf(pipelines),
      actor: principal,
      namespace: deps.namespace,
    }),
  };
}
