// Runs: every trigger that matched a rule, each step with its status, input, output and error; failed runs are
// retried from the failed step.
import { z } from 'zod';
import { RunFilter, type Run } from '@crm/proto/crm/workflow/v1/run';
import { ACCESS } from '../auth/access-policy';
import type { ServiceClients } from '../grpc/service-clients';
import { callUnary, type Downstream } from '../grpc/unary-call';
import { defineRoute, type Route, type RouteResult } from '../http/route';
import { jsonOf, listBody } from '../mappers/json-of';
import { idParams } from '../schemas/common.schema';
import { runListQuery, runListSchema, runRetrySchema, runSchema } from '../schemas/workflow.schema';
import { ok } from './common-responses';
import { dateOrUndefined, expectedVersion, required } from './route-helpers';

const TAG = 'Workflow runs';
const BASE = '/api/v1/workflow-runs';

function runResult(run: Run | undefined): RouteResult {
  const value = required(run, 'a run');
  return { status: 200, body: jsonOf(value), version: value.version };
}

function getRun(clients: ServiceClients, downstream: Downstream, id: string): Promise<Run> {
  return callUnary(downstream, clients.runs.getRun.bind(clients.runs), { id }).then((r) => required(r.run, 'a run'));
}

export const workflowRunRoutes: Route[] = [
  defineRoute({
    method: 'get',
    path: BASE,
    operationId: 'listWorkflowRuns',
    summary: 'List runs, newest first',
    description: 'Summaries (steps are in the detail). Each person sees the runs about what they may see.',
    tag: TAG,
    access: ACCESS.runsRead,
    query: runListQuery,
    responses: [ok(runListSchema, 'A page of runs')],
    handler: async ({ query, clients, downstream }) => {
      const { limit, cursor, createdAfter, createdBefore, ...filter } = query;
      const response = await callUnary(downstream, clients.runs.listRuns.bind(clients.runs), {
        filter: RunFilter.fromPartial({
          ...filter,
          createdAfter: dateOrUndefined(createdAfter),
          createdBefore: dateOrUndefined(createdBefore),
        }),
        page: { limit: limit ?? 0, cursor: cursor ?? '' },
      });
      return { status: 200, body: listBody(response.runs, response.page) };
    },
  }),
  defineRoute({
    method: 'get',
    path: `${BASE}/{id}`,
    operationId: 'getWorkflowRun',
    summary: 'A run with the status, input, output and error of every step',
    tag: TAG,
    access: ACCESS.runsRead,
    params: idParams,
    responses: [ok(runSchema, 'The run', { etag: true })],
    handler: async ({ params, clients, downstream }) => runResult(await getRun(clients, downstream, params.id)),
  }),
  defineRoute({
    method: 'post',
    path: `${BASE}/{id}/retry`,
    operationId: 'retryWorkflowRun',
    summary: 'Retry a failed run from its failed step',
    description: 'Steps that succeeded are not repeated; actions stay idempotent by their action id.',
    tag: TAG,
    access: ACCESS.workflowsWrite,
    ifMatch: 'optional',
    params: idParams,
    body: runRetrySchema,
    responses: [ok(runSchema, 'The run, running again', { etag: true })],
    handler: async ({ params, body, precondition, clients, downstream }) => {
      const version = await expectedVersion(precondition, () =>
        getRun(clients, downstream, params.id).then((r) => r.version),
      );
      const response = await callUnary(downstream, clients.runs.retryRun.bind(clients.runs), {
        id: params.id,
        expectedVersion: version,
        fromStepId: body.fromStepId ?? '',
      });
      return runResult(response.run);
    },
  }),
  defineRoute({
    method: 'post',
    path: `${BASE}/{id}/cancel`,
    operationId: 'cancelWorkflowRun',
    summary: 'Cancel a waiting or retrying run',
    description: 'Steps not yet done are skipped.',
    tag: TAG,
    access: ACCESS.workflowsWrite,
    ifMatch: 'optional',
    params: idParams,
    body: z.strictObject({}),
    responses: [ok(runSchema, 'The cancelled run', { etag: true })],
    handler: async ({ params, precondition, clients, downstream }) => {
      const version = await expectedVersion(precondition, () =>
        getRun(clients, downstream, params.id).then((r) => r.version),
      );
      const response = await callUnary(downstream, clients.runs.cancelRun.bind(clients.runs), {
        id: params.id,
        expectedVersion: version,
      });
      return runResult(response.run);
    },
  }),
];
