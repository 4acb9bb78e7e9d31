import { StageInput, type Pipeline } from '@crm/proto/crm/pipeline/v1/pipeline';
import { ACCESS } from '../auth/access-policy';
import type { ServiceClients } from '../grpc/service-clients';
import { callUnary, type Downstream } from '../grpc/unary-call';
import { defineRoute, type Route, type RouteResult } from '../http/route';
import { jsonOf } from '../mappers/json-of';
import { toUpdateMask } from '../mappers/update-mask';
import {
  boardQuery,
  boardSchema,
  pipelineCreateSchema,
  pipelineListSchema,
  pipelineParams,
  pipelinePatchSchema,
  pipelineSchema,
  stageAddSchema,
  stageOrderSchema,
  stagePatchSchema,
  stageParams,
} from '../schemas/pipeline.schema';
import { created, ok } from './common-responses';
import { expectedVersion, required } from './route-helpers';

const TAG = 'Pipelines';
const BASE = '/api/v1/pipelines';
const DEFAULT_ID = 'default';

/** "default" names the tenant's default pipeline (the service takes an empty id for it). */
const serviceId = (id: string) => (id === DEFAULT_ID ? '' : id);

function pipelineResult(pipeline: Pipeline | undefined, status = 200): RouteResult {
  const value = required(pipeline, 'a pipeline');
  return { status, body: jsonOf(value), version: value.version };
}

function getPipeline(clients: ServiceClients, downstream: Downstream, id: string): Promise<Pipeline> {
  return callUnary(downstream, clients.pipelines.getPipeline.bind(clients.pipelines), { id: serviceId(id) }).then((r) =>
    required(r.pipeline, 'a pipeline'),
  );
}

/** Stage changes name the pipeline by its real id and version. */
async function target(
  clients: ServiceClients,
  downstream: Downstream,
  id: string,
  precondition: Parameters<typeof expectedVersion>[0],
): Promise<{ pipelineId: string; expectedVersion: number }> {
  if (id !== DEFAULT_ID)
    return {
      pipelineId: id,
      expectedVersion: await expectedVersion(precondition, () =>
        getPipeline(clients, downstream, id).then((p) => p.version),
      ),
    };
  const pipeline = await getPipeline(clients, downstream, id);
  return {
    pipelineId: pipeline.id,
    expectedVersion: precondition.kind === 'version' ? precondition.version : pipeline.version,
  };
}

