// `node dist/migrate.js` (the chart's migration Job): the ticket read model's schema, then exit.
import { runMigrateCommand } from '@crm/service-kit';
import { ticketMigrations } from './store/read-model';

runMigrateCommand('ticket', ticketMigrations);
