import { loadConfig, serviceEnvSchema } from '@crm/service-kit';
import { z } from 'zod';

export const pipelineEnvSchema = serviceEnvSchema
  .extend({
    /** host:port of the contact service's gRPC API, which checks the contacts and companies put on deals. */
    CONTACT_GRPC_URL: z.string().regex(/^[^\s:/]+:\d{1,5}$/, 'must be host:port, e.g. 127.0.0.1:50051'),
    /** A write putting a deal into a stage appends its event at most this long after reading the pipeline. */
    PIPELINE_STAGE_WRITE_WINDOW_MS: z.coerce.number().int().min(10).default(2_000),
    /** An archive waits this long after marking the stage before it counts the stage's deals; > the window. */
    PIPELINE_ARCHIVE_SETTLE_MS: z.coerce.number().int().min(20).default(5_000),
    /** Deal imports: how often an idle worker looks for queued jobs, rows per batch, how long it holds a job. */
    PIPELINE_IMPORT_POLL_MS: z.coerce.number().int().min(50).default(2_000),
    PIPELINE_IMPORT_BATCH_SIZE: z.coerce.number().int().min(1).max(2_000).default(200),
    PIPELINE_IMPORT_LEASE_MS: z.coerce.number().int().min(1_000).default(60_000),
  })
  .refine((env) => env.PIPELINE_ARCHIVE_SETTLE_MS > env.PIPELINE_STAGE_WRITE_WINDOW_MS, {
    path: ['PIPELINE_ARCHIVE_SETTLE_MS'],
    message: 'must be longer than PIPELINE_STAGE_WRITE_WINDOW_MS',
  });

export type PipelineConfig = z.infer<typeof pipelineEnvSchema>;

export function loadPipelineConfig(env: NodeJS.ProcessEnv = process.env): PipelineConfig {
  return loadConfig(pipelineEnvSchema, env);
}
