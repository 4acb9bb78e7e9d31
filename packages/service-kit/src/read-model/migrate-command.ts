// The body of a service's `node dist/migrate.js` (the chart's pre-install/pre-upgrade Job): creates the read-model
// database if needed, applies the migrations and exits. It reads only what it needs, so the Job carries no more
// configuration than the database's; services also migrate at start.
import { type Migration } from 'kysely';
import { z } from 'zod';
import { ConfigError, parseConfig } from '../config/load-config';
import { defaultDatabaseName } from '../config/service-env';
import { createLogger } from '../logger/logger';
import { openReadModel } from './read-model';

const migrateEnvSchema = z.object({
  POSTGRES_URL: z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL'),
  POSTGRES_DB: z
    .string()
    .regex(/^[a-z_][a-z0-9_]{0,62}$/)
    .optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

/** Migrates `service`'s read model (POSTGRES_DB, or crm_<service>); resolves with the database's name. */
export async function migrateReadModel(
  service: string,
  migrations: Record<string, Migration>,
  env: NodeJS.ProcessEnv = process.env,
): Promise<string> {
  const config = parseConfig(migrateEnvSchema, env);
  const log = createLogger(`${service}-migrate`, { level: config.LOG_LEVEL });
  const database = config.POSTGRES_DB ?? defaultDatabaseName(service);
  const readModel = await openReadModel({ url: config.POSTGRES_URL, database, migrations, log });
  await readModel.close();
  log.info({ database, migrations: Object.keys(migrations).length }, 'read model migrated');
  return database;
}

/** Runs migrateReadModel as a command: exit 0 when migrated, 1 with the error on stderr otherwise. */
export function runMigrateCommand(service: string, migrations: Record<string, Migration>): void {
  migrateReadModel(service, migrations).catch((error: unknown) => {
    const detail =
      error instanceof ConfigError ? error.message : error instanceof Error ? (error.stack ?? error.message) : error;
    process.stderr.write(`migration failed: ${String(detail)}\n`);
    process.exit(1);
  });
}
