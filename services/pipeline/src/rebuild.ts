// `pnpm --filter @crm/pipeline-service rebuild` (node dist/rebuild.js): empties the deals read model and replays
// the event log into it, printing progress. `--keep` brings the rows up to date without emptying the table first.
// Needs MongoDB and PostgreSQL only (MONGODB_URL, MONGODB_DB, POSTGRES_URL, POSTGRES_DB; local defaults).
import { performance } from 'node:perf_hooks';
import { connectMongo, createLogger, EventLog, loadConfig, openReadModel } from '@crm/service-kit';
import { z } from 'zod';
import { rebuildDealReadModel } from './store/rebuild-read-model';
import { pipelineMigrations, type PipelineReadModel } from './store/read-model.schema';

export const rebuildEnvSchema = z.object({
  MONGODB_URL: z
    .string()
    .regex(/^mongodb(\+srv)?:\/\//, 'must be a mongodb:// URL')
    .default('mongodb://127.0.0.1:27017'),
  MONGODB_DB: z.string().min(1).default('crm_pipeline'),
  POSTGRES_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
    .default('postgres://crm@127.0.0.1:5433'),
  POSTGRES_DB: z
    .string()
    .regex(/^[a-z_][a-z0-9_]{0,62}$/)
    .default('crm_pipeline'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('warn'),
});

async function main(): Promise<void> {
  const env = loadConfig(rebuildEnvSchema);
  const keep = process.argv.includes('--keep');
  const log = createLogger('pipeline-rebuild', { level: env.LOG_LEVEL });
  const mongo = await connectMongo({ url: env.MONGODB_URL, dbName: env.MONGODB_DB });
  const readModel = await openReadModel<PipelineReadModel>({
    url: env.POSTGRES_URL,
    database: env.POSTGRES_DB,
    migrations: pipelineMigrations,
    log,
  });
  const started = performance.now();
  try {
    process.stdout.write(
      `rebuilding ${env.POSTGRES_DB}.deals from ${env.MONGODB_DB}.events${keep ? ' (keeping rows)' : ''}\n`,
    );
    const events = await rebuildDealReadModel({
      db: readModel.db,
      events: new EventLog(mongo),
      log,
      empty: !keep,
      onProgress: ({ collection, events: done, total }) =>
        process.stdout.write(
          `  ${collection}: ${done}/${total} events (${Math.round((100 * done) / Math.max(total, 1))} %, ${Math.round(done / ((performance.now() - started) / 1000))}/s)\n`,
        ),
    });
    process.stdout.write(`done: ${events} events in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
  } finally {
    await readModel.close();
    await mongo.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`rebuild failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
