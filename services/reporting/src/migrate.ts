// `node dist/migrate.js`: applies the facts' schema migrations and exits (the chart runs it before a rollout; the
// service also migrates at start). It needs POSTGRES_URL (and POSTGRES_DB) only.
import { runMigrateCommand } from '@crm/service-kit';
import { REPORTING_MIGRATIONS } from './store/migrations';

runMigrateCommand('reporting', REPORTING_MIGRATIONS);
