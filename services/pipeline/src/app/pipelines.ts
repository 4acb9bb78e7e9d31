// Pipeline use cases: the default pipeline on first use, and the admin's changes to stages.
import { v7 as uuidv7 } from 'uuid';
import { ServiceError, systemPrincipal, type Principal } from '@crm/service-kit';
import {
  addStage,
  beginArchive,
  buildStages,
  checkPipelineName,
  findStage,
  finishArchive,
  isStaleArchive,
  reorderStages,
  stageHasDeals,
  updateStage,
} from '../domain/pipeline';
import { DEFAULT_STAGES, type Stage, type StageInput } from '../domain/stage';
import { pipelineEvent } from '../events/pipeline-events';
import type { PipelineRecord } from '../store/pipeline.records';
import { assertAdmin, assertMaySeeDeals, type AppDeps } from './app-deps';

export const DEFAULT_PIPELINE_NAME = 'Sales pipeline';

/** The named pipeline, or the tenant's default one, created on first use. */
export async function loadPipeline(deps: AppDeps, principal: Principal, pipelineId: string): Promise<PipelineRecord> {
  if (pipelineId) return deps.pipelines.get(principal.tenantId, pipelineId);
  return ensureDefaultPipeline(deps, principal.tenantId);
}

/** Created by the service itself, whoever asks first (a partner with read access only, too). */
export function ensureDefaultPipeline(deps: AppDeps, tenantId: string): Promise<PipelineRecord> {
  const service = systemPrincipal(tenantId, deps.serviceName);
  return deps.pipelines.ensureDefault(
    service,
    () => ({ name: DEFAULT_PIPELINE_NAME, stages: buildStages(DEFAULT_STAGES, uuidv7), isDefault: true }),
    pipelineEvent('pipeline.created', ['name', 'stages'], service, deps.namespace),
  );
}

export async function listPipelines(deps: AppDeps, principal: Principal): Promise<PipelineRecord[]> {
  assertMaySeeDeals(principal);
  const pipelines = await deps.pipelines.list(principal.tenantId);
  if (pipelines.some((p) => p.isDefault)) return pipelines;
  await ensureDefaultPipeline(deps, principal.tenantId);
  return deps.pipelines.list(principal.tenantId);
}

export async function getPipeline(deps: AppDeps, principal: Principal, id: string): Promise<PipelineRecord> {
  assertMaySeeDeals(principal);
  return loadPipeline(deps, principal, id);
}

export async function createPipeline(
  deps: AppDeps,
  principal: Principal,
  name: string,
  stages: readonly StageInput[],
): Promise<PipelineRecord> {
  assertAdmin(principal);
  await ensureDefaultPipeline(deps, principal.tenantId);
  const fields = {
    name: checkPipelineName(name),
    stages: buildStages(stages.length > 0 ? stages : DEFAULT_STAGES, uuidv7),
    isDefault: false,
  };
  return deps.pipelines.insert(
    principal,
    uuidv7(),
    fields,
    pipelineEvent('pipeline.created', ['name', 'stages'], principal, deps.namespace),
  );
}

function changeStages(
  deps: AppDeps,
  principal: Principal,
  id: string,
  expectedVersion: number | undefined,
  edit: (current: PipelineRecord) => Stage[] | null,
): Promise<PipelineRecord> {
  assertAdmin(principal);
  return deps.pipelines.update(principal, id, expectedVersion, (current) => {
    const stages = edit(current);
    return stages
      ? { set: { stages }, messages: pipelineEvent('pipeline.updated', ['stages'], principal, deps.namespace) }
      : null;
  });
}

export function renamePipeline(
  deps: AppDeps,
  principal: Principal,
  id: string,
  expectedVersion: number,
  name: string,
): Promise<PipelineRecord> {
  assertAdmin(principal);
  const checked = checkPipelineName(name);
  return deps.pipelines.update(principal, id, expectedVersion, () => ({
    set: { name: checked },
    messages: pipelineEvent('pipeline.updated', ['name'], principal, deps.namespace),
  }));
}

