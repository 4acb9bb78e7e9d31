import { OpenApiGeneratorV31, OpenAPIRegistry, type RouteConfig } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import type { Route, ResponseSpec } from '../http/route';
import { problemSchema } from '../schemas/common.schema';

export type OpenApiDocument = ReturnType<OpenApiGeneratorV31['generateDocument']>;

const problemContent = { 'application/problem+json': { schema: problemSchema } };

/** Answers every route can give, besides its own. */
function commonResponses(route: Route): Record<
  number,
  {
    description: string;
    content?: typeof problemContent;
    headers?: Record<string, { description: string; schema: { type: 'string' } }>;
  }
> {
  const responses: Record<
    number,
    {
      description: string;
      content?: typeof problemContent;
      headers?: Record<string, { description: string; schema: { type: 'string' } }>;
    }
  > = {
    400: { description: 'Invalid input; errors lists the fields', content: problemContent },
    500: { description: 'Unexpected failure (no details are disclosed)', content: problemContent },
    408: { description: 'The request arrived too slowly', content: problemContent },
    431: { description: 'The request line and headers are larger than 16 KiB', content: problemContent },
    503: {
      description: 'A service is unavailable, or the gateway is at capacity',
      content: problemContent,
      headers: { 'Retry-After': { description: 'Seconds to wait', schema: { type: 'string' } } },
    },
    504: { description: 'The request or a service ran out of time', content: problemContent },
  };
  if (route.access) {
    responses[401] = {
      description: 'Missing, invalid or expired token',
      content: problemContent,
      headers: { 'WWW-Authenticate': { description: 'Bearer challenge', schema: { type: 'string' } } },
    };
    responses[403] = {
      description: `Not allowed for the caller's role or scopes (${route.access.name})`,
      content: problemContent,
    };
    responses[404] = { description: 'Not found, or not visible to the caller', content: problemContent };
  }
  if (route.access || route.publicRateLimit) {
    responses[429] = {
      description: 'Rate limit exhausted',
      content: problemContent,
      headers: { 'Retry-After': { description: 'Seconds to wait', schema: { type: 'string' } } },
    };
  }
  if (route.method === 'post' || route.method === 'put' || route.method === 'patch') {
    responses[413] = { description: 'Body too large', content: problemContent };
    responses[415] = { description: 'Unsupported Content-Type', content: problemContent };
  }
  if (route.method === 'post' && route.access) {
    responses[409] = {
      description: 'Conflict, e.g. the Idempotency-Key is in use by a request in flight',
      content: problemContent,
    };
    responses[422] = { description: 'The Idempotency-Key was used with a different request', content: problemContent };
  }
  for (const [status, description] of Object.entries(route.problems ?? {}))
    responses[Number(status)] = { description, content: problemContent };
  if (route.ifMatch)
    responses[412] = { description: 'If-Match does not match the current version', content: problemContent };
  if (route.ifMatch === 'required') responses[428] = { description: 'If-Match is required', content: problemContent };
  return responses;
}

function responseOf(spec: ResponseSpec) {
  const headers: Record<string, { description: string; schema: { type: 'string' } }> = {};
  if (spec.etag)
    headers.ETag = {
      description: 'The record\'s version as a strong entity tag, e.g. "3"; send it back in If-Match',
      schema: { type: 'string' },
    };
  if (spec.location) headers.Location = { description: 'URL of the created resource', schema: { type: 'string' } };
  return {
    description: spec.description,
    ...(Object.keys(headers).length ? { headers } : {}),
    ...(spec.schema
      ? {
          content: Object.fromEntries([
            ...[spec.contentType ?? 'application/json']
              .flat()
              .map((type) => [type, { schema: spec.schema as z.ZodType }]),
            ...Object.entries(spec.alternatives ?? {}).map(([type, schema]) => [type, { schema }]),
          ]),
        }
      : {}),
  };
}

function requestBodyOf(route: Route): RouteConfig['request'] {
  const request: NonNullable<RouteConfig['request']> = {};
  if (route.params) request.params = route.params as z.ZodObject;
  if (route.query) request.query = route.query as z.ZodObject;
  if (route.body && route.bodyKind === 'csv-upload') {
    request.body = {
      required: true,
      content: {
        'multipart/form-data': { schema: route.body },
        'text/csv': {
          schema: z.string().meta({ description: 'The CSV; entity, matchBy and mapping go in the query.' }),
        },
      },
    };
  } else if (route.body) {
    const types =
      route.bodyKind === 'merge-patch'
        ? ['application/merge-patch+json', 'application/json']
        : route.bodyKind === 'form-post'
          ? ['application/json', 'application/x-www-form-urlencoded']
          : ['application/json'];
    request.body = {
      required: route.method !== 'post' || !isEmptyObject(route.body),
      content: Object.fromEntries(types.map((t) => [t, { schema: route.body as z.ZodType }])),
    };
  }
  return request;
}

function isEmptyObject(schema: z.ZodType): boolean {
  const shape = (schema as Partial<z.ZodObject>).shape;
  return shape !== undefined && Object.keys(shape).length === 0;
}

function headerParameters(route: Route) {
  const parameters: Array<{
    name: string;
    in: 'header';
    required: boolean;
    description: string;
    schema: { type: 'string'; pattern?: string };
  }> = [];
  if (route.ifMatch)
    parameters.push({
      name: 'If-Match',
      in: 'header',
      required: route.ifMatch === 'required',
      description: 'The ETag the change is based on, or "*"',
      // One entity tag: a list is refused; a tag that names no version is 412.
      schema: { type: 'string', pattern: '^[^,]*$' },
    });
  if (route.method === 'post' && route.access) {
    parameters.push({
      name: 'Idempotency-Key',
      in: 'header',
      required: false,
      description: 'Makes a retry safe: the same key and body replay the first response for 24 h',
      schema: { type: 'string', pattern: '^[\\x21-\\x7E]{1,255}$' },
    });
  }
  return parameters;
}

/** The OpenAPI 3.1 document of the routes, from the zod schemas that validate their input. */
export function buildOpenApiDocument(
  routes: Route[],
  extra: (registry: OpenAPIRegistry) => void = () => undefined,
): OpenApiDocument {
  const registry = new OpenAPIRegistry();
  const bearer = registry.registerComponent('securitySchemes', 'bearerAuth', {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description: 'A Keycloak access token of realm crm (audience crm-api).',
  });
  for (const route of routes) {
    const responses = {
      ...commonResponses(route),
      ...Object.fromEntries(route.responses.map((r) => [r.status, responseOf(r)])),
    };
    registry.registerPath({
      method: route.method,
      path: route.path,
      operationId: route.operationId,
      summary: route.summary,
      description:
        [route.description, route.access ? `Allowed for: ${route.access.name}.` : undefined]
          .filter(Boolean)
          .join('\n\n') || undefined,
      tags: [route.tag],
      security: route.access ? [{ [bearer.name]: [] }] : [],
      request: requestBodyOf(route),
      ...(headerParameters(route).length ? { parameters: headerParameters(route) } : {}),
      responses,
    });
  }
  extra(registry);
  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'CRM API',
      version: '1.0.0',
      description:
        'REST API of the CRM platform. JSON is camelCase; lists answer {data, nextCursor} and take limit and cursor. Errors are RFC 9457 problem+json. Records carry an ETag, their version as a strong tag (e.g. "3"); PATCH and DELETE need If-Match with it (or *). POST takes an Idempotency-Key. Rate limits are announced in RateLimit and RateLimit-Policy headers.',
    },
    servers: [{ url: '/' }],
  });
}
