import { createServer, STATUS_CODES, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';
import type { Logger } from 'pino';
import {
  createClientCredentialsTokenSource,
  createTokenVerifier,
  tokenUrlOf,
  jwksUrlOf,
  registerShutdown,
  startProcessBase,
  type Bus,
  type ReadinessCheck,
} from '@crm/service-kit/edge';
import { createApp } from './app';
import { cachedVerifier } from './auth/cached-verifier';
import { sessionCheckingVerifier } from './auth/session-check';
import type { GatewayConfig } from './config';
import { createServiceClients } from './grpc/service-clients';
import { IdempotencyStore } from './idempotency/idempotency.store';
import { openSharedBuckets } from './kv/shared-buckets';
import { RateLimitStore } from './rate-limit/rate-limit.store';
import type { SessionSet } from './routes/events.routes';
import type { Route } from './http/route';
import type { OpenApiDocument } from './openapi/openapi-document';

export interface StartGatewayOptions {
  /** What ends the process after shutdown; tests pass a no-op and stop the gateway by calling shutdown. */
  exit?: (code: number) => void;
  /** The token verifier's clock; tests move it forward to see real tokens expire. */
  verifierNow?: () => Date;
}

export interface RunningGateway {
  app: Express;
  routes: Route[];
  document: OpenApiDocument;
  port: number;
  adminPort: number;
  bus: Bus;
  log: Logger;
  shutdown: (reason: string) => Promise<void>;
}

/** Connects, serves the API and the admin port, and registers the SIGTERM sequence. */
export async function startGateway(config: GatewayConfig, options: StartGatewayOptions = {}): Promise<RunningGateway> {
  const base = await startProcessBase(config);
  const { log, metrics, admin, adminPort, bus } = base;
  const buckets = await openSharedBuckets(bus, {
    idempotency: config.IDEMPOTENCY_BUCKET,
    rateLimits: config.RATE_LIMIT_BUCKET,
  });
  const signatureCheck = createTokenVerifier({
    issuer: config.OIDC_ISSUER,
    audience: config.OIDC_AUDIENCE,
    jwksUrl: jwksUrlOf(config),
    clockToleranceSec: config.OIDC_CLOCK_TOLERANCE_SEC,
    ...(options.verifierNow ? { now: options.verifierNow } : {}),
  });
  const verifier = cachedVerifier(
    config.OIDC_CLIENT_ID && config.OIDC_CLIENT_SECRET
      ? sessionCheckingVerifier(signatureCheck, {
          introspectionUrl: `${config.OIDC_ISSUER.replace(/\/$/, '')}/protocol/openid-connect/token/introspect`,
          clientId: config.OIDC_CLIENT_ID,
          clientSecret: config.OIDC_CLIENT_SECRET,
          log,
        })
      : signatureCheck,
    {
      maxAgeMs: config.TOKEN_CACHE_MS,
      ...(options.verifierNow ? { now: () => options.verifierNow?.().getTime() ?? Date.now() } : {}),
    },
  );
  const serviceToken =
    config.OIDC_CLIENT_ID && config.OIDC_CLIENT_SECRET
      ? createClientCredentialsTokenSource({
          tokenUrl: tokenUrlOf(config),
          clientId: config.OIDC_CLIENT_ID,
          clientSecret: config.OIDC_CLIENT_SECRET,
        })
      : undefined;
  const clients = createServiceClients(
    {
      contact: config.CONTACT_GRPC_URL,
      pipeline: config.PIPELINE_GRPC_URL,
      reporting: config.REPORTING_GRPC_URL,
      ticket: config.TICKET_GRPC_URL,
      workflow: config.WORKFLOW_GRPC_URL,
    },
    serviceToken,
  );

  const rateLimitStore = new RateLimitStore(buckets.rateLimits);
  const checks = new Map<string, ReadinessCheck>([
    ['nats', () => bus.nc.flush()],
    ['keycloak', () => verifier.checkKeysReachable()],
  ]);
  let shuttingDown = false;
  const sessions: SessionSet = new Set();

  const { app, routes, document } = createApp({
    config,
    log,
    metrics,
    verifier,
    clients,
    // An in-flight claim older than twice the request budget belongs to a request that can no longer answer.
    idempotencyStore: new IdempotencyStore(buckets.idempotency, 2 * config.REQUEST_TIMEOUT_MS),
    rateLimitStore,
    events: {
      bus,
      streams: config.EVENT_STREAMS,
      heartbeatMs: config.SSE_HEARTBEAT_MS,
      maxBufferBytes: config.SSE_MAX_BUFFER_BYTES,
    },
    sessions,
    readiness: { checks, shuttingDown: () => shuttingDown },
  });
  // Timeouts of slow clients are checked every second (node's default is every 30 s).
  const server = createServer({ connectionsCheckingInterval: 1000 }, app);
  server.on('clientError', answerClientError);
  // Longer than a typical load balancer's idle timeout, so it is the balancer that closes idle connections.
  server.keepAliveTimeout = 65_000;
  // A client that sends its request too slowly (a trickled upload, a head that never ends) is cut off: it holds a
  // socket and a buffer, and enough of them would exhaust the gateway.
  server.headersTimeout = config.HEADERS_TIMEOUT_MS;
  server.requestTimeout = config.REQUEST_RECEIVE_TIMEOUT_MS;
  const port = await listen(server, config.HTTP_PORT, config.HTTP_HOST);
  for (const [name, check] of checks) admin.addReadinessCheck(name, check);
  admin.markReady();

  const { shutdown } = registerShutdown(base, config, {
    exit: options.exit,
    onNotReady: () => (shuttingDown = true),
    stopWork: [
      { name: 'end event streams', run: async () => void (await Promise.all([...sessions].map((s) => s.close()))) },
      { name: 'finish requests in flight', run: () => closeServer(server) },
      { name: 'close gRPC channels', run: () => clients.close() },
      { name: 'stop rate-limit leases', run: () => rateLimitStore.stop() },
    ],
  });
  log.info({ port, adminPort }, 'gateway started');
  return { app, routes, document, port, adminPort, bus, log, shutdown };
}

const CLIENT_ERRORS: Record<string, [number, string]> = {
  HPE_HEADER_OVERFLOW: [431, 'The request line and headers are too large (at most 16 KiB)'],
  ERR_HTTP_REQUEST_TIMEOUT: [408, 'The request took too long to arrive'],
};

/**
 * A request node:http cannot parse (too long a head, malformed, too slow) gets a problem response and a clean close:
 * what the client is still sending is read and dropped first, since closing with unread data would reset the
 * connection and the client would never see the answer.
 */
function answerClientError(error: Error & { code?: string }, socket: Duplex): void {
  if (!socket.writable || (error.code === 'ECONNRESET' && !socket.readable)) return void socket.destroy();
  const [status, detail] = CLIENT_ERRORS[error.code ?? ''] ?? [400, 'The request could not be parsed as HTTP/1.1'];
  const body = JSON.stringify({ type: 'about:blank', title: STATUS_CODES[status], status, detail });
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/problem+json\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
  socket.resume();
  // A client that keeps sending is cut off after a while all the same.
  setTimeout(() => socket.destroy(), 5000).unref();
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve((server.address() as AddressInfo).port));
  });
}

/** Stops accepting, lets requests in flight finish, and closes idle keep-alive connections meanwhile. */
function closeServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((err) => (err ? reject(err) : resolve()));
    server.closeIdleConnections();
  });
}
