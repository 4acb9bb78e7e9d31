// Tasks and reminders, with the usual record visibility (the workflow service decides it). A task's reminder is
// sent as task.reminder over /api/v1/events to whoever may see the task.
import { z } from 'zod';
import { TaskFilter, TaskInput, type Task } from '@crm/proto/crm/workflow/v1/task';
import { ACCESS } from '../auth/access-policy';
import type { ServiceClients } from '../grpc/service-clients';
import { callUnary, type Downstream } from '../grpc/unary-call';
import type { Precondition } from '../http/etag';
import { defineRoute, type Route, type RouteResult } from '../http/route';
import { jsonOf, listBody } from '../mappers/json-of';
import { toUpdateMask } from '../mappers/update-mask';
import { idParams, pageQuery } from '../schemas/common.schema';
import {
  taskCreateSchema,
  taskListQuery,
  taskListSchema,
  taskPatchSchema,
  taskSchema,
  taskSnoozeSchema,
} from '../schemas/workflow.schema';
import { created, ok } from './common-responses';
import { dateOrUndefined, expectedVersion, OWNERSHIP_RULE, required } from './route-helpers';

const TAG = 'Tasks';
const BASE = '/api/v1/tasks';

function taskResult(task: Task | undefined, status = 200): RouteResult {
  const value = required(task, 'a task');
  return { status, body: jsonOf(value), version: value.version };
}

function getTask(clients: ServiceClients, downstream: Downstream, id: string): Promise<Task> {
  return callUnary(downstream, clients.tasks.getTask.bind(clients.tasks), { id }).then((r) =>
    required(r.task, 'a task'),
  );
}

/** Timestamps arrive as RFC 3339 strings; the contract takes dates (null clears). */
function withDates(input: Record<string, unknown>): Partial<TaskInput> {
  const out: Record<string, unknown> = { ...input };
  for (const key of ['dueAt', 'reminderAt'])
    if (key in out) out[key] = typeof out[key] === 'string' ? new Date(out[key]) : undefined;
  return out as Partial<TaskInput>;
}

async function updateTask(
  clients: ServiceClients,
  downstream: Downstream,
  id: string,
  precondition: Precondition,
  input: Partial<TaskInput>,
  paths: string[],
): Promise<RouteResult> {
  const version = await expectedVersion(precondition, () => getTask(clients, downstream, id).then((t) => t.version));
  const response = await callUnary(downstream, clients.tasks.updateTask.bind(clients.tasks), {
    id,
    expectedVersion: version,
    task: TaskInput.fromPartial(input),
    updateMask: paths,
  });
  return taskResult(response.task);
}

async function listTasks(
  clients: ServiceClients,
  downstream: Downstream,
  query: z.infer<typeof taskListQuery>,
): Promise<RouteResult> {
  const { limit, cursor, dueBefore, ...filter } = query;
  const response = await callUnary(downstream, clients.tasks.listTasks.bind(clients.tasks), {
    filter: TaskFilter.fromPartial({ ...filter, dueBefore: dateOrUndefined(dueBefore) }),
    page: { limit: limit ?? 0, cursor: cursor ?? '' },
  });
  return { status: 200, body: listBody(response.tasks, response.page) };
}

