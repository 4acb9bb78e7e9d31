import { loadConfig, serviceEnvSchema } from '@crm/service-kit';
import { z } from 'zod';

export const ticketEnvSchema = serviceEnvSchema.extend({
  /** host:port of the contact service's gRPC API: requesters are contacts, matched or created by email. */
  CONTACT_GRPC_URL: z.string().regex(/^[^\s:/]+:\d{1,5}$/, 'must be host:port, e.g. 127.0.0.1:50051'),
  /** Signs the one-time CSAT survey links (HMAC-SHA256); at least 32 characters, from a Secret in production. */
  TICKET_CSAT_SECRET: z.string().min(32, 'must be at least 32 characters'),
  /** How long a survey link stays valid. */
  TICKET_CSAT_TTL_SECONDS: z.coerce
    .number()
    .int()
    .positive()
    .default(30 * 86_400),
  /** Solved tickets close by themselves this long after they were solved. */
  TICKET_AUTO_CLOSE_SECONDS: z.coerce
    .number()
    .int()
    .positive()
    .default(4 * 86_400),
  /** Longest sleep of the durable-timer loop between looks for timers other replicas scheduled. */
  TICKET_TIMER_MAX_SLEEP_MS: z.coerce.number().int().min(10).max(60_000).default(1_000),
  /** How many tickets' timers fire at once (each ticket's own timers stay in due order). */
  TICKET_TIMER_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(8),
});

export type TicketConfig = z.infer<typeof ticketEnvSchema>;

export function loadTicketConfig(env: NodeJS.ProcessEnv = process.env): TicketConfig {
  return loadConfig(ticketEnvSchema, env);
}
