import { z } from 'zod';

// 0 asks the OS for a free port (tests).
const port = z.coerce.number().int().min(0).max(65535);
// Listen address: loopback on a developer machine, 0.0.0.0 in a container (the chart sets it).
const host = z.string().min(1).default('127.0.0.1');
const optionalUrl = z.preprocess((v) => (v === '' ? undefined : v), z.url().optional());

/** What every process of the platform (each service and the gateway) reads from its environment. */
export const processEnvSchema = z.object({
  SERVICE_NAME: z.string().regex(/^[a-z][a-z0-9-]*$/, 'must be a lower-case name like "contact"'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  ADMIN_HOST: host,
  ADMIN_PORT: port,
  NATS_URL: z.string().regex(/^(nats|tls):\/\//, 'must be a nats:// URL'),
  /** Prefix for stream names and subjects, so tests and previews can share one NATS. Empty in production. */
  NATS_NAMESPACE: z
    .string()
    .regex(/^[a-z0-9_]*$/)
    .default(''),
  /** Replicas of the streams the process creates: 3 on a three-server JetStream cluster (the chart's R3). */
  NATS_STREAM_REPLICAS: z.coerce.number().int().min(1).max(5).default(1),
  OIDC_ISSUER: z.url(),
  OIDC_AUDIENCE: z.string().min(1).default('crm-api'),
  OIDC_JWKS_URL: optionalUrl,
  OTEL_EXPORTER_OTLP_ENDPOINT: optionalUrl,
  SHUTDOWN_GRACE_MS: z.coerce.number().int().positive().default(25000),
});

export type ProcessEnv = z.infer<typeof processEnvSchema>;

/** The environment every service process shares; a service extends it with its own variables. */
export const serviceEnvSchema = processEnvSchema.extend({
  GRPC_PORT: port,
  GRPC_HOST: host,
  MONGODB_URL: z.string().regex(/^mongodb(\+srv)?:\/\//, 'must be a mongodb:// URL'),
  MONGODB_DB: z.string().min(1).optional(),
  /** PostgreSQL server of the read models, without a database: postgres://user:password@host:5432. */
  POSTGRES_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
    .optional(),
  /** The service's read-model database, created on first start; crm_<service> by default. */
  POSTGRES_DB: z
    .string()
    .regex(/^[a-z_][a-z0-9_]{0,62}$/, 'must be a lower-case database name')
    .optional(),
  OIDC_CLIENT_ID: z.string().min(1),
  OIDC_CLIENT_SECRET: z.string().min(1),
  GRPC_DEFAULT_DEADLINE_MS: z.coerce.number().int().positive().default(2000),
});

export type ServiceEnv = z.infer<typeof serviceEnvSchema>;

export function jwksUrlOf(env: Pick<ProcessEnv, 'OIDC_ISSUER' | 'OIDC_JWKS_URL'>): string {
  return env.OIDC_JWKS_URL ?? `${env.OIDC_ISSUER.replace(/\/$/, '')}/protocol/openid-connect/certs`;
}

export function tokenUrlOf(env: Pick<ProcessEnv, 'OIDC_ISSUER'>): string {
  return `${env.OIDC_ISSUER.replace(/\/$/, '')}/protocol/openid-connect/token`;
}

export function defaultDatabaseName(serviceName: string): string {
  return `crm_${serviceName.replace(/-/g, '_')}`;
}
