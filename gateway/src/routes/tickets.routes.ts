import { z } from 'zod';
import { TicketFilter, TicketInput, type Ticket } from '@crm/proto/crm/ticket/v1/ticket';
import { ACCESS } from '../auth/access-policy';
import type { ServiceClients } from '../grpc/service-clients';
import { callUnary, type Downstream } from '../grpc/unary-call';
import { defineRoute, type Route, type RouteResult } from '../http/route';
import { jsonOf, listBody } from '../mappers/json-of';
import { toUpdateMask } from '../mappers/update-mask';
import { booleanQuery, idParams, pageQuery } from '../schemas/common.schema';
import {
  commentCreateSchema,
  commentListSchema,
  commentResultSchema,
  historySchema,
  mergeSchema,
  ticketCreateSchema,
  ticketListQuery,
  ticketListSchema,
  ticketPatchSchema,
  ticketSchema,
} from '../schemas/ticket.schema';
import { created, ok } from './common-responses';
import { expectedVersion, required } from './route-helpers';

const TAG = 'Tickets';
const BASE = '/api/v1/tickets';

function ticketResult(ticket: Ticket | undefined, status = 200): RouteResult {
  const value = required(ticket, 'a ticket');
  return { status, body: jsonOf(value), version: value.version };
}

function getTicket(
  clients: ServiceClients,
  downstream: Downstream,
  id: string,
  includeDeleted = false,
): Promise<Ticket> {
  return callUnary(downstream, clients.tickets.getTicket.bind(clients.tickets), { id, includeDeleted }).then((r) =>
    required(r.ticket, 'a ticket'),
  );
}

const currentVersion = (clients: ServiceClients, downstream: Downstream, id: string) => () =>
  getTicket(clients, downstream, id).then((t) => t.version);

