import express, { type Request, type RequestHandler, type Response, type Router } from 'express';
import type { TokenVerifier } from '@crm/service-kit/edge';
import { isAllowed, type AccessPolicy } from '../auth/access-policy';
import { authenticate, principalOf } from '../auth/authenticate.middleware';
import type { ServiceClients } from '../grpc/service-clients';
import type { Downstream } from '../grpc/unary-call';
import { etagOf, parseIfMatch, requirePrecondition, type Precondition } from './etag';
import { formPostBody, hasBody, jsonBody, PATCH_TYPES } from './json-body.middleware';
import { problems } from './problem';
import { deadlineOf } from './request-timeout.middleware';
import { expressPath, type Route, type RouteResult } from './route';
import { parseInput } from './validation';

export const CSV_UPLOAD_TYPES = ['multipart/form-data', 'text/csv'];

export interface MountOptions {
  verifier: TokenVerifier;
  rateLimit: RequestHandler;
  /** Per client address (and path, when asked), for public routes that ask for it. */
  publicRateLimit: (perPath: boolean) => RequestHandler;
  idempotency: RequestHandler;
  clients: ServiceClients;
  bodyLimitBytes: number;
  importLimitBytes: number;
}

/** Mounts each route with its chain: authenticate, rate limit, authorise, parse, idempotency, validate, handle. */
export function mountRoutes(router: Router, routes: Route[], options: MountOptions): void {
  const authn = authenticate(options.verifier);
  for (const route of routes) {
    const chain: RequestHandler[] = [];
    if (route.access) chain.push(authn, options.rateLimit, authorize(route.access));
    else if (route.publicRateLimit) chain.push(options.publicRateLimit(route.publicRateLimit === 'per-path'));
    chain.push(...bodyParsers(route, options));
    if (route.method === 'post' && route.access) chain.push(options.idempotency);
    chain.push(handle(route, options.clients));
    router[route.method](expressPath(route.path), ...chain);
  }
}

function authorize(policy: AccessPolicy): RequestHandler {
  return (req, _res, next) => {
    if (!isAllowed(principalOf(req), policy)) throw problems.forbidden();
    next();
  };
}

function bodyParsers(route: Route, options: MountOptions): RequestHandler[] {
  switch (route.bodyKind ?? (route.method === 'get' || route.method === 'delete' ? 'none' : 'json')) {
    case 'json':
      return jsonBody(options.bodyLimitBytes);
    case 'merge-patch':
      return jsonBody(options.bodyLimitBytes, PATCH_TYPES);
    case 'csv-upload':
      return csvUpload(options.importLimitBytes);
    case 'form-post':
      return formPostBody(options.bodyLimitBytes);
    case 'none':
      return [rejectBody];
  }
}

const rejectBody: RequestHandler = (req, _res, next) => {
  if (hasBody(req.headers)) throw problems.badRequest('This request takes no body');
  next();
};

/** The upload is read whole (bounded by the limit), so the idempotency fingerprint covers the file. */
function csvUpload(limitBytes: number): RequestHandler[] {
  const requireType: RequestHandler = (req, _res, next) => {
    if (!req.is(CSV_UPLOAD_TYPES)) throw problems.unsupportedMediaType(CSV_UPLOAD_TYPES);
    next();
  };
  const read = express.raw({ type: CSV_UPLOAD_TYPES, limit: limitBytes });
  const keep: RequestHandler = (req, _res, next) => {
    req.rawBody = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    next();
  };
  return [requireType, read, keep];
}

function handle(route: Route, clients: ServiceClients): RequestHandler {
  return async (req, res) => {
    const params = route.params ? parseInput(route.params, req.params, 'path') : {};
    const query = route.query ? parseInput(route.query, req.query, 'query') : {};
    const body =
      route.body && route.bodyKind !== 'csv-upload' ? parseInput(route.body, req.body ?? {}, 'body') : undefined;
    const precondition = preconditionOf(route, req);
    const result = await route.handler({
      params,
      query,
      body,
      principal: route.access ? principalOf(req) : (undefined as never),
      downstream: downstreamOf(req, res),
      clients,
      precondition,
      req,
      res,
    });
    if (result) send(res, result);
  };
}

function preconditionOf(route: Route, req: Request): Precondition {
  if (route.ifMatch === 'required') return requirePrecondition(req.get('if-match'));
  if (route.ifMatch === 'optional') return parseIfMatch(req.get('if-match')) ?? { kind: 'any' };
  return { kind: 'any' };
}

/**
 * The caller's token and what remains of the request's deadline. Reads are cancelled when the client goes away;
 * writes run to their end, so their outcome can still be stored for an idempotent retry.
 */
function downstreamOf(req: Request, res: Response): Downstream {
  let controller: AbortController | undefined;
  return {
    token: req.accessToken ?? '',
    deadline: deadlineOf(req),
    // Made on first use: routes that call no service (and their requests) pay nothing for it.
    get signal() {
      if (!controller) {
        const made = new AbortController();
        controller = made;
        // Only a client that left before the answer cancels (aborting creates an exception object).
        if (req.method === 'GET') res.once('close', () => !res.writableFinished && made.abort());
      }
      return controller.signal;
    },
    onCancel(cancel) {
      if (req.method !== 'GET') return () => {};
      const onClose = () => !res.writableFinished && cancel();
      res.once('close', onClose);
      return () => res.removeListener('close', onClose);
    },
    requestKey: req.requestKey ? { key: req.requestKey, calls: 0 } : undefined,
  };
}

function send(res: Response, result: RouteResult): void {
  res.status(result.status);
  if (result.version !== undefined) res.setHeader('etag', etagOf(result.version));
  if (result.location) res.location(result.location);
  if (result.body === undefined) res.end();
  else res.json(result.body);
}
