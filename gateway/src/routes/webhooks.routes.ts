// Outbound webhook endpoints (signed the Standard Webhooks way), their delivery log, and replay of failed or
// dead-lettered deliveries.
import { z } from 'zod';
import { EndpointInput, type WebhookEndpoint } from '@crm/proto/crm/workflow/v1/webhook';
import { ACCESS } from '../auth/access-policy';
import type { ServiceClients } from '../grpc/service-clients';
import { callUnary, type Downstream } from '../grpc/unary-call';
import { problems } from '../http/problem';
import { defineRoute, type Route, type RouteResult } from '../http/route';
import { jsonOf, listBody } from '../mappers/json-of';
import { snakeCase } from '../mappers/update-mask';
import { idParams, pageQuery } from '../schemas/common.schema';
import {
  deliveryListQuery,
  deliveryListSchema,
  deliveryParams,
  deliverySchema,
  endpointCreateSchema,
  endpointListSchema,
  endpointPatchSchema,
  endpointSchema,
  endpointWithSecretSchema,
  replayResultSchema,
  replaySchema,
  rotateSchema,
} from '../schemas/workflow.schema';
import { ok } from './common-responses';
import { expectedVersion, required } from './route-helpers';

const TAG = 'Webhooks';
const BASE = '/api/v1/webhook-endpoints';

function endpointResult(endpoint: WebhookEndpoint | undefined): RouteResult {
  const value = required(endpoint, 'an endpoint');
  return { status: 200, body: jsonOf(value), version: value.version };
}

function getEndpoint(clients: ServiceClients, downstream: Downstream, id: string): Promise<WebhookEndpoint> {
  return callUnary(downstream, clients.webhooks.getEndpoint.bind(clients.webhooks), { id }).then((r) =>
    required(r.endpoint, 'an endpoint'),
  );
}

const currentVersion = (clients: ServiceClients, downstream: Downstream, id: string) => () =>
  getEndpoint(clients, downstream, id).then((e) => e.version);

