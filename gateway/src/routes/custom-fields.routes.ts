import { CustomFieldDefinition as ContactFieldDefinition } from '@crm/proto/crm/contact/v1/settings';
import { CustomFieldDefinition as DealFieldDefinition } from '@crm/proto/crm/pipeline/v1/pipeline';
import { z } from 'zod';
import { ACCESS, isAllowed } from '../auth/access-policy';
import type { ServiceClients } from '../grpc/service-clients';
import { callUnary, type Downstream } from '../grpc/unary-call';
import { defineRoute, type Route, type RouteResult } from '../http/route';
import { jsonOf } from '../mappers/json-of';
import {
  customFieldEntities,
  customFieldEntityParams,
  customFieldSetResultSchema,
  customFieldSetSchema,
} from '../schemas/custom-field.schema';
import { ok } from './common-responses';
import { expectedVersion } from './route-helpers';

type Entity = (typeof customFieldEntities)[number];
const TAG = 'Custom fields';

function result(entity: Entity, definitions: unknown[], version: number): RouteResult {
  return { status: 200, body: { entity, definitions: jsonOf(definitions), version }, version };
}

async function readDefinitions(clients: ServiceClients, downstream: Downstream, entity: Entity): Promise<RouteResult> {
  if (entity === 'deal') {
    const response = await callUnary(downstream, clients.pipelines.getDealFieldDefinitions.bind(clients.pipelines), {});
    return result(entity, response.definitions, response.version);
  }
  const response = await callUnary(downstream, clients.settings.getCustomFieldDefinitions.bind(clients.settings), {
    entity,
  });
  return result(entity, response.definitions, response.version);
}

export const customFieldRoutes: Route[] = [
  defineRoute({
    method: 'get',
    path: '/api/v1/custom-fields',
    operationId: 'listCustomFields',
    summary: 'The custom field definitions of every entity',
    tag: TAG,
    access: ACCESS.anyone,
    responses: [
      ok(z.object({ data: z.array(customFieldSetResultSchema), nextCursor: z.null() }), 'One set per entity'),
    ],
    handler: async ({ principal, clients, downstream }) => {
      // Deal fields only for callers who may read deals.
      const entities = customFieldEntities.filter((e) => e !== 'deal' || isAllowed(principal, ACCESS.dealsRead));
      const sets = await Promise.all(entities.map((entity) => readDefinitions(clients, downstream, entity)));
      return { status: 200, body: { data: sets.map((s) => s.body), nextCursor: null } };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/api/v1/custom-fields/{entity}',
    operationId: 'getCustomFields',
    summary: 'The custom field definitions of contacts, companies or deals',
    description: 'Readable by every user of the tenant (forms need them). The ETag is the version of the set.',
    tag: TAG,
    access: ACCESS.anyone,
    params: customFieldEntityParams,
    responses: [ok(customFieldSetResultSchema, 'The definitions', { etag: true })],
    handler: ({ params, clients, downstream }) => readDefinitions(clients, downstream, params.entity),
  }),
  defineRoute({
    method: 'put',
    path: '/api/v1/custom-fields/{entity}',
    operationId: 'setCustomFields',
    summary: 'Replace the custom field definitions (admin)',
    description:
      'The complete set: a field is archived, never left out. If-Match is the ETag read ("0" before the first save).',
    tag: TAG,
    access: ACCESS.admin,
    ifMatch: 'required',
    params: customFieldEntityParams,
    body: customFieldSetSchema,
    responses: [ok(customFieldSetResultSchema, 'The saved definitions', { etag: true })],
    handler: async ({ params, body, precondition, clients, downstream }) => {
      const version = await expectedVersion(precondition, async () =>
        Number((await readDefinitions(clients, downstream, params.entity)).version),
      );
      if (params.entity === 'deal') {
        const definitions = body.definitions.map((d) => DealFieldDefinition.fromPartial(d));
        const response = await callUnary(
          downstream,
          clients.pipelines.setDealFieldDefinitions.bind(clients.pipelines),
          { definitions, expectedVersion: version },
        );
        return result(params.entity, response.definitions, response.version);
      }
      const definitions = body.definitions.map((d) => ContactFieldDefinition.fromPartial(d));
      const response = await callUnary(downstream, clients.settings.setCustomFieldDefinitions.bind(clients.settings), {
        entity: params.entity,
        definitions,
        expectedVersion: version,
      });
      return result(params.entity, response.definitions, response.version);
    },
  }),
];
