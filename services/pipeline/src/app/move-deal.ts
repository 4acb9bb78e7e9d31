import { ServiceError, versionMismatch, type Principal } from '@crm/service-kit';
import { forecastDateOf } from '../domain/deal';
import { invalidFields } from '../domain/invalid-fields';
import { rankBetween, RankError } from '../domain/rank';
import type { Stage } from '../domain/stage';
import { moveToStage, reopenTarget, type MoveOutcome } from '../domain/stage-move';
import { dealEvents } from '../events/deal-events';
import type { DealDocument } from '../store/deal.schema';
import type { PipelineDocument } from '../store/pipeline.repository';
import { requireId, withStageGate, type AppDeps } from './app-deps';
import { stageLookupOf } from './pipelines';

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
 * The board's drag and drop. Of two moves with the same expected version exactly one wins: the version is
 * checked under the deal's lock (ScopedRepository.updateVersioned), the other gets FAILED_PRECONDITION.
 */
export async function moveDeal(deps: AppDeps, principal: Principal, request: MoveRequest): Promise<DealDocument> {
  requireId(request.id, 'id');
  const current = await loadAtVersion(deps, principal, request.id, request.expectedVersion);
  const pipelines = await deps.pipelines.list(principal.tenantId);
  const target = locateStage(pipelines, request.stageId || current.stageId, current.pipelineId);
  const stageChanges = target.stage.id !== current.stageId;
  const placed = Boolean(request.afterDealId || request.beforeDealId);
  if (!stageChanges && !placed)
    throw invalidFields([
      {
        field: 'stageId',
        description: 'is the stage the deal is already in; name another stage or a place in the column',
      },
    ]);
  const rank = placed ? await rankBetweenNeighbours(deps, principal, request, target.stage.id) : current.rank;
  if (!stageChanges)
    return write(deps, principal, current, request.expectedVersion, { rank }, undefined, pipelines, ['rank']);
  return withStageGate(deps, target.stage.id, async () => {
    const stage = await freshStage(deps, principal, target.pipeline._id, target.stage.id);
    const outcome = moveToStage({
      deal: current,
      to: stage,
      lostReason: request.lostReason,
      by: principal.userId,
      now: new Date(),
    });
    return write(
      deps,
      principal,
      current,
      request.expectedVersion,
      { ...outcomeFields(outcome), pipelineId: target.pipeline._id, rank },
      outcome,
      pipelines,
      ['stage_id', ...(target.pipeline._id !== current.pipelineId ? ['pipeline_id'] : [])],
    );
  });
}

/** Reopens a won or lost deal into an open stage: the one asked for, or the last open stage it was in. */
export async function reopenDeal(
  deps: AppDeps,
  principal: Principal,
  id: string,
  expectedVersion: number,
  stageId: string,
): Promise<DealDocument> {
  requireId(id, 'id');
  const current = await loadAtVersion(deps, principal, id, expectedVersion);
  const pipelines = await deps.pipelines.list(principal.tenantId);
  const pipeline = pipelines.find((p) => p._id === current.pipelineId);
  if (!pipeline)
    throw new ServiceError('FAILED_PRECONDITION', "The deal's pipeline no longer exists", {
      reason: 'PIPELINE_MISSING',
    });
  const target = reopenTarget(current, pipeline.stages, stageId);
  return withStageGate(deps, target.id, async () => {
    const stage = await freshStage(deps, principal, pipeline._id, target.id);
    const outcome = moveToStage({ deal: current, to: stage, lostReason: '', by: principal.userId, now: new Date() });
    return write(deps, principal, current, expectedVersion, outcomeFields(outcome), outcome, pipelines, ['stage_id']);
  });
}

async function loadAtVersion(
  deps: AppDeps,
  principal: Principal,
  id: string,
  expectedVersion: number,
): Promise<DealDocument> {
  const current = await deps.deals.getById(principal, id);
  if (current.version !== expectedVersion) throw versionMismatch(expectedVersion, current.version);
  return current;
}

function locateStage(
  pipelines: readonly PipelineDocument[],
  stageId: string,
  preferredPipelineId: string,
): { pipeline: PipelineDocument; stage: Stage } {
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

/** The stage as it is now, read under its gate, so a stage archived meanwhile refuses the deal. */
async function freshStage(deps: AppDeps, principal: Principal, pipelineId: string, stageId: string): Promise<Stage> {
  const pipeline = await deps.pipelines.get(principal.tenantId, pipelineId);
  const stage = pipeline.stages.find((s) => s.id === stageId);
  if (!stage) throw invalidFields([{ field: 'stageId', description: 'is not a stage of the pipeline' }]);
  return stage;
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
    const deal = await deps.deals.findById(principal, id);
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

function outcomeFields(outcome: MoveOutcome): Partial<DealDocument> {
  return {
    stageId: outcome.stageId,
    status: outcome.status,
    lostReason: outcome.lostReason,
    closedAt: outcome.closedAt,
    stageHistory: outcome.stageHistory,
  };
}

async function write(
  deps: AppDeps,
  principal: Principal,
  current: DealDocument,
  expectedVersion: number,
  changes: Partial<DealDocument>,
  outcome: MoveOutcome | undefined,
  pipelines: readonly PipelineDocument[],
  changedFields: string[],
): Promise<DealDocument> {
  const next: DealDocument = { ...current, ...changes };
  const forecastDate = forecastDateOf(next);
  next.forecastDate = forecastDate;
  const events = dealEvents({
    state: outcome ? 'deal.stage_changed' : 'deal.updated',
    signal: outcome?.signal,
    previous: current,
    next,
    changedFields: outcome?.signal === 'lost' ? [...changedFields, 'lost_reason'] : changedFields,
    stageOf: stageLookupOf(pipelines),
    actor: principal,
    namespace: deps.namespace,
  });
  return deps.deals.updateVersioned(principal, current._id, expectedVersion, {
    update: { $set: { ...changes, forecastDate } },
    events,
  });
}
