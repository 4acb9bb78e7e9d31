import type { Macro } from '@crm/proto/crm/ticket/v1/support';
import { ACCESS } from '../auth/access-policy';
import { callUnary } from '../grpc/unary-call';
import { defineRoute, type Route, type RouteResult } from '../http/route';
import { jsonOf } from '../mappers/json-of';
import { idParams, listOf } from '../schemas/common.schema';
import { macroApplySchema, macroInputSchema, macroResultsSchema, macroSchema } from '../schemas/ticket.schema';
import { created, ok } from './common-responses';
import { expectedVersion, required } from './route-helpers';

const TAG = 'Macros';
const BASE = '/api/v1/macros';

const result = (macro: Macro | undefined, status = 200): RouteResult => {
  const m = required(macro, 'a macro');
  return { status, body: jsonOf(m), version: m.version };
};

function actionsOf(body: { actions: Record<string, unknown> }) {
  const a = body.actions as {
    status?: string;
    priority?: string;
    type?: string;
    assigneeId?: string;
    groupId?: string;
    addTags: string[];
    removeTags: string[];
    customFields?: Record<string, unknown>;
    reply: string;
    replyPublic: boolean;
  };
  return {
    status: a.status ?? '',
    priority: a.priority ?? '',
    type: a.type ?? '',
    assigneeId: a.assigneeId ?? '',
    groupId: a.groupId ?? '',
    addTags: a.addTags,
    removeTags: a.removeTags,
    customFields: a.customFields ?? {},
    reply: a.reply,
    replyPublic: a.replyPublic,
  };
}

export const macroRoutes: Route[] = [
  defineRoute({
    method: 'get',
    path: BASE,
    operationId: 'listMacros',
    summary: 'Macros of the tenant',
    tag: TAG,
    access: ACCESS.supportConfigRead,
    responses: [ok(listOf(macroSchema, 'MacroList'), 'Every macro, by name')],
    handler: async ({ clients, downstream }) => {
      const response = await callUnary(downstream, clients.support.listMacros.bind(clients.support), {});
      return { status: 200, body: { data: jsonOf(response.macros), nextCursor: null } };
    },
  }),
  defineRoute({
    method: 'post',
    path: BASE,
    operationId: 'createMacro',
    summary: 'Define a macro: named field changes and an optional reply (admins, support managers)',
    tag: TAG,
    access: ACCESS.macrosManage,
    body: macroInputSchema,
    responses: [created(macroSchema, 'The macro')],
    handler: async ({ body, clients, downstream }) => {
      const response = await callUnary(downstream, clients.support.createMacro.bind(clients.support), {
        macro: { name: body.name, description: body.description, actions: actionsOf(body) },
      });
      return { ...result(response.macro, 201), location: `${BASE}/${response.macro?.id}` };
    },
  }),
  defineRoute({
    method: 'get',
    path: `${BASE}/{id}`,
    operationId: 'getMacro',
    summary: 'Get a macro',
    tag: TAG,
    access: ACCESS.supportConfigRead,
    params: idParams,
    responses: [ok(macroSchema, 'The macro', { etag: true })],
    handler: async ({ params, clients, downstream }) =>
      result((await callUnary(downstream, clients.support.getMacro.bind(clients.support), { id: params.id })).macro),
  }),
  defineRoute({
    method: 'put',
    path: `${BASE}/{id}`,
    operationId: 'replaceMacro',
    summary: 'Replace a macro',
    tag: TAG,
    access: ACCESS.macrosManage,
    ifMatch: 'required',
    params: idParams,
    body: macroInputSchema,
    responses: [ok(macroSchema, 'The macro', { etag: true })],
    handler: async ({ params, body, precondition, clients, downstream }) => {
      const version = await expectedVersion(
        precondition,
        async () =>
          required(
            (await callUnary(downstream, clients.support.getMacro.bind(clients.support), { id: params.id })).macro,
            'a macro',
          ).version,
      );
      const response = await callUnary(downstream, clients.support.updateMacro.bind(clients.support), {
        id: params.id,
        expectedVersion: version,
        macro: { name: body.name, description: body.description, actions: actionsOf(body) },
      });
      return result(response.macro);
    },
  }),
  defineRoute({
    method: 'delete',
    path: `${BASE}/{id}`,
    operationId: 'deleteMacro',
    summary: 'Delete a macro',
    tag: TAG,
    access: ACCESS.macrosManage,
    ifMatch: 'required',
    params: idParams,
    responses: [ok(macroSchema, 'The deleted macro', { etag: true })],
    handler: async ({ params, precondition, clients, downstream }) => {
      const version = await expectedVersion(
        precondition,
        async () =>
          required(
            (await callUnary(downstream, clients.support.getMacro.bind(clients.support), { id: params.id })).macro,
            'a macro',
          ).version,
      );
      return result(
        (
          await callUnary(downstream, clients.support.deleteMacro.bind(clients.support), {
            id: params.id,
            expectedVersion: version,
          })
        ).macro,
      );
    },
  }),
  defineRoute({
    method: 'post',
    path: `${BASE}/{id}/apply`,
    operationId: 'applyMacro',
    summary: 'Apply a macro to one or many tickets',
    description: 'Each ticket succeeds or fails alone: outcome ok, not_found, invalid or conflict.',
    tag: TAG,
    access: ACCESS.ticketsCurate,
    params: idParams,
    body: macroApplySchema,
    responses: [ok(macroResultsSchema, 'One result per ticket')],
    handler: async ({ params, body, clients, downstream }) => {
      const response = await callUnary(downstream, clients.tickets.applyMacro.bind(clients.tickets), {
        macroId: params.id,
        ticketIds: body.ticketIds,
      });
      return { status: 200, body: { data: jsonOf(response.results), nextCursor: null } };
    },
  }),
];
