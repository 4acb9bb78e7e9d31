// `node dist/migrate.js` (the chart's migration Job): the contact read model's schema, then exit. The service also
// migrates at start; the Job makes a failing migration stop an upgrade.
import { runMigrateCommand } from '@crm/service-kit';
import { contactReadModelMigrations } from './store/read-model/migrations';

runMigrateCommand('contact', contactReadModelMigrations);
