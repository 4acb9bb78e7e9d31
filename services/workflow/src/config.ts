import { loadConfig, serviceEnvSchema } from '@crm/service-kit';
import { z } from 'zod';

const grpcAddress = z.string().regex(/^[^\s/]+:\d+$/, 'must be host:port');
const positiveInt = z.coerce.number().int().positive();

export const workflowEnvSchema = serviceEnvSchema.extend({
  /** The owning services whose records actions change (their gRPC APIs, with this service's own token). */
  CONTACT_GRPC_URL: grpcAddress.default('127.0.0.1:50051'),
  PIPELINE_GRPC_URL: grpcAddress.default('127.0.0.1:50052'),
  TICKET_GRPC_URL: grpcAddress.default('127.0.0.1:50053'),
  /**
   * development admits webhook URLs over plain http and on loopback (a local receiver); production admits https
   * to public addresses only.
   */
  WORKFLOW_MODE: z.enum(['production', 'development']).default('production'),
  /** How long a webhook delivery is retried before it is dead-lettered, in ms (24 h). */
  WEBHOOK_RETRY_WINDOW_MS: positiveInt.default(24 * 3_600_000),
  /** First retry delay of a webhook delivery, in ms; it doubles each attempt (with jitter) up to the maximum. */
  WEBHOOK_RETRY_BASE_MS: positiveInt.default(5_000),
  WEBHOOK_RETRY_MAX_MS: positiveInt.default(3_600_000),
  /** Per attempt: connect + answer, and the most response bytes read. */
  WEBHOOK_TIMEOUT_MS: positiveInt.default(10_000),
  WEBHOOK_MAX_RESPONSE_BYTES: positiveInt.default(64 * 1024),
  /** Follow redirects (each target checked like the first); off by default. */
  WEBHOOK_FOLLOW_REDIRECTS: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true'),
  /** Consecutive failed deliveries (dead-lettered or refused) after which an endpoint is disabled. */
  WEBHOOK_DISABLE_AFTER_FAILURES: positiveInt.default(20),
  /** Attempts of a failing step before the run fails, and the first retry delay (doubling), in ms. */
  STEP_MAX_ATTEMPTS: positiveInt.default(5),
  STEP_RETRY_BASE_MS: positiveInt.default(1_000),
  /** Runs executing at once in this process. */
  RUN_CONCURRENCY: positiveInt.default(32),
  /** Events handled at once per trigger stream (events of one record still one after the other, in order). */
  TRIGGER_CONCURRENCY: positiveInt.default(16),
  /** Durable timers fired at once (runs, retries, waits, reminders, deliveries); each timer fires once at a time. */
  TIMER_CONCURRENCY: positiveInt.default(16),
  /** A run that stops making progress this long (its process died) is resumed, in ms. */
  RUN_LEASE_MS: positiveInt.default(30_000),
  /** Key that encrypts webhook and form secrets at rest: 32 bytes, base64. */
  WORKFLOW_SECRET_KEY: z
    .string()
    .refine((v) => Buffer.from(v, 'base64').length === 32, 'must be 32 bytes in base64')
    .default('ZGV2LW9ubHktd29ya2Zsb3ctc2VjcmV0LWtleS0zMmI='),
  /** Tenant default business calendar, when a rule counts business days without a calendar. */
  BUSINESS_TIMEZONE: z.string().default('UTC'),
  BUSINESS_DAYS: z
    .string()
    .regex(/^[1-7](,[1-7])*$/, 'must be ISO weekdays, e.g. 1,2,3,4,5')
    .default('1,2,3,4,5'),
});

export type WorkflowConfig = z.infer<typeof workflowEnvSchema>;

export function loadWorkflowConfig(env: NodeJS.ProcessEnv = process.env): WorkflowConfig {
  return loadConfig(workflowEnvSchema, env);
}
