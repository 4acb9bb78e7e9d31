// `node dist/rebuild.js` (the chart's rebuild Job): replays the event log into the ticket read model (tickets,
// comments, policies, calendars, macros, agents, groups, settings). Durable timers (SLA, auto-close) are rows of
// the same database that no event replays: a rebuild into an empty database leaves them to be scheduled again.
import { runRebuildCommand, type RecordStore, type TenantRecord } from '@crm/service-kit';
import type { TicketDb } from './store/read-model';
import { ticketMigrations } from './store/read-model';
import { createTicketStores } from './store/ticket-store';

runRebuildCommand<TicketDb>({
  service: 'ticket',
  migrations: ticketMigrations,
  stores: (deps) =>
    createTicketStores({ ...deps, clock: () => new Date() }).all as ReadonlyArray<RecordStore<TenantRecord>>,
});
