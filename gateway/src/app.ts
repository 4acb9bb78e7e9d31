import cors from 'cors';
import express, { Router, type Express, type RequestHandler } from 'express';
import { z } from 'zod';
import type { Logger } from 'pino';
import { Histogram, type Registry } from 'prom-client';
import type { TokenVerifier } from '@crm/service-kit/edge';
import type { GatewayConfig } from './config';
import { docsRouter } from './docs/docs.router';
import type { EventStreamOptions } from './events/event-stream';
import type { ServiceClients } from './grpc/service-clients';
import { accessLog } from './http/access-log';
import { admissionControl } from './http/admission.middleware';
import { errorHandler, notFound } from './http/error-handler';
import { mountRoutes } from './http/mount-routes';
import { requestId } from './http/request-id.middleware';
import { requestTimeout } from './http/request-timeout.middleware';
import { securityHeaders } from './http/security-headers';
import { defineRoute, expressPath, type Route } from './http/route';
import { idempotency } from './idempotency/idempotency.middleware';
import type { IdempotencyStore } from './idempotency/idempotency.store';
import { buildOpenApiDocument, type OpenApiDocument } from './openapi/openapi-document';
import { publicRateLimit, rateLimit } from './rate-limit/rate-limit.middleware';
import type { RateLimitStore } from './rate-limit/rate-limit.store';
import { apiRoutes } from './routes/api-routes';
import { PUBLIC_FORM_PATH } from './routes/forms.routes';
import { publicFormCors } from './routes/public-form-cors';
import type { SessionSet } from './routes/events.routes';
import type { Readiness } from './routes/health.routes';
import { defaultWebDistDir, mountWebApp } from './web/mount-web-app';

export interface AppDeps {
  config: GatewayConfig;
  log: Logger;
  metrics: Registry;
  verifier: TokenVerifier;
  clients: ServiceClients;
  idempotencyStore: IdempotencyStore;
  rateLimitStore: RateLimitStore;
  events: Omit<EventStreamOptions, 'log'>;
  sessions: SessionSet;
  readiness: Readiness;
}

export interface GatewayApp {
  app: Express;
  routes: Route[];
  document: OpenApiDocument;
}

const EXPOSED_HEADERS = [
  'ETag',
  'Location',
  'RateLimit',
  'RateLimit-Policy',
  'Retry-After',
  'X-Request-Id',
  'Idempotent-Replayed',
];
const ALLOWED_HEADERS = [
  'Authorization',
  'Content-Type',
  'If-Match',
  'Idempotency-Key',
  'Last-Event-ID',
  'X-Request-Id',
];

