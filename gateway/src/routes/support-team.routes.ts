// Who takes tickets: support agents (groups, working-hours calendar, away, capacity) and how each support group
// assigns new tickets (manual, round-robin, least-open). Admins change them; an agent marks themselves away.
import { z } from 'zod';
import type { Agent, SupportGroup } from '@crm/proto/crm/ticket/v1/support';
import { ACCESS } from '../auth/access-policy';
import { callUnary } from '../grpc/unary-call';
import type { Precondition } from '../http/etag';
import { HttpProblem } from '../http/problem';
import { defineRoute, type Route, type RouteResult } from '../http/route';
import { jsonOf } from '../mappers/json-of';
import { idSchema, listOf } from '../schemas/common.schema';
import {
  agentInputSchema,
  agentListQuery,
  agentSchema,
  awayInputSchema,
  groupInputSchema,
  groupSchema,
} from '../schemas/ticket.schema';
import { ok, problem } from './common-responses';
import { required } from './route-helpers';

const TAG = 'Support team';
/** The ticket service's reason for a user id that names no user of the tenant. */
const UNKNOWN_USER = 'UNKNOWN_USER';
const AGENTS = '/api/v1/support-agents';
const GROUPS = '/api/v1/support-groups';

/** The version an If-Match names, as the request's record version (0: replace whatever is there). */
const versionOf = (precondition: Precondition): number => (precondition.kind === 'version' ? precondition.version : 0);

const result = (value: Agent | SupportGroup | undefined): RouteResult => {
  const v = required(value, 'a record');
  return { status: 200, body: jsonOf(v), version: v.version };
};

export const supportTeamRoutes: Route[] = [
  defineRoute({
    method: 'get',
    path: AGENTS,
    operationId: 'listSupportAgents',
    summary: 'Support agents of the tenant (of one group with groupId)',
    tag: TAG,
    access: ACCESS.supportConfigRead,
    query: agentListQuery,
    responses: [ok(listOf(agentSchema, 'SupportAgentList'), 'Every agent, by user id')],
    handler: async ({ query, clients, downstream }) => {
      const response = await callUnary(downstream, clients.support.listAgents.bind(clients.support), {
        groupId: query.groupId ?? '',
      });
      return { status: 200, body: { data: jsonOf(response.agents), nextCursor: null } };
    },
  }),
  defineRoute({
    method: 'put',
    path: `${AGENTS}/{userId}`,
    operationId: 'putSupportAgent',
    summary: "Set an agent's groups, calendar, capacity and away flag",
    description:
      'Admins only; an agent marks themselves away with PUT /api/v1/me/support-away. The userId must name a user ' +
      'of the tenant in the identity provider (else 422 naming userId). ' +
      'Replaces the whole agent, so a retry is harmless; with If-Match only that version is replaced (else 412).',
    tag: TAG,
    access: ACCESS.admin,
    ifMatch: 'optional',
    params: z.strictObject({ userId: idSchema }),
    body: agentInputSchema,
    responses: [
      ok(agentSchema, 'The agent', { etag: true }),
      problem(422, 'userId names no user of the tenant (in the identity provider); errors[] names the field'),
    ],
    handler: async ({ params, body, precondition, clients, downstream }) => {
      const response = await callUnary(downstream, clients.support.putAgent.bind(clients.support), {
        agent: { ...body, userId: params.userId, tenantId: '', version: versionOf(precondition), updatedAt: undefined },
      }).catch((error: unknown) => {
        // The input is well-formed but names no one: 422, still naming the field.
        if (error instanceof HttpProblem && error.problem.reason === UNKNOWN_USER)
          throw new HttpProblem(422, error.message, error.problem);
        throw error;
      });
      return result(response.agent);
    },
  }),
  defineRoute({
    method: 'put',
    path: '/api/v1/me/support-away',
    operationId: 'putMySupportAway',
    summary: 'Mark yourself away (or back) as a support agent',
    description:
      'Away agents get no new tickets by round-robin or least-open assignment. Only the away flag of the caller ' +
      'changes; 404 when the caller is not a support agent of the tenant. With If-Match only that version is ' +
      'changed (else 412).',
    tag: TAG,
    access: ACCESS.supportConfigRead,
    ifMatch: 'optional',
    body: awayInputSchema,
    responses: [ok(agentSchema, 'The agent', { etag: true })],
    handler: async ({ body, principal, precondition, clients, downstream }) => {
      const { agents } = await callUnary(downstream, clients.support.listAgents.bind(clients.support), {
        groupId: '',
      });
      const me = agents.find((a) => a.userId === principal.userId);
      if (!me) throw new HttpProblem(404, 'You are not a support agent of this tenant');
      // The version just read unless If-Match names one: a concurrent admin change is a 412, never overwritten.
      const version = precondition.kind === 'version' ? precondition.version : me.version;
      const response = await callUnary(downstream, clients.support.putAgent.bind(clients.support), {
        agent: { ...me, away: body.away, version, updatedAt: undefined },
      });
      return result(response.agent);
    },
  }),
  defineRoute({
    method: 'get',
    path: GROUPS,
    operationId: 'listSupportGroups',
    summary: 'How the support groups assign new tickets',
    tag: TAG,
    access: ACCESS.supportConfigRead,
    responses: [ok(listOf(groupSchema, 'SupportGroupList'), 'Every configured group, by id')],
    handler: async ({ clients, downstream }) => {
      const response = await callUnary(downstream, clients.support.listGroups.bind(clients.support), {});
      return { status: 200, body: { data: jsonOf(response.groups), nextCursor: null } };
    },
  }),
  defineRoute({
    method: 'put',
    path: `${GROUPS}/{groupId}`,
    operationId: 'putSupportGroup',
    summary: "Set a support group's assignment mode (admin)",
    description: 'Creates or replaces the group; with If-Match only that version is replaced (else 412).',
    tag: TAG,
    access: ACCESS.admin,
    ifMatch: 'optional',
    params: z.strictObject({ groupId: idSchema }),
    body: groupInputSchema,
    responses: [ok(groupSchema, 'The group', { etag: true })],
    handler: async ({ params, body, precondition, clients, downstream }) => {
      const response = await callUnary(downstream, clients.support.putGroup.bind(clients.support), {
        group: {
          groupId: params.groupId,
          tenantId: '',
          assignment: body.assignment,
          version: versionOf(precondition),
          updatedAt: undefined,
        },
      });
      return result(response.group);
    },
  }),
];
