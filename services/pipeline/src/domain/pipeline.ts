// A pipeline and the rules for changing its stages. Pure: the store applies what these functions return.
import { invalidFields } from './invalid-fields';
import { ServiceError, type FieldViolation } from '@crm/service-kit';
import { checkStageInput, takesDeals, type Stage, type StageInput } from './stage';

export interface PipelineState {
  name: string;
  stages: Stage[];
}

export const MAX_PIPELINE_NAME_LENGTH = 80;
export const MAX_STAGES = 30;

export function checkPipelineName(name: string, field = 'name'): string {
  const trimmed = name.trim();
  if (!trimmed) throw invalidFields([{ field, description: 'is required' }]);
  if (trimmed.length > MAX_PIPELINE_NAME_LENGTH)
    throw invalidFields([{ field, description: `must be at most ${MAX_PIPELINE_NAME_LENGTH} characters` }]);
  return trimmed;
}

/** Builds the stages of a new pipeline from admin input; newId gives each stage its id. */
export function buildStages(inputs: readonly StageInput[], newId: () => string, path = 'stages'): Stage[] {
  const violations: FieldViolation[] = [];
  const stages: Stage[] = [];
  inputs.forEach((input, index) => {
    const checked = checkStageInput(input, `${path}[${index}]`);
    if (checked.ok) stages.push({ id: newId(), archived: false, ...checked.stage });
    else violations.push(...checked.violations);
  });
  if (violations.length > 0) throw invalidFields(violations);
  const problem = structureProblem(stages);
  if (problem) throw invalidFields([{ field: path, description: problem }]);
  return stages;
}

/** Inserts a stage before another, or after the last open stage so that closed columns stay at the end. */
export function addStage(pipeline: PipelineState, input: StageInput, id: string, beforeStageId: string): Stage[] {
  const checked = checkStageInput(input, 'stage');
  if (!checked.ok) throw invalidFields(checked.violations);
  const stage: Stage = { id, archived: false, ...checked.stage };
  assertUniqueName(pipeline.stages, stage.name, undefined, 'stage.name');
  const stages = [...pipeline.stages];
  let at: number;
  if (beforeStageId) {
    at = stages.findIndex((s) => s.id === beforeStageId);
    if (at < 0) throw invalidFields([{ field: 'beforeStageId', description: 'is not a stage of this pipeline' }]);
  } else {
    const lastOpen = stages.map((s) => s.kind === 'open' && !s.archived).lastIndexOf(true);
    at = lastOpen + 1;
  }
  stages.splice(at, 0, stage);
  if (stages.length > MAX_STAGES)
    throw invalidFields([{ field: 'stage', description: `a pipeline has at most ${MAX_STAGES} stages` }]);
  return stages;
}

export type StagePatchPath = 'name' | 'probability' | 'forecast_category';
export const STAGE_PATCH_PATHS: readonly StagePatchPath[] = ['name', 'probability', 'forecast_category'];

/** Renames a stage or changes its probability or category; the kind is fixed because deals were closed by it. */
export function updateStage(
  pipeline: PipelineState,
  stageId: string,
  input: StageInput,
  paths: readonly string[],
): Stage[] {
  const unknown = paths.filter((p) => !(STAGE_PATCH_PATHS as readonly string[]).includes(p));
  if (paths.length === 0)
    throw invalidFields([
      { field: 'updateMask', description: `must name at least one of: ${STAGE_PATCH_PATHS.join(', ')}` },
    ]);
  if (unknown.length > 0)
    throw invalidFields(
      unknown.map((p) => ({
        field: `updateMask.${p}`,
        description:
          p === 'kind'
            ? 'the kind of a stage cannot change; add a new stage instead'
            : 'is not a field of a stage that can be changed',
      })),
    );
  const current = findStage(pipeline.stages, stageId);
  const merged: StageInput = {
    name: paths.includes('name') ? input.name : current.name,
    probability: paths.includes('probability') ? input.probability : current.probability,
    kind: current.kind,
    forecastCategory: paths.includes('forecast_category') ? input.forecastCategory : current.forecastCategory,
  };
  const checked = checkStageInput(merged, 'stage');
  if (!checked.ok) throw invalidFields(checked.violations);
  assertUniqueName(pipeline.stages, checked.stage.name, stageId, 'stage.name');
  return pipeline.stages.map((s) => (s.id === stageId ? { ...s, ...checked.stage } : s));
}

/** The new order must list every active stage once; archived ones follow in their old order. */
export function reorderStages(pipeline: PipelineState, stageIds: readonly string[]): Stage[] {
  const active = pipeline.stages.filter((s) => !s.archived);
  const byId = new Map(pipeline.stages.map((s) => [s.id, s]));
  const seen = new Set<string>();
  const violations: FieldViolation[] = [];
  stageIds.forEach((id, index) => {
    const stage = byId.get(id);
    if (!stage) violations.push({ field: `stageIds[${index}]`, description: 'is not a stage of this pipeline' });
    else if (stage.archived) violations.push({ field: `stageIds[${index}]`, description: 'is archived' });
    else if (seen.has(id)) violations.push({ field: `stageIds[${index}]`, description: 'is listed twice' });
    seen.add(id);
  });
  const missing = active.filter((s) => !seen.has(s.id));
  if (missing.length > 0)
    violations.push({
      field: 'stageIds',
      description: `must list every active stage; missing ${missing.map((s) => s.name).join(', ')}`,
    });
  if (violations.length > 0) throw invalidFields(violations);
  const ordered = stageIds.map((id) => byId.get(id) as Stage);
  return [...ordered, ...pipeline.stages.filter((s) => s.archived)];
}