export function createApp(deps: AppDeps): GatewayApp {
  const { config, log } = deps;
  // The document describes itself too, so its route exists before it is built.
  const built: { document?: OpenApiDocument } = {};
  const routes = [
    ...apiRoutes({ ...deps.events, log }, deps.sessions, deps.readiness),
    openApiRoute(() => built.document),
  ];
  const document = buildOpenApiDocument(routes);
  built.document = document;
  const streamingPaths = new Set(routes.filter((r) => r.streaming).map((r) => r.path));

  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(requestId);
  app.use(accessLog(log));
  app.use(httpMetrics(deps.metrics));
  app.use(
    admissionControl({
      maxInFlight: config.MAX_IN_FLIGHT,
      maxQueued: config.MAX_QUEUED,
      queueTimeoutMs: config.QUEUE_TIMEOUT_MS,
      maxLongLived: config.MAX_LONG_LIVED,
      isLongLived: (req) => streamingPaths.has(req.path),
      metrics: deps.metrics,
    }),
  );
  // TLS ends in front of the gateway; upgrading the docs' asset requests to https would break plain-http local use.
  app.use(securityHeaders({ contentSecurityPolicy: { directives: { upgradeInsecureRequests: null } } }));
  // Before the gateway-wide CORS: a public form admits the origins its admin listed.
  app.use(expressPath(PUBLIC_FORM_PATH), publicFormCors(deps.clients));
  const gatewayCors = cors({
    origin: (origin, done) => done(null, origin !== undefined && config.CORS_ORIGINS.includes(origin)),
    exposedHeaders: EXPOSED_HEADERS,
    allowedHeaders: ALLOWED_HEADERS,
    maxAge: 600,
  });
  // Without an Origin header cors admits no origin and sets nothing: a request from no browser page skips it.
  app.use((req, res, next) => (req.headers.origin === undefined ? next() : gatewayCors(req, res, next)));
  app.use(requestTimeout(config.REQUEST_TIMEOUT_MS, (req) => streamingPaths.has(req.path)));

  const router = Router();
  mountRoutes(router, routes, {
    verifier: deps.verifier,
    rateLimit: rateLimit(
      deps.rateLimitStore,
      {
        tenant: {
          name: 'tenant',
          capacity: config.RATE_LIMIT_TENANT_BURST,
          refillPerSec: config.RATE_LIMIT_TENANT_PER_SEC,
        },
        client: {
          name: 'client',
          capacity: config.RATE_LIMIT_CLIENT_BURST,
          refillPerSec: config.RATE_LIMIT_CLIENT_PER_SEC,
        },
      },
      log,
    ),
    publicRateLimit: (perPath) =>
      publicRateLimit(
        deps.rateLimitStore,
        { name: 'public', capacity: config.RATE_LIMIT_PUBLIC_BURST, refillPerSec: config.RATE_LIMIT_PUBLIC_PER_SEC },
        log,
        perPath,
      ),
    idempotency: idempotency(deps.idempotencyStore, log),
    clients: deps.clients,
    bodyLimitBytes: config.BODY_LIMIT_BYTES,
    importLimitBytes: config.IMPORT_LIMIT_BYTES,
  });
  app.use(router);
  app.use(docsRouter());
  mountWebApp(app, config, log, defaultWebDistDir());
  app.use(notFound(allowedMethodsOf(routes)));
  app.use(errorHandler(log));
  return { app, routes, document };
}

function openApiRoute(document: () => OpenApiDocument | undefined): Route {
  return defineRoute({
    method: 'get',
    path: '/api/v1/openapi.json',
    operationId: 'getOpenApiDocument',
    summary: 'This document (OpenAPI 3.1)',
    tag: 'Meta',
    responses: [{ status: 200, description: 'The OpenAPI document', schema: z.record(z.string(), z.unknown()) }],
    handler: async () => ({ status: 200, body: document() }),
  });
}

/** For 405: the methods of the routes whose path template matches. */
function allowedMethodsOf(routes: Route[]): (path: string) => string[] {
  const templates = routes.map((r) => ({
    method: r.method.toUpperCase(),
    pattern: new RegExp(`^${r.path.replace(/\{[^}]+\}/g, '[^/]+')}/?$`),
  }));
  return (path) => [...new Set(templates.filter((t) => t.pattern.test(path)).map((t) => t.method))];
}

function httpMetrics(registry: Registry): RequestHandler {
  const histogram = new Histogram({
    name: 'http_server_request_duration_seconds',
    help: 'Duration of HTTP requests by route template, method and status',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  // One child per method, route and status, looked up by a string key instead of hashing a label object each time.
  const children = new Map<string, Histogram.Internal<'method' | 'route' | 'status'>>();
  return (req, res, next) => {
    const started = performance.now();
    res.once('finish', () => {
      const route = (req.route as { path?: string } | undefined)?.path ?? 'unmatched';
      const status = String(res.statusCode);
      const key = `${req.method} ${status} ${route}`;
      let child = children.get(key);
      if (!child) {
        child = histogram.labels({ method: req.method, route, status });
        children.set(key, child);
      }
      child.observe((performance.now() - started) / 1000);
    });
    next();
  };
}
