import { loadConfig, serviceEnvSchema } from '@crm/service-kit';
import { z } from 'zod';

export const pipelineEnvSchema = serviceEnvSchema.extend({
  /** host:port of the contact service's gRPC API, which checks the contacts and companies put on deals. */
  CONTACT_GRPC_URL: z.string().regex(/^[^\s:/]+:\d{1,5}$/, 'must be host:port, e.g. 127.0.0.1:50051'),
});

export type PipelineConfig = z.infer<typeof pipelineEnvSchema>;

export function loadPipelineConfig(env: NodeJS.ProcessEnv = process.env): PipelineConfig {
  return loadConfig(pipelineEnvSchema, env);
}
