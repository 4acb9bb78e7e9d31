import { loadConfig, serviceEnvSchema } from '@crm/service-kit';
import { z } from 'zod';
import { isCountryCode } from './domain/settings.model';

export const contactEnvSchema = serviceEnvSchema.extend({
  /** Region for phone numbers without +country, for tenants that have not set their own. */
  CONTACT_DEFAULT_REGION: z
    .string()
    .default('US')
    .refine((v) => isCountryCode(v), 'must be an ISO 3166-1 alpha-2 region with a phone plan, e.g. US'),
  /** How often the import worker looks for queued jobs, in ms. */
  CONTACT_IMPORT_POLL_MS: z.coerce.number().int().positive().default(1000),
  /** Rows per import batch (one checkpoint each). */
  CONTACT_IMPORT_BATCH_SIZE: z.coerce.number().int().min(1).max(5000).default(1000),
  /** A running import whose worker has not checkpointed for this long is taken over, in ms. */
  CONTACT_IMPORT_LEASE_MS: z.coerce.number().int().positive().default(60_000),
});

export type ContactConfig = z.infer<typeof contactEnvSchema>;

export function loadContactConfig(env: NodeJS.ProcessEnv = process.env): ContactConfig {
  return loadConfig(contactEnvSchema, env);
}
