import type { Request, Response } from 'express';
import type { z } from 'zod';
import type { Principal } from '@crm/service-kit/edge';
import type { AccessPolicy } from '../auth/access-policy';
import type { ServiceClients } from '../grpc/service-clients';
import type { Downstream } from '../grpc/unary-call';
import type { Precondition } from './etag';

// One declaration per route: express mounts it (auth, limits, parsing, validation, idempotency, handler) and the
// OpenAPI document is generated from the very same schemas, so the two cannot drift.

export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';

export type BodyKind = 'json' | 'merge-patch' | 'csv-upload' | 'form-post' | 'none';

export interface ResponseSpec {
  status: number;
  description: string;
  schema?: z.ZodType;
  /** Media type(s) of the body; application/json by default. */
  contentType?: string | string[];
  /** The same answer in other media types with their own schema, e.g. text/csv. */
  alternatives?: Record<string, z.ZodType>;
  /** The response carries the record's ETag. */
  etag?: boolean;
  location?: boolean;
}

export interface RouteContext<P, Q, B> {
  params: P;
  query: Q;
  body: B;
  principal: Principal;
  downstream: Downstream;
  clients: ServiceClients;
  /** Parsed If-Match; { kind: 'any' } when the route takes none or an optional one was left out. */
  precondition: Precondition;
  req: Request;
  res: Response;
}

export interface RouteResult {
  status: number;
  body?: unknown;
  /** Version of the record in the body: sent as its ETag. */
  version?: number;
  location?: string;
}

interface RouteBase {
  method: HttpMethod;
  /** OpenAPI form, e.g. "/api/v1/contacts/{id}". */
  path: string;
  operationId: string;
  summary: string;
  description?: string;
  tag: string;
  /** Undefined only for the public routes (the OpenAPI document, health). */
  access?: AccessPolicy;
  bodyKind?: BodyKind;
  /** required: changes a versioned record (PATCH, DELETE), 428 without If-Match; optional: an action that honours one. */
  ifMatch?: 'required' | 'optional';
  /** A public route (no access) limited per client address (e.g. the CSAT survey), or per address and path. */
  publicRateLimit?: boolean | 'per-path';
  /** Problem answers of its own besides the common ones, e.g. a public route's 404 for a link that names nothing. */
  problems?: Record<number, string>;
  /** GET routes that stream (SSE, exports) are exempt from the request timeout. */
  streaming?: boolean;
  responses: ResponseSpec[];
}

export interface RouteSpec<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType> extends RouteBase {
  params?: P;
  query?: Q;
  /** The JSON body; for a csv-upload route, the multipart form (documented, read by the handler). */
  body?: B;
  /** Returns what to send, or undefined when it wrote the response itself (streams). */
  handler: (ctx: RouteContext<z.infer<P>, z.infer<Q>, z.infer<B>>) => Promise<RouteResult | undefined>;
}

/** A route with its types erased, so routes of every shape fit one list. */
export interface Route extends RouteBase {
  params?: z.ZodType;
  query?: z.ZodType;
  body?: z.ZodType;
  handler: (ctx: RouteContext<unknown, unknown, unknown>) => Promise<RouteResult | undefined>;
}

export function defineRoute<
  P extends z.ZodType = z.ZodNever,
  Q extends z.ZodType = z.ZodNever,
  B extends z.ZodType = z.ZodNever,
>(spec: RouteSpec<P, Q, B>): Route {
  return spec as unknown as Route;
}

/** "/api/v1/contacts/{id}" → "/api/v1/contacts/:id" */
export function expressPath(openApiPath: string): string {
  return openApiPath.replace(/\{([A-Za-z0-9_]+)\}/g, ':$1');
}
