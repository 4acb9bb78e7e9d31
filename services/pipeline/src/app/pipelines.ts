// Pipeline use cases: the default pipeline on first use, and the admin's changes to stages.
import { v7 as uuidv7 } from 'uuid';
import type { Principal } from '@crm/service-kit';
import {
  addStage,
  archiveStage,
  buildStages,
  checkPipelineName,
  findStage,
  reorderStages,
  updateStage,
} from '../domain/pipeline';
import { DEFAULT_STAGES, type Stage, type StageInput } from '../domain/stage';
import { pipelineEvent } from '../events/pipeline-events';
import type { PipelineDocument } from '../store/pipeline.repository';
import { assertAdmin, assertMaySeeDeals, withStageGate, type AppDeps } from './app-deps';

export const DEFAULT_PIPELINE_NAME = 'Sales pipeline';

/** The named pipeline, or the tenant's default one, created on first use. */
export async function loadPipeline(deps: AppDeps, principal: Principal, pipelineId: string): Promise<PipelineDocument> {
  if (pipelineId) return deps.pipelines.get(principal.tenantId, pipelineId);
  return ensureDefaultPipeline(deps, principal);
}

export function ensureDefaultPipeline(deps: AppDeps, principal: Principal): Promise<PipelineDocument> {
  return deps.pipelines.ensureDefault(
    principal.tenantId,
    () => ({ name: DEFAULT_PIPELINE_NAME, stages: buildStages(DEFAULT_STAGES, uuidv7), isDefault: true }),
    (doc) => [pipelineEvent('pipeline.created', doc, ['name', 'stages'], principal, deps.namespace)],
  );
}

export async function listPipelines(deps: AppDeps, principal: Principal): Promise<PipelineDocument[]> {
  assertMaySeeDeals(principal);
  await ensureDefaultPipeline(deps, principal);
  return deps.pipelines.list(principal.tenantId);
}

export async function getPipeline(deps: AppDeps, principal: Principal, id: string): Promise<PipelineDocument> {
  assertMaySeeDeals(principal);
  return loadPipeline(deps, principal, id);
}

export async function createPipeline(
  deps: AppDeps,
  principal: Principal,
  name: string,
  stages: readonly StageInput[],
): Promise<PipelineDocument> {
  assertAdmin(principal);
  await ensureDefaultPipeline(deps, principal);
  const fields = {
    name: checkPipelineName(name),
    stages: buildStages(stages.length > 0 ? stages : DEFAULT_STAGES, uuidv7),
    isDefault: false,
  };
  return deps.pipelines.insert(principal.tenantId, uuidv7(), fields, (doc) => [
    pipelineEvent('pipeline.created', doc, ['name', 'stages'], principal, deps.namespace),
  ]);
}

type StageEdit = (current: PipelineDocument) => Promise<Stage[]> | Stage[];

function changeStages(
  deps: AppDeps,
  principal: Principal,
  id: string,
  expectedVersion: number,
  edit: StageEdit,
): Promise<PipelineDocument> {
  assertAdmin(principal);
  return deps.pipelines.update(principal.tenantId, id, expectedVersion, async (current) => ({
    stages: await edit(current),
    events: (_version, next) => [pipelineEvent('pipeline.updated', next, ['stages'], principal, deps.namespace)],
  }));
}

export function renamePipeline(
  deps: AppDeps,
  principal: Principal,
  id: string,
  expectedVersion: number,
  name: string,
): Promise<PipelineDocument> {
  assertAdmin(principal);
  const checked = checkPipelineName(name);
  return deps.pipelines.update(principal.tenantId, id, expectedVersion, () => ({
    name: checked,
    events: (_version, next) => [pipelineEvent('pipeline.updated', next, ['name'], principal, deps.namespace)],
  }));
}

export async function addPipelineStage(
  deps: AppDeps,
  principal: Principal,
  id: string,
  expectedVersion: number,
  input: StageInput,
  beforeStageId: string,
): Promise<{ pipeline: PipelineDocument; stage: Stage }> {
  const stageId = uuidv7();
  const pipeline = await changeStages(deps, principal, id, expectedVersion, (current) =>
    addStage(current, input, stageId, beforeStageId),
  );
  return { pipeline, stage: findStage(pipeline.stages, stageId) };
}

export function updatePipelineStage(
  deps: AppDeps,
  principal: Principal,
  id: string,
  expectedVersion: number,
  stageId: string,
  input: StageInput,
  paths: readonly string[],
): Promise<PipelineDocument> {
  return changeStages(deps, principal, id, expectedVersion, (current) => updateStage(current, stageId, input, paths));
}

export function reorderPipelineStages(
  deps: AppDeps,
  principal: Principal,
  id: string,
  expectedVersion: number,
  stageIds: readonly string[],
): Promise<PipelineDocument> {
  return changeStages(deps, principal, id, expectedVersion, (current) => reorderStages(current, stageIds));
}

/**
 * Counts every live deal in the stage (not only those the admin sees), and writes the archived stage, while
 * holding the stage's gate: a move into the stage waits for the gate and then sees the stage archived.
 */
export function archivePipelineStage(
  deps: AppDeps,
  principal: Principal,
  id: string,
  expectedVersion: number,
  stageId: string,
): Promise<PipelineDocument> {
  assertAdmin(principal);
  return withStageGate(deps, stageId, () =>
    changeStages(deps, principal, id, expectedVersion, async (current) =>
      archiveStage(current, stageId, await deps.deals.countInStage(principal.tenantId, id, stageId)),
    ),
  );
}

/** Stage lookups across the tenant's pipelines, for events and answers that show a deal's stage. */
export async function tenantStageLookup(
  deps: AppDeps,
  tenantId: string,
): Promise<(pipelineId: string, stageId: string) => Stage | undefined> {
  const pipelines = await deps.pipelines.list(tenantId);
  return stageLookupOf(pipelines);
}

export function stageLookupOf(
  pipelines: readonly PipelineDocument[],
): (pipelineId: string, stageId: string) => Stage | undefined {
  const byPipeline = new Map(pipelines.map((p) => [p._id, new Map(p.stages.map((s) => [s.id, s]))]));
  return (pipelineId, stageId) => byPipeline.get(pipelineId)?.get(stageId);
}