export const taskRoutes: Route[] = [
  defineRoute({
    method: 'post',
    path: BASE,
    operationId: 'createTask',
    summary: 'Create a task',
    description: `Related records (contactId, companyId, dealId, ticketId) are links. Without ownerId/teamId the caller owns it. ${OWNERSHIP_RULE}`,
    tag: TAG,
    access: ACCESS.tasksWrite,
    body: taskCreateSchema,
    responses: [created(taskSchema, 'The task')],
    handler: async ({ body, clients, downstream }) => {
      const response = await callUnary(downstream, clients.tasks.createTask.bind(clients.tasks), {
        task: TaskInput.fromPartial(withDates(body)),
      });
      return { ...taskResult(response.task, 201), location: `${BASE}/${response.task?.id}` };
    },
  }),
  defineRoute({
    method: 'get',
    path: BASE,
    operationId: 'listTasks',
    summary: 'List tasks',
    description: 'Open tasks sort by due time, overdue first; with another status newest first.',
    tag: TAG,
    access: ACCESS.tasksRead,
    query: taskListQuery,
    responses: [ok(taskListSchema, 'A page of tasks')],
    handler: async ({ query, clients, downstream }) => listTasks(clients, downstream, query),
  }),
  defineRoute({
    method: 'get',
    path: '/api/v1/me/tasks',
    operationId: 'listMyTasks',
    summary: 'My open tasks, overdue first',
    tag: TAG,
    access: ACCESS.tasksRead,
    query: z.strictObject({ overdueOnly: taskListQuery.shape.overdueOnly, ...pageQuery }),
    responses: [ok(taskListSchema, 'A page of tasks')],
    handler: async ({ query, clients, downstream }) =>
      listTasks(clients, downstream, { ...query, ownerId: 'me', status: 'open' }),
  }),
  defineRoute({
    method: 'get',
    path: `${BASE}/{id}`,
    operationId: 'getTask',
    summary: 'Get a task',
    tag: TAG,
    access: ACCESS.tasksRead,
    params: idParams,
    responses: [ok(taskSchema, 'The task', { etag: true })],
    handler: async ({ params, clients, downstream }) => taskResult(await getTask(clients, downstream, params.id)),
  }),
  defineRoute({
    method: 'patch',
    path: `${BASE}/{id}`,
    operationId: 'updateTask',
    summary: 'Update a task (merge patch)',
    description: `null clears dueAt or reminderAt. ${OWNERSHIP_RULE} Needs If-Match.`,
    tag: TAG,
    access: ACCESS.tasksWrite,
    bodyKind: 'merge-patch',
    ifMatch: 'required',
    params: idParams,
    body: taskPatchSchema,
    responses: [ok(taskSchema, 'The updated task', { etag: true })],
    handler: async ({ params, body, precondition, clients, downstream }) => {
      const { input, paths } = toUpdateMask<TaskInput>(body, { dueAt: undefined, reminderAt: undefined });
      if (paths.length === 0) return taskResult(await getTask(clients, downstream, params.id));
      return updateTask(clients, downstream, params.id, precondition, withDates(input), paths);
    },
  }),
  defineRoute({
    method: 'delete',
    path: `${BASE}/{id}`,
    operationId: 'deleteTask',
    summary: 'Delete a task',
    tag: TAG,
    access: ACCESS.tasksWrite,
    ifMatch: 'required',
    params: idParams,
    responses: [ok(taskSchema, 'The deleted task', { etag: true })],
    handler: async ({ params, precondition, clients, downstream }) => {
      const version = await expectedVersion(precondition, () =>
        getTask(clients, downstream, params.id).then((t) => t.version),
      );
      const response = await callUnary(downstream, clients.tasks.deleteTask.bind(clients.tasks), {
        id: params.id,
        expectedVersion: version,
      });
      return taskResult(response.task);
    },
  }),
  defineRoute({
    method: 'post',
    path: `${BASE}/{id}/complete`,
    operationId: 'completeTask',
    summary: 'Complete a task',
    description: "Its pending reminder is cancelled. If-Match, when given, is the task's ETag.",
    tag: TAG,
    access: ACCESS.tasksWrite,
    ifMatch: 'optional',
    params: idParams,
    body: z.strictObject({}),
    responses: [ok(taskSchema, 'The completed task', { etag: true })],
    handler: async ({ params, precondition, clients, downstream }) =>
      updateTask(clients, downstream, params.id, precondition, { status: 'completed' }, ['status']),
  }),
  defineRoute({
    method: 'post',
    path: `${BASE}/{id}/snooze`,
    operationId: 'snoozeTask',
    summary: "Snooze a task's reminder",
    description: 'The reminder fires again at until (with moveDue, the task falls due then too).',
    tag: TAG,
    access: ACCESS.tasksWrite,
    ifMatch: 'optional',
    params: idParams,
    body: taskSnoozeSchema,
    responses: [ok(taskSchema, 'The snoozed task', { etag: true })],
    handler: async ({ params, body, precondition, clients, downstream }) => {
      const until = new Date(body.until);
      const input: Partial<TaskInput> = body.moveDue ? { reminderAt: until, dueAt: until } : { reminderAt: until };
      const paths = body.moveDue ? ['reminder_at', 'due_at'] : ['reminder_at'];
      return updateTask(clients, downstream, params.id, precondition, input, paths);
    },
  }),
];