export async function addPipelineStage(
  deps: AppDeps,
  principal: Principal,
  id: string,
  expectedVersion: number,
  input: StageInput,
  beforeStageId: string,
): Promise<{ pipeline: PipelineRecord; stage: Stage }> {
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
): Promise<PipelineRecord> {
  return changeStages(deps, principal, id, expectedVersion, (current) => updateStage(current, stageId, input, paths));
}

export function reorderPipelineStages(
  deps: AppDeps,
  principal: Principal,
  id: string,
  expectedVersion: number,
  stageIds: readonly string[],
): Promise<PipelineRecord> {
  return changeStages(deps, principal, id, expectedVersion, (current) => reorderStages(current, stageIds));
}

/**
 * Archives a stage without locks (domain/pipeline): refuses at once while the read model shows deals in it;
 * otherwise marks it as taking no deals (a pipeline version), waits the settle time, counts every live deal in
 * it (not only those the admin sees) and archives it, or reverts the mark and refuses with STAGE_HAS_DEALS. An
 * archive left unfinished by a process that died is finished by the next request to archive the stage.
 */
export async function archivePipelineStage(
  deps: AppDeps,
  principal: Principal,
  id: string,
  expectedVersion: number,
  stageId: string,
): Promise<PipelineRecord> {
  assertAdmin(principal);
  const current = await deps.pipelines.get(principal.tenantId, id);
  const stage = findStage(current.stages, stageId);
  let since: Date;
  if (stage.archivingSince && isStaleArchive(stage, deps.clock(), deps.stageRules.archiveSettleMs)) {
    since = stage.archivingSince;
  } else {
    // Checked before any write: an archive that cannot succeed changes nothing.
    beginArchive(current, stageId, deps.clock());
    const before = await deps.dealsView.countInStage(principal.tenantId, id, stageId);
    if (before > 0) throw stageHasDeals(stage, before);
    since = deps.clock();
    await changeStages(deps, principal, id, expectedVersion, (latest) => beginArchive(latest, stageId, since));
    await markVisible(deps, principal.tenantId, id, stageId, since);
    await deps.sleep(deps.stageRules.archiveSettleMs);
  }
  const dealsInStage = await deps.dealsView.countInStage(principal.tenantId, id, stageId);
  const finished = await changeStages(
    deps,
    principal,
    id,
    undefined,
    (latest) => finishArchive(latest, stageId, since, dealsInStage)?.stages ?? null,
  );
  if (dealsInStage > 0) throw stageHasDeals(stage, dealsInStage);
  if (!findStage(finished.stages, stageId).archived)
    throw new ServiceError('FAILED_PRECONDITION', `Stage "${stage.name}" was not archived: its archive was undone`, {
      reason: 'STAGE_ARCHIVING',
    });
  return finished;
}

const MARK_POLL_MS = 50;

/**
 * Movers read the pipeline's snapshot: the settle time counts from when it shows the mark (its write may have
 * been left to the sweeper).
 */
async function markVisible(deps: AppDeps, tenantId: string, id: string, stageId: string, since: Date): Promise<void> {
  const deadline = deps.clock().getTime() + Math.max(10_000, 2 * deps.stageRules.archiveSettleMs);
  for (;;) {
    const stage = (await deps.pipelines.get(tenantId, id)).stages.find((s) => s.id === stageId);
    if (stage?.archivingSince?.getTime() === since.getTime()) return;
    if (deps.clock().getTime() > deadline)
      throw new ServiceError('UNAVAILABLE', 'The archive could not be recorded in time; try archiving the stage again');
    await deps.sleep(MARK_POLL_MS);
  }
}

/** Stage lookups across the tenant's pipelines, for events and answers that show a deal's stage. */
export async function tenantStageLookup(
  deps: Pick<AppDeps, 'pipelines'>,
  tenantId: string,
): Promise<(pipelineId: string, stageId: string) => Stage | undefined> {
  return stageLookupOf(await deps.pipelines.list(tenantId));
}

export function stageLookupOf(
  pipelines: readonly PipelineRecord[],
): (pipelineId: string, stageId: string) => Stage | undefined {
  const byPipeline = new Map(pipelines.map((p) => [p._id, new Map(p.stages.map((s) => [s.id, s]))]));
  return (pipelineId, stageId) => byPipeline.get(pipelineId)?.get(stageId);
}
