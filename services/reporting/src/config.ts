import { loadConfig, serviceEnvSchema } from '@crm/service-kit';
import { z } from 'zod';
import { isTimeZone } from './domain/time-zone';

export const reportingEnvSchema = serviceEnvSchema.extend({
  // The facts live in PostgreSQL: without it the service has nothing to serve.
  POSTGRES_URL: z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL'),
  /** Time zone of the calendar periods of tenants that have not set their own (IANA name). */
  REPORTING_DEFAULT_TIME_ZONE: z
    .string()
    .default('UTC')
    .refine(isTimeZone, 'must be an IANA time zone, e.g. Europe/Berlin'),
  /** Batches of one stream applied at once (each in its own transaction); the projection does not depend on order. */
  REPORTING_CONSUMER_CONCURRENCY: z.coerce.number().int().min(1).max(16).default(2),
  /** Most events per batch: what arrived while the previous batch was being applied, up to this many. */
  REPORTING_CONSUMER_BATCH: z.coerce.number().int().min(1).max(1000).default(200),
  /** How often the consumers' lag is read from JetStream for /metrics and /readyz, in ms. */
  REPORTING_LAG_POLL_MS: z.coerce.number().int().min(100).default(5000),
});

export type ReportingConfig = z.infer<typeof reportingEnvSchema>;

export function loadReportingConfig(env: NodeJS.ProcessEnv = process.env): ReportingConfig {
  return loadConfig(reportingEnvSchema, env);
}
