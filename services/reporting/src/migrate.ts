// `node dist/migrate.js`: applies the facts' schema migrations and exits (the chart runs it before a rollout; the
// service also migrates at start).
import { createLogger, defaultDatabaseName, openReadModel } from '@crm/service-kit';
import { loadReportingConfig } from './config';
import { REPORTING_MIGRATIONS } from './store/migrations';

async function main(): Promise<void> {
  const config = loadReportingConfig();
  const log = createLogger(`${config.SERVICE_NAME}-migrate`, { level: config.LOG_LEVEL });
  const readModel = await openReadModel({
    url: config.POSTGRES_URL,
    database: config.POSTGRES_DB ?? defaultDatabaseName(config.SERVICE_NAME),
    migrations: REPORTING_MIGRATIONS,
    log,
  });
  await readModel.close();
  process.stderr.write(`[migrate] ${readModel.database} is up to date\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(
    `migration failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