export const pipelineRoutes: Route[] = [
  defineRoute({
    method: 'get',
    path: BASE,
    operationId: 'listPipelines',
    summary: "The tenant's pipelines",
    tag: TAG,
    access: ACCESS.dealsRead,
    responses: [ok(pipelineListSchema, 'Every pipeline (there are few)')],
    handler: async ({ clients, downstream }) => {
      const response = await callUnary(downstream, clients.pipelines.listPipelines.bind(clients.pipelines), {});
      return { status: 200, body: { data: jsonOf(response.pipelines), nextCursor: null } };
    },
  }),
  defineRoute({
    method: 'post',
    path: BASE,
    operationId: 'createPipeline',
    summary: 'Create a pipeline (admin)',
    tag: TAG,
    access: ACCESS.admin,
    body: pipelineCreateSchema,
    responses: [created(pipelineSchema, 'The pipeline')],
    handler: async ({ body, clients, downstream }) => {
      const response = await callUnary(downstream, clients.pipelines.createPipeline.bind(clients.pipelines), {
        name: body.name,
        stages: (body.stages ?? []).map((s) => StageInput.fromPartial(s)),
      });
      return { ...pipelineResult(response.pipeline, 201), location: `${BASE}/${response.pipeline?.id}` };
    },
  }),
  defineRoute({
    method: 'get',
    path: `${BASE}/{id}`,
    operationId: 'getPipeline',
    summary: 'A pipeline with its stages ("default" for the default one)',
    tag: TAG,
    access: ACCESS.dealsRead,
    params: pipelineParams,
    responses: [ok(pipelineSchema, 'The pipeline', { etag: true })],
    handler: async ({ params, clients, downstream }) =>
      pipelineResult(await getPipeline(clients, downstream, params.id)),
  }),
  defineRoute({
    method: 'patch',
    path: `${BASE}/{id}`,
    operationId: 'renamePipeline',
    summary: 'Rename a pipeline (admin)',
    tag: TAG,
    access: ACCESS.admin,
    bodyKind: 'merge-patch',
    ifMatch: 'required',
    params: pipelineParams,
    body: pipelinePatchSchema,
    responses: [ok(pipelineSchema, 'The pipeline', { etag: true })],
    handler: async ({ params, body, precondition, clients, downstream }) => {
      const { pipelineId, expectedVersion: version } = await target(clients, downstream, params.id, precondition);
      const response = await callUnary(downstream, clients.pipelines.renamePipeline.bind(clients.pipelines), {
        id: pipelineId,
        expectedVersion: version,
        name: body.name,
      });
      return pipelineResult(response.pipeline);
    },
  }),
  defineRoute({
    method: 'post',
    path: `${BASE}/{id}/stages`,
    operationId: 'addStage',
    summary: 'Add a stage (admin)',
    tag: TAG,
    access: ACCESS.admin,
    ifMatch: 'optional',
    params: pipelineParams,
    body: stageAddSchema,
    responses: [created(pipelineSchema, 'The pipeline with the new stage')],
    handler: async ({ params, body, precondition, clients, downstream }) => {
      const t = await target(clients, downstream, params.id, precondition);
      const response = await callUnary(downstream, clients.pipelines.addStage.bind(clients.pipelines), {
        ...t,
        stage: StageInput.fromPartial(body.stage),
        beforeStageId: body.beforeStageId ?? '',
      });
      return { ...pipelineResult(response.pipeline, 201), location: `${BASE}/${t.pipelineId}` };
    },
  }),
  defineRoute({
    method: 'patch',
    path: `${BASE}/{id}/stages/{stageId}`,
    operationId: 'updateStage',
    summary: 'Rename a stage or change its probability or forecast category (admin); the kind never changes',
    tag: TAG,
    access: ACCESS.admin,
    bodyKind: 'merge-patch',
    ifMatch: 'required',
    params: stageParams,
    body: stagePatchSchema,
    responses: [ok(pipelineSchema, 'The pipeline', { etag: true })],
    handler: async ({ params, body, precondition, clients, downstream }) => {
      const t = await target(clients, downstream, params.id, precondition);
      const { input, paths } = toUpdateMask<StageInput>(body);
      const response = await callUnary(downstream, clients.pipelines.updateStage.bind(clients.pipelines), {
        ...t,
        stageId: params.stageId,
        stage: StageInput.fromPartial(input),
        updateMask: paths,
      });
      return pipelineResult(response.pipeline);
    },
  }),
  defineRoute({
    method: 'post',
    path: `${BASE}/{id}/stages/{stageId}/archive`,
    operationId: 'archiveStage',
    summary: 'Archive a stage (admin); 409 while deals are in it',
    description:
      'Takes a few seconds and no lock: the stage first stops taking deals (archiving: true), then, once every move that could still be under way has finished, the service counts the deals in it and archives it, or takes the mark back and answers 409 (STAGE_HAS_DEALS). The pipeline version moves by two.',
    tag: TAG,
    access: ACCESS.admin,
    ifMatch: 'optional',
    params: stageParams,
    responses: [ok(pipelineSchema, 'The pipeline', { etag: true })],
    handler: async ({ params, precondition, clients, downstream }) => {
      const t = await target(clients, downstream, params.id, precondition);
      const response = await callUnary(downstream, clients.pipelines.archiveStage.bind(clients.pipelines), {
        ...t,
        stageId: params.stageId,
      });
      return pipelineResult(response.pipeline);
    },
  }),
  defineRoute({
    method: 'put',
    path: `${BASE}/{id}/stage-order`,
    operationId: 'reorderStages',
    summary: 'Reorder the stages (admin): every stage that is not archived, once',
    tag: TAG,
    access: ACCESS.admin,
    ifMatch: 'required',
    params: pipelineParams,
    body: stageOrderSchema,
    responses: [ok(pipelineSchema, 'The pipeline', { etag: true })],
    handler: async ({ params, body, precondition, clients, downstream }) => {
      const t = await target(clients, downstream, params.id, precondition);
      const response = await callUnary(downstream, clients.pipelines.reorderStages.bind(clients.pipelines), {
        ...t,
        stageIds: body.stageIds,
      });
      return pipelineResult(response.pipeline);
    },
  }),
  defineRoute({
    method: 'get',
    path: `${BASE}/{id}/board`,
    operationId: 'getBoard',
    summary: 'The board: per stage the count, totals per currency and the first deals, of what the caller may see',
    tag: TAG,
    access: ACCESS.dealsRead,
    params: pipelineParams,
    query: boardQuery,
    responses: [ok(boardSchema, 'The board')],
    handler: async ({ params, query, clients, downstream }) => {
      const dealsPerStage =
        query.dealsPerStage === undefined ? 0 : query.dealsPerStage === 0 ? -1 : query.dealsPerStage;
      const response = await callUnary(downstream, clients.pipelines.getBoard.bind(clients.pipelines), {
        pipelineId: serviceId(params.id),
        dealsPerStage,
        ownerId: query.ownerId ?? '',
        teamId: query.teamId ?? '',
      });
      const body = jsonOf(response) as { columns: Array<{ nextCursor: string | null }> };
      for (const column of body.columns) column.nextCursor = column.nextCursor || null;
      return { status: 200, body };
    },
  }),
];
