import type { BusinessCalendar, SlaPolicy } from '@crm/proto/crm/ticket/v1/sla';
import { ACCESS } from '../auth/access-policy';
import { callUnary } from '../grpc/unary-call';
import { defineRoute, type Route, type RouteResult } from '../http/route';
import { jsonOf } from '../mappers/json-of';
import { idParams, listOf } from '../schemas/common.schema';
import { calendarInputSchema, calendarSchema, policyInputSchema, policySchema } from '../schemas/ticket.schema';
import { created, ok } from './common-responses';
import { expectedVersion, required } from './route-helpers';

const TAG = 'SLA';
const CALENDARS = '/api/v1/business-calendars';
const POLICIES = '/api/v1/sla-policies';

const result = (value: BusinessCalendar | SlaPolicy | undefined, status = 200): RouteResult => {
  const v = required(value, 'a record');
  return { status, body: jsonOf(v), version: v.version };
};

export const slaRoutes: Route[] = [
  defineRoute({
    method: 'get',
    path: CALENDARS,
    operationId: 'listBusinessCalendars',
    summary: 'Business calendars of the tenant',
    tag: TAG,
    access: ACCESS.supportConfigRead,
    responses: [ok(listOf(calendarSchema, 'BusinessCalendarList'), 'Every calendar')],
    handler: async ({ clients, downstream }) => {
      const response = await callUnary(downstream, clients.sla.listBusinessCalendars.bind(clients.sla), {
        page: undefined,
      });
      return { status: 200, body: { data: jsonOf(response.calendars), nextCursor: null } };
    },
  }),
  defineRoute({
    method: 'post',
    path: CALENDARS,
    operationId: 'createBusinessCalendar',
    summary: 'Define a business calendar (admin)',
    description: 'Weekly working intervals in an IANA time zone (overlaps are refused), one-off and yearly holidays.',
    tag: TAG,
    access: ACCESS.admin,
    body: calendarInputSchema,
    responses: [created(calendarSchema, 'The calendar')],
    handler: async ({ body, clients, downstream }) => {
      const response = await callUnary(downstream, clients.sla.createBusinessCalendar.bind(clients.sla), {
        calendar: body,
      });
      return { ...result(response.calendar, 201), location: `${CALENDARS}/${response.calendar?.id}` };
    },
  }),
  defineRoute({
    method: 'get',
    path: `${CALENDARS}/{id}`,
    operationId: 'getBusinessCalendar',
    summary: 'Get a business calendar',
    tag: TAG,
    access: ACCESS.supportConfigRead,
    params: idParams,
    responses: [ok(calendarSchema, 'The calendar', { etag: true })],
    handler: async ({ params, clients, downstream }) =>
      result(
        (await callUnary(downstream, clients.sla.getBusinessCalendar.bind(clients.sla), { id: params.id })).calendar,
      ),
  }),
  defineRoute({
    method: 'put',
    path: `${CALENDARS}/{id}`,
    operationId: 'replaceBusinessCalendar',
    summary: 'Replace a business calendar (admin); open tickets counted in it are recomputed',
    tag: TAG,
    access: ACCESS.admin,
    ifMatch: 'required',
    params: idParams,
    body: calendarInputSchema,
    responses: [ok(calendarSchema, 'The calendar', { etag: true })],
    handler: async ({ params, body, precondition, clients, downstream }) => {
      const version = await expectedVersion(
        precondition,
        async () =>
          required(
            (await callUnary(downstream, clients.sla.getBusinessCalendar.bind(clients.sla), { id: params.id }))
              .calendar,
            'a calendar',
          ).version,
      );
      const response = await callUnary(downstream, clients.sla.updateBusinessCalendar.bind(clients.sla), {
        id: params.id,
        expectedVersion: version,
        calendar: body,
      });
      return result(response.calendar);
    },
  }),
  defineRoute({
    method: 'delete',
    path: `${CALENDARS}/{id}`,
    operationId: 'deleteBusinessCalendar',
    summary: 'Delete a business calendar no policy uses (admin)',
    tag: TAG,
    access: ACCESS.admin,
    ifMatch: 'required',
    params: idParams,
    responses: [ok(calendarSchema, 'The deleted calendar', { etag: true })],
    handler: async ({ params, precondition, clients, downstream }) => {
      const version = await expectedVersion(
        precondition,
        async () =>
          required(
            (await callUnary(downstream, clients.sla.getBusinessCalendar.bind(clients.sla), { id: params.id }))
              .calendar,
            'a calendar',
          ).version,
      );
      return result(
        (
          await callUnary(downstream, clients.sla.deleteBusinessCalendar.bind(clients.sla), {
            id: params.id,
            expectedVersion: version,
          })
        ).calendar,
      );
    },
  }),
  defineRoute({
    method: 'get',
    path: POLICIES,
    operationId: 'listSlaPolicies',
    summary: 'SLA policies in evaluation order',
    tag: TAG,
    access: ACCESS.supportConfigRead,
    responses: [ok(listOf(policySchema, 'SlaPolicyList'), 'Every policy')],
    handler: async ({ clients, downstream }) => {
      const response = await callUnary(downstream, clients.sla.listSlaPolicies.bind(clients.sla), {});
      return { status: 200, body: { data: jsonOf(response.policies), nextCursor: null } };
    },
  }),
  defineRoute({
    method: 'post',
    path: POLICIES,
    operationId: 'createSlaPolicy',
    summary: 'Define an SLA policy (admin)',
    description:
      'Targets per priority and metric in business or calendar seconds; the first enabled policy by position whose conditions match applies. Open tickets are recomputed.',
    tag: TAG,
    access: ACCESS.admin,
    body: policyInputSchema,
    responses: [created(policySchema, 'The policy')],
    handler: async ({ body, clients, downstream }) => {
      const response = await callUnary(downstream, clients.sla.createSlaPolicy.bind(clients.sla), {
        policy: { ...body, calendarId: body.calendarId ?? '' },
      });
      return { ...result(response.policy, 201), location: `${POLICIES}/${response.policy?.id}` };
    },
  }),
  defineRoute({
    method: 'get',
    path: `${POLICIES}/{id}`,
    operationId: 'getSlaPolicy',
    summary: 'Get an SLA policy',
    tag: TAG,
    access: ACCESS.supportConfigRead,
    params: idParams,
    responses: [ok(policySchema, 'The policy', { etag: true })],
    handler: async ({ params, clients, downstream }) =>
      result((await callUnary(downstream, clients.sla.getSlaPolicy.bind(clients.sla), { id: params.id })).policy),
  }),
  defineRoute({
    method: 'put',
    path: `${POLICIES}/{id}`,
    operationId: 'replaceSlaPolicy',
    summary: 'Replace an SLA policy (admin); open tickets are recomputed, elapsed time carries over',
    tag: TAG,
    access: ACCESS.admin,
    ifMatch: 'required',
    params: idParams,
    body: policyInputSchema,
    responses: [ok(policySchema, 'The policy', { etag: true })],
    handler: async ({ params, body, precondition, clients, downstream }) => {
      const version = await expectedVersion(
        precondition,
        async () =>
          required(
            (await callUnary(downstream, clients.sla.getSlaPolicy.bind(clients.sla), { id: params.id })).policy,
            'a policy',
          ).version,
      );
      const response = await callUnary(downstream, clients.sla.updateSlaPolicy.bind(clients.sla), {
        id: params.id,
        expectedVersion: version,
        policy: { ...body, calendarId: body.calendarId ?? '' },
      });
      return result(response.policy);
    },
  }),
  defineRoute({
    method: 'delete',
    path: `${POLICIES}/{id}`,
    operationId: 'deleteSlaPolicy',
    summary: 'Delete an SLA policy (admin)',
    tag: TAG,
    access: ACCESS.admin,
    ifMatch: 'required',
    params: idParams,
    responses: [ok(policySchema, 'The deleted policy', { etag: true })],
    handler: async ({ params, precondition, clients, downstream }) => {
      const version = await expectedVersion(
        precondition,
        async () =>
          required(
            (await callUnary(downstream, clients.sla.getSlaPolicy.bind(clients.sla), { id: params.id })).policy,
            'a policy',
          ).version,
      );
      return result(
        (
          await callUnary(downstream, clients.sla.deleteSlaPolicy.bind(clients.sla), {
            id: params.id,
            expectedVersion: version,
          })
        ).policy,
      );
    },
  }),
];
