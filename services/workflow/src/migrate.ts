// `node dist/migrate.js` (the chart's migration Job): the workflow read model's schema, then exit.
import { runMigrateCommand } from '@crm/service-kit';
import { workflowMigrations } from './store/read-model.migrations';

runMigrateCommand('workflow', workflowMigrations);
