import { loadConfig, serviceEnvSchema } from '@crm/service-kit';
import { z } from 'zod';
import { HEAD_SIZE } from './domain/column-head';

export const pipelineEnvSchema = serviceEnvSchema.extend({
  /** host:port of the contact service's gRPC API, which checks the contacts and companies put on deals. */
  CONTACT_GRPC_URL: z.string().regex(/^[^\s:/]+:\d{1,5}$/, 'must be host:port, e.g. 127.0.0.1:50051'),
  /** Deals each board column's head holds (domain/column-head); below 101 the largest board pages read the column. */
  PIPELINE_BOARD_HEAD_SIZE: z.coerce.number().int().min(1).max(1000).default(HEAD_SIZE),
});

export type PipelineConfig = z.infer<typeof pipelineEnvSchema>;

export function loadPipelineConfig(env: NodeJS.ProcessEnv = process.env): PipelineConfig {
  return loadConfig(pipelineEnvSchema, env);
}
