// Pipeline administration (crm-admin): create, rename, stages added, changed, archived and reordered.
import { api, idempotent, ifMatch, unwrap } from './http-client';
import type { Pipeline, StageInput } from './types';

type StagePatch = { name?: string; probability?: number; forecastCategory?: StageInput['forecastCategory'] };

export function createPipeline(name: string): Promise<Pipeline> {
  return idempotent((headers) =>
    unwrap(api.POST('/api/v1/pipelines', { params: { header: headers }, body: { name } })),
  );
}

export function renamePipeline(id: string, version: number, name: string): Promise<Pipeline> {
  return unwrap(
    api.PATCH('/api/v1/pipelines/{id}', { params: { path: { id }, header: ifMatch(version) }, body: { name } }),
  );
}

export function addStage(id: string, version: number, stage: StageInput, beforeStageId?: string): Promise<Pipeline> {
  return idempotent((headers) =>
    unwrap(
      api.POST('/api/v1/pipelines/{id}/stages', {
        params: { path: { id }, header: { ...headers, ...ifMatch(version) } },
        body: { stage, ...(beforeStageId ? { beforeStageId } : {}) },
      }),
    ),
  );
}

export function patchStage(id: string, version: number, stageId: string, patch: StagePatch): Promise<Pipeline> {
  return unwrap(
    api.PATCH('/api/v1/pipelines/{id}/stages/{stageId}', {
      params: { path: { id, stageId }, header: ifMatch(version) },
      body: patch,
    }),
  );
}

export function archiveStage(id: string, version: number, stageId: string): Promise<Pipeline> {
  return idempotent((headers) =>
    unwrap(
      api.POST('/api/v1/pipelines/{id}/stages/{stageId}/archive', {
        params: { path: { id, stageId }, header: { ...headers, ...ifMatch(version) } },
      }),
    ),
  );
}

export function reorderStages(id: string, version: number, stageIds: string[]): Promise<Pipeline> {
  return unwrap(
    api.PUT('/api/v1/pipelines/{id}/stage-order', {
      params: { path: { id }, header: ifMatch(version) },
      body: { stageIds },
    }),
  );
}
