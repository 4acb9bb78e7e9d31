import { z } from 'zod';
import { processEnvSchema } from '@crm/service-kit/edge';

const port = z.coerce.number().int().min(0).max(65535);
const positiveInt = z.coerce.number().int().positive();
const optionalUrl = z.preprocess((v) => (v === '' ? undefined : v), z.url().optional());
const grpcAddress = z.string().regex(/^[^\s/]+:\d+$/, 'must be host:port');
const csv = z.preprocess(
  (v) =>
    typeof v === 'string'
      ? v
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean)
      : v,
  z.array(z.string()),
);

/** The gateway's environment, validated at start (see .env.example). */
export const gatewayEnvSchema = processEnvSchema.extend({
  SERVICE_NAME: processEnvSchema.shape.SERVICE_NAME.default('gateway'),
  HTTP_PORT: port.default(8080),
  /** Bind address of the API port; 127.0.0.1 locally, 0.0.0.0 in a container. */
  HTTP_HOST: z.string().default('127.0.0.1'),
  ADMIN_PORT: port.default(9100),
  /** Seconds of clock skew tolerated on exp/nbf. */
  OIDC_CLOCK_TOLERANCE_SEC: z.coerce.number().int().min(0).max(120).default(5),
  /**
   * The gateway's own confidential client. When set, tokens are also introspected, so a disabled user's or revoked
   * session's token is refused within TOKEN_CACHE_MS instead of at its expiry; its own token answers the public CSAT
   * survey for the anonymous requester.
   */
  OIDC_CLIENT_ID: z.string().min(1).optional(),
  OIDC_CLIENT_SECRET: z.string().min(1).optional(),
  /** How long one successful verification (and introspection) of a token is trusted, in ms. */
  TOKEN_CACHE_MS: z.coerce.number().int().min(0).max(300_000).default(30_000),
  CONTACT_GRPC_URL: grpcAddress.default('127.0.0.1:50051'),
  PIPELINE_GRPC_URL: grpcAddress.default('127.0.0.1:50052'),
  REPORTING_GRPC_URL: grpcAddress.default('127.0.0.1:50055'),
  TICKET_GRPC_URL: grpcAddress.default('127.0.0.1:50053'),
  /** Token bucket per client address for the public (unauthenticated) routes. */
  RATE_LIMIT_PUBLIC_BURST: positiveInt.default(20),
  RATE_LIMIT_PUBLIC_PER_SEC: z.coerce.number().positive().default(0.2),
  WORKFLOW_GRPC_URL: grpcAddress.default('127.0.0.1:50054'),
  /** Origins allowed by CORS, comma-separated; empty allows none (same-origin only). */
  CORS_ORIGINS: csv.default([]),
  /** Largest JSON body accepted, in bytes. */
  BODY_LIMIT_BYTES: positiveInt.default(1_048_576),
  /** Largest CSV upload accepted by POST /api/v1/imports, in bytes. */
  IMPORT_LIMIT_BYTES: positiveInt.default(20 * 1_048_576),
  /** Whole-request budget; gRPC calls downstream get what remains of it. */
  REQUEST_TIMEOUT_MS: positiveInt.default(10_000),
  /** Admission control: requests served at once, requests that may wait, and how long they may wait (ms). */
  MAX_IN_FLIGHT: positiveInt.default(256),
  MAX_QUEUED: z.coerce.number().int().min(0).default(512),
  QUEUE_TIMEOUT_MS: positiveInt.default(2000),
  /** Open SSE streams and exports at most (they do not take an in-flight slot). */
  MAX_LONG_LIVED: positiveInt.default(2000),
  /** The longest a client may take to send its request head, and its whole request (slow uploads), in ms. */
  HEADERS_TIMEOUT_MS: positiveInt.default(10_000),
  REQUEST_RECEIVE_TIMEOUT_MS: positiveInt.default(120_000),
  /** Token bucket per tenant: capacity and refill per second. */
  RATE_LIMIT_TENANT_BURST: positiveInt.default(600),
  RATE_LIMIT_TENANT_PER_SEC: z.coerce.number().positive().default(100),
  /** Token bucket per calling client (OAuth client + subject): capacity and refill per second. */
  RATE_LIMIT_CLIENT_BURST: positiveInt.default(120),
  RATE_LIMIT_CLIENT_PER_SEC: z.coerce.number().positive().default(20),
  /** Streams whose events GET /api/v1/events relays, without namespace. */
  EVENT_STREAMS: csv.default(['CONTACT', 'PIPELINE', 'TICKET', 'WORKFLOW']),
  /** SSE: heartbeat period and the most bytes buffered for a slow client before it is disconnected. */
  SSE_HEARTBEAT_MS: positiveInt.default(15_000),
  SSE_MAX_BUFFER_BYTES: positiveInt.default(1_048_576),
  /** KV bucket names (namespaced like streams) shared by every replica. */
  IDEMPOTENCY_BUCKET: z
    .string()
    .regex(/^[A-Za-z0-9_-]+$/)
    .default('gateway_idempotency'),
  RATE_LIMIT_BUCKET: z
    .string()
    .regex(/^[A-Za-z0-9_-]+$/)
    .default('gateway_ratelimit'),
  /** The built web app (web/dist) served at "/"; not served when the directory holds no index.html. */
  WEB_DIST_DIR: z.string().optional(),
  /** The identity provider's issuer as browsers reach it; defaults to OIDC_ISSUER. */
  WEB_OIDC_ISSUER: optionalUrl,
  /** The public OIDC client the web app signs in with (authorization code + PKCE). */
  WEB_OIDC_CLIENT_ID: z.string().min(1).default('crm-web'),
});

export type GatewayConfig = z.infer<typeof gatewayEnvSchema>;