export const ticketRoutes: Route[] = [
  defineRoute({
    method: 'post',
    path: BASE,
    operationId: 'createTicket',
    summary: 'Create a ticket',
    description:
      "The requester is a contact (requesterContactId), or an email matched to the tenant's contact with that email or a new contact. Without groupId the ticket goes to the caller's first group; a group with automatic assignment picks the agent. The SLA policy that matches applies at once.",
    tag: TAG,
    access: ACCESS.ticketsWrite,
    body: ticketCreateSchema,
    responses: [created(ticketSchema, 'The ticket')],
    handler: async ({ body, clients, downstream }) => {
      const response = await callUnary(downstream, clients.tickets.createTicket.bind(clients.tickets), {
        ticket: TicketInput.fromPartial(body),
      });
      return { ...ticketResult(response.ticket, 201), location: `${BASE}/${response.ticket?.id}` };
    },
  }),
  defineRoute({
    method: 'get',
    path: BASE,
    operationId: 'listTickets',
    summary: 'Queues, views and search',
    description:
      'The tickets the caller may see. view= picks a named queue (breaching = open tickets with a running SLA clock, due soonest first); the filters narrow it; q= searches instead (newest activity first). Cursor-paginated.',
    tag: TAG,
    access: ACCESS.ticketsRead,
    query: ticketListQuery,
    responses: [ok(ticketListSchema, 'A page of tickets')],
    handler: async ({ query, clients, downstream }) => {
      const filter = TicketFilter.fromPartial({
        statuses: query.status ?? [],
        priorities: query.priority ?? [],
        groupId: query.groupId ?? '',
        assigneeId: query.assigneeId ?? '',
        tags: query.tag ?? [],
        requesterContactId: query.requesterContactId ?? '',
        companyId: query.companyId ?? '',
        slaBreachedOnly: query.slaBreached ?? false,
      });
      const page = { limit: query.limit ?? 0, cursor: query.cursor ?? '' };
      const response = query.q
        ? await callUnary(downstream, clients.tickets.searchTickets.bind(clients.tickets), {
            query: query.q,
            filter,
            page,
          })
        : await callUnary(downstream, clients.tickets.listTickets.bind(clients.tickets), {
            filter,
            orderBy: query.orderBy ?? '',
            view: query.view ?? '',
            page,
          });
      return { status: 200, body: listBody(response.tickets, response.page) };
    },
  }),
  defineRoute({
    method: 'get',
    path: `${BASE}/{id}`,
    operationId: 'getTicket',
    summary: 'Get a ticket',
    tag: TAG,
    access: ACCESS.ticketsRead,
    params: idParams,
    query: z.strictObject({ includeDeleted: booleanQuery.optional() }),
    responses: [ok(ticketSchema, 'The ticket', { etag: true })],
    handler: async ({ params, query, clients, downstream }) =>
      ticketResult(await getTicket(clients, downstream, params.id, query.includeDeleted)),
  }),
  defineRoute({
    method: 'patch',
    path: `${BASE}/{id}`,
    operationId: 'updateTicket',
    summary: 'Update a ticket (merge patch)',
    description:
      "JSON merge patch; customFields merge key by key. Status, priority and group changes recompute the SLA clocks from the ticket's history. Needs If-Match.",
    tag: TAG,
    access: ACCESS.ticketsWrite,
    bodyKind: 'merge-patch',
    ifMatch: 'required',
    params: idParams,
    body: ticketPatchSchema,
    responses: [ok(ticketSchema, 'The updated ticket', { etag: true })],
    handler: async ({ params, body, precondition, clients, downstream }) => {
      const version = await expectedVersion(precondition, currentVersion(clients, downstream, params.id));
      const { input, paths } = toUpdateMask<TicketInput>(body, { tags: [], dealIds: [] });
      if (paths.length === 0) return ticketResult(await getTicket(clients, downstream, params.id));
      const response = await callUnary(downstream, clients.tickets.updateTicket.bind(clients.tickets), {
        id: params.id,
        expectedVersion: version,
        ticket: TicketInput.fromPartial(input),
        updateMask: paths,
      });
      return ticketResult(response.ticket);
    },
  }),
  defineRoute({
    method: 'delete',
    path: `${BASE}/{id}`,
    operationId: 'deleteTicket',
    summary: 'Delete a ticket (soft)',
    tag: TAG,
    access: ACCESS.ticketsWrite,
    ifMatch: 'required',
    params: idParams,
    responses: [ok(ticketSchema, 'The deleted ticket', { etag: true })],
    handler: async ({ params, precondition, clients, downstream }) => {
      const version = await expectedVersion(precondition, currentVersion(clients, downstream, params.id));
      const response = await callUnary(downstream, clients.tickets.deleteTicket.bind(clients.tickets), {
        id: params.id,
        expectedVersion: version,
      });
      return ticketResult(response.ticket);
    },
  }),
  defineRoute({
    method: 'post',
    path: `${BASE}/{id}/comments`,
    operationId: 'addTicketComment',
    summary: 'Reply or add an internal note',
    description:
      "A public agent reply fulfils the first-reply and next-reply targets and opens a new ticket; a requester comment reopens a pending or solved one. Attachments are metadata (the file lives at its https URL). If-Match, when given, is the ticket's ETag.",
    tag: TAG,
    access: ACCESS.ticketsWrite,
    ifMatch: 'optional',
    params: idParams,
    body: commentCreateSchema,
    responses: [created(commentResultSchema, 'The comment and the ticket after it')],
    handler: async ({ params, body, precondition, clients, downstream }) => {
      const response = await callUnary(downstream, clients.tickets.addComment.bind(clients.tickets), {
        ticketId: params.id,
        public: body.public,
        body: body.body,
        attachments: body.attachments,
        authorKind: body.authorKind,
        status: body.status ?? '',
        expectedVersion: precondition.kind === 'version' ? precondition.version : 0,
      });
      const ticket = required(response.ticket, 'a ticket');
      return {
        status: 201,
        body: { comment: jsonOf(response.comment), ticket: jsonOf(ticket) },
        version: ticket.version,
        location: `${BASE}/${params.id}/comments`,
      };
    },
  }),
  defineRoute({
    method: 'get',
    path: `${BASE}/{id}/comments`,
    operationId: 'listTicketComments',
    summary: 'The conversation, oldest first (with the comments of tickets merged into it)',
    tag: TAG,
    access: ACCESS.ticketsRead,
    params: idParams,
    query: z.strictObject({ ...pageQuery }),
    responses: [ok(commentListSchema, 'A page of comments')],
    handler: async ({ params, query, clients, downstream }) => {
      const response = await callUnary(downstream, clients.tickets.listComments.bind(clients.tickets), {
        ticketId: params.id,
        page: { limit: query.limit ?? 0, cursor: query.cursor ?? '' },
      });
      return { status: 200, body: listBody(response.comments, response.page) };
    },
  }),
  defineRoute({
    method: 'post',
    path: `${BASE}/{id}/merge`,
    operationId: 'mergeTickets',
    summary: 'Merge duplicate tickets into this one',
    description:
      "The sources are closed with mergedInto set; their conversation shows on this ticket. If-Match, when given, is this ticket's ETag.",
    tag: TAG,
    access: ACCESS.ticketsCurate,
    ifMatch: 'optional',
    params: idParams,
    body: mergeSchema,
    responses: [ok(ticketSchema, 'The surviving ticket', { etag: true })],
    handler: async ({ params, body, precondition, clients, downstream }) => {
      const response = await callUnary(downstream, clients.tickets.mergeTickets.bind(clients.tickets), {
        targetId: params.id,
        sourceIds: body.sourceIds,
        expectedTargetVersion: precondition.kind === 'version' ? precondition.version : 0,
      });
      return ticketResult(response.ticket);
    },
  }),
  defineRoute({
    method: 'get',
    path: `${BASE}/{id}/history`,
    operationId: 'getTicketHistory',
    summary: 'Every version of the ticket, newest first, with field changes',
    tag: TAG,
    access: ACCESS.ticketsRead,
    params: idParams,
    responses: [ok(historySchema, 'The history')],
    handler: async ({ params, clients, downstream }) => {
      const response = await callUnary(downstream, clients.tickets.getTicketHistory.bind(clients.tickets), {
        id: params.id,
      });
      return { status: 200, body: { data: jsonOf(response.entries), nextCursor: null } };
    },
  }),
];
