// `node dist/migrate.js` (the chart's migration Job): creates the read-model database if needed and applies the
// migrations, then exits. The service also migrates at start; the Job makes a failing migration stop an upgrade.
import { runMigrateCommand } from '@crm/service-kit';
import { pipelineMigrations } from './store/read-model.schema';

runMigrateCommand('pipeline', pipelineMigrations);
