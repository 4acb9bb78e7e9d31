// `node dist/migrate.js` (the chart's migration Job): creates the read-model database if needed and applies the
// migrations, then exits. The service also migrates at start; the Job makes a failing migration stop an upgrade.
import { createLogger, loadConfig, openReadModel } from '@crm/service-kit';
import { z } from 'zod';
import { contactReadModelMigrations } from './store/read-model/migrations';

const migrateEnvSchema = z.object({
  POSTGRES_URL: z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL'),
  POSTGRES_DB: z
    .string()
    .regex(/^[a-z_][a-z0-9_]{0,62}$/)
    .default('crm_contact'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

async function main(): Promise<void> {
  const env = loadConfig(migrateEnvSchema);
  const log = createLogger('contact-migrate', { level: env.LOG_LEVEL });
  const readModel = await openReadModel({
    url: env.POSTGRES_URL,
    database: env.POSTGRES_DB,
    migrations: contactReadModelMigrations,
    log,
  });
  await readModel.close();
  log.info({ database: env.POSTGRES_DB }, 'read model migrated');
}

main().catch((error: unknown) => {
  process.stderr.write(
    `migration failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