// Archiving without locks. A deal may enter a stage only if the pipeline record, read at most a write window
// before the deal's event is appended, shows the stage taking deals. Archiving first marks the stage as
// archiving (a pipeline version), waits a settle time longer than that window, then counts the stage's deals in
// the read model: none, and the stage is archived; some (a move that read the pipeline before the mark), and the
// mark is reverted and the archive refused with STAGE_HAS_DEALS. See services/pipeline/README.md.

/** Marks the stage as being archived; refuses what could never be archived. */
export function beginArchive(pipeline: PipelineState, stageId: string, now: Date): Stage[] {
  const stage = findStage(pipeline.stages, stageId);
  if (stage.archived)
    throw new ServiceError('FAILED_PRECONDITION', `Stage "${stage.name}" is already archived`, {
      reason: 'STAGE_ARCHIVED',
    });
  if (stage.archivingSince)
    throw new ServiceError('FAILED_PRECONDITION', `Stage "${stage.name}" is being archived; try again in a moment`, {
      reason: 'STAGE_ARCHIVING',
    });
  // Stages being archived count as gone: two archives at once must not leave a pipeline without a kind of stage.
  const problem = structureProblem(
    pipeline.stages.map((s) => ({ ...s, archived: s.archived || Boolean(s.archivingSince) || s.id === stageId })),
  );
  if (problem)
    throw new ServiceError('FAILED_PRECONDITION', `Stage "${stage.name}" cannot be archived: ${problem}`, {
      reason: 'LAST_STAGE_OF_KIND',
    });
  return pipeline.stages.map((s) => (s.id === stageId ? { ...s, archivingSince: now } : s));
}

/**
 * An archive left unfinished (its process died while it waited) once its settle time is over: a new archive
 * request finishes it instead of being refused.
 */
export function isStaleArchive(stage: Stage, now: Date, settleMs: number): boolean {
  return Boolean(stage.archivingSince && now.getTime() - stage.archivingSince.getTime() > settleMs);
}

export type ArchiveOutcome = 'archived' | 'reverted';

/**
 * Ends the archive begun at `since`: archived when the stage holds no deals, else back to taking deals. Undefined
 * when that archive is no longer in progress (finished or reverted by someone else).
 */
export function finishArchive(
  pipeline: PipelineState,
  stageId: string,
  since: Date,
  dealsInStage: number,
): { stages: Stage[]; outcome: ArchiveOutcome } | undefined {
  const stage = pipeline.stages.find((s) => s.id === stageId);
  if (!stage?.archivingSince || stage.archivingSince.getTime() !== since.getTime()) return undefined;
  const outcome: ArchiveOutcome = dealsInStage > 0 ? 'reverted' : 'archived';
  return {
    outcome,
    stages: pipeline.stages.map((s) =>
      s.id === stageId ? { ...s, archivingSince: null, archived: outcome === 'archived' } : s,
    ),
  };
}

export function stageHasDeals(stage: Pick<Stage, 'id' | 'name'>, dealsInStage: number): ServiceError {
  return new ServiceError(
    'FAILED_PRECONDITION',
    `Stage "${stage.name}" still holds ${dealsInStage} deal(s); move them to another stage before archiving it`,
    { reason: 'STAGE_HAS_DEALS', metadata: { stageId: stage.id, dealCount: String(dealsInStage) } },
  );
}

export function findStage(stages: readonly Stage[], stageId: string, field = 'stageId'): Stage {
  const stage = stages.find((s) => s.id === stageId);
  if (!stage) throw invalidFields([{ field, description: 'is not a stage of this pipeline' }]);
  return stage;
}

export function activeStages(stages: readonly Stage[]): Stage[] {
  return stages.filter((s) => !s.archived);
}

export function firstOpenStage(stages: readonly Stage[]): Stage | undefined {
  return stages.find((s) => takesDeals(s) && s.kind === 'open');
}

function structureProblem(stages: readonly Stage[]): string | undefined {
  const active = activeStages(stages);
  for (const kind of ['open', 'won', 'lost'] as const) {
    if (!active.some((s) => s.kind === kind)) return `a pipeline needs at least one active ${kind} stage`;
  }
  if (stages.length > MAX_STAGES) return `a pipeline has at most ${MAX_STAGES} stages`;
  const names = active.map((s) => s.name.toLowerCase());
  const duplicate = names.find((n, i) => names.indexOf(n) !== i);
  return duplicate ? `stage names must be unique; "${duplicate}" appears twice` : undefined;
}

function assertUniqueName(stages: readonly Stage[], name: string, exceptId: string | undefined, field: string): void {
  const clash = stages.find((s) => !s.archived && s.id !== exceptId && s.name.toLowerCase() === name.toLowerCase());
  if (clash) throw invalidFields([{ field, description: `another stage is already called "${clash.name}"` }]);
}