export const webhookRoutes: Route[] = [
  defineRoute({
    method: 'post',
    path: BASE,
    operationId: 'createWebhookEndpoint',
    summary: 'Create a webhook endpoint',
    description:
      'Deliveries carry webhook-id, webhook-timestamp and webhook-signature (v1,<base64 HMAC-SHA256 of id.timestamp.body>) per standardwebhooks.com. The URL must be https and resolve to a public address; a private, loopback, link-local or metadata address is a 400 naming url. The signing secret is in the answer, only there.',
    tag: TAG,
    access: ACCESS.webhooksWrite,
    body: endpointCreateSchema,
    responses: [
      { status: 201, description: 'The endpoint and its secret', schema: endpointWithSecretSchema, location: true },
    ],
    handler: async ({ body, clients, downstream }) => {
      const response = await callUnary(downstream, clients.webhooks.createEndpoint.bind(clients.webhooks), {
        endpoint: EndpointInput.fromPartial({ status: 'enabled', ...body }),
      });
      const endpoint = required(response.endpoint, 'an endpoint');
      return {
        status: 201,
        body: { endpoint: jsonOf(endpoint), secret: response.secret },
        version: endpoint.version,
        location: `${BASE}/${endpoint.id}`,
      };
    },
  }),
  defineRoute({
    method: 'get',
    path: BASE,
    operationId: 'listWebhookEndpoints',
    summary: 'List webhook endpoints',
    tag: TAG,
    access: ACCESS.webhooksRead,
    query: z.strictObject(pageQuery),
    responses: [ok(endpointListSchema, 'A page of endpoints')],
    handler: async ({ query, clients, downstream }) => {
      const response = await callUnary(downstream, clients.webhooks.listEndpoints.bind(clients.webhooks), {
        page: { limit: query.limit ?? 0, cursor: query.cursor ?? '' },
      });
      return { status: 200, body: listBody(response.endpoints, response.page) };
    },
  }),
  defineRoute({
    method: 'get',
    path: `${BASE}/{id}`,
    operationId: 'getWebhookEndpoint',
    summary: 'Get a webhook endpoint',
    tag: TAG,
    access: ACCESS.webhooksRead,
    params: idParams,
    responses: [ok(endpointSchema, 'The endpoint', { etag: true })],
    handler: async ({ params, clients, downstream }) =>
      endpointResult(await getEndpoint(clients, downstream, params.id)),
  }),
  defineRoute({
    method: 'patch',
    path: `${BASE}/{id}`,
    operationId: 'updateWebhookEndpoint',
    summary: 'Update a webhook endpoint (merge patch)',
    description: 'status "enabled" re-enables an endpoint that was disabled for failing. Needs If-Match.',
    tag: TAG,
    access: ACCESS.webhooksWrite,
    bodyKind: 'merge-patch',
    ifMatch: 'required',
    params: idParams,
    body: endpointPatchSchema,
    responses: [ok(endpointSchema, 'The updated endpoint', { etag: true })],
    handler: async ({ params, body, precondition, clients, downstream }) => {
      const paths = Object.keys(body)
        .filter((key) => body[key as keyof typeof body] !== undefined)
        .map(snakeCase);
      if (paths.length === 0) return endpointResult(await getEndpoint(clients, downstream, params.id));
      const version = await expectedVersion(precondition, currentVersion(clients, downstream, params.id));
      const response = await callUnary(downstream, clients.webhooks.updateEndpoint.bind(clients.webhooks), {
        id: params.id,
        expectedVersion: version,
        endpoint: EndpointInput.fromPartial(body),
        updateMask: paths,
      });
      return endpointResult(response.endpoint);
    },
  }),
  defineRoute({
    method: 'delete',
    path: `${BASE}/{id}`,
    operationId: 'deleteWebhookEndpoint',
    summary: 'Delete a webhook endpoint',
    tag: TAG,
    access: ACCESS.webhooksWrite,
    ifMatch: 'required',
    params: idParams,
    responses: [ok(endpointSchema, 'The deleted endpoint', { etag: true })],
    handler: async ({ params, precondition, clients, downstream }) => {
      const version = await expectedVersion(precondition, currentVersion(clients, downstream, params.id));
      const response = await callUnary(downstream, clients.webhooks.deleteEndpoint.bind(clients.webhooks), {
        id: params.id,
        expectedVersion: version,
      });
      return endpointResult(response.endpoint);
    },
  }),
  defineRoute({
    method: 'post',
    path: `${BASE}/{id}/rotate-secret`,
    operationId: 'rotateWebhookSecret',
    summary: "Rotate an endpoint's signing secret",
    description: 'During the overlap both secrets sign (two v1 signatures), so receivers can switch without a gap.',
    tag: TAG,
    access: ACCESS.webhooksWrite,
    params: idParams,
    body: rotateSchema,
    responses: [ok(endpointWithSecretSchema, 'The endpoint and its new secret (shown only here)', { etag: true })],
    handler: async ({ params, body, clients, downstream }) => {
      const response = await callUnary(downstream, clients.webhooks.rotateSecret.bind(clients.webhooks), {
        id: params.id,
        overlapSeconds: body.overlapSeconds ?? 0,
      });
      const endpoint = required(response.endpoint, 'an endpoint');
      return {
        status: 200,
        body: { endpoint: jsonOf(endpoint), secret: response.secret },
        version: endpoint.version,
      };
    },
  }),
  defineRoute({
    method: 'get',
    path: `${BASE}/{id}/deliveries`,
    operationId: 'listWebhookDeliveries',
    summary: "An endpoint's delivery log, newest first",
    description: 'Every attempt with its status code (0: no answer), latency and error.',
    tag: TAG,
    access: ACCESS.webhooksRead,
    params: idParams,
    query: deliveryListQuery,
    responses: [ok(deliveryListSchema, 'A page of deliveries')],
    handler: async ({ params, query, clients, downstream }) => {
      const response = await callUnary(downstream, clients.webhooks.listDeliveries.bind(clients.webhooks), {
        endpointId: params.id,
        status: query.status ?? '',
        page: { limit: query.limit ?? 0, cursor: query.cursor ?? '' },
      });
      return { status: 200, body: listBody(response.deliveries, response.page) };
    },
  }),
  defineRoute({
    method: 'get',
    path: `${BASE}/{id}/deliveries/{deliveryId}`,
    operationId: 'getWebhookDelivery',
    summary: 'One delivery with its attempts and the body sent',
    tag: TAG,
    access: ACCESS.webhooksRead,
    params: deliveryParams,
    responses: [ok(deliverySchema, 'The delivery', { etag: true })],
    handler: async ({ params, clients, downstream }) => {
      const response = await callUnary(downstream, clients.webhooks.getDelivery.bind(clients.webhooks), {
        id: params.deliveryId,
      });
      const delivery = required(response.delivery, 'a delivery');
      // The path names the endpoint: a delivery of another endpoint is not under it.
      if (delivery.endpointId !== params.id) throw problems.notFound();
      return { status: 200, body: jsonOf(delivery), version: delivery.version };
    },
  }),
  defineRoute({
    method: 'post',
    path: `${BASE}/{id}/replay`,
    operationId: 'replayWebhookDeliveries',
    summary: 'Send failed or dead-lettered deliveries again',
    description:
      'The named deliveries, or every one of the endpoint with the status (dead_lettered by default), with a fresh retry window. The webhook-id stays the same, so receivers can drop what they already have.',
    tag: TAG,
    access: ACCESS.webhooksWrite,
    params: idParams,
    body: replaySchema,
    responses: [{ status: 202, description: 'The deliveries queued again', schema: replayResultSchema }],
    handler: async ({ params, body, clients, downstream }) => {
      const response = await callUnary(downstream, clients.webhooks.replayDeliveries.bind(clients.webhooks), {
        endpointId: params.id,
        deliveryIds: body.deliveryIds ?? [],
        status: body.status ?? 'dead_lettered',
      });
      return { status: 202, body: { deliveryIds: response.deliveryIds } };
    },
  }),
];
