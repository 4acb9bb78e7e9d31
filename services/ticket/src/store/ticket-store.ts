// The service's records (MongoDB through the kit's RecordStore, one event log) and their read-model projections.
import { Schema, type Connection, type Model } from 'mongoose';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import {
  RecordStore,
  rowProjection,
  type EventLog,
  type EventPublisher,
  type Projection,
  type TenantRecord,
} from '@crm/service-kit';
import type { TicketRecord } from '../domain/ticket';
import type {
  AgentRecord,
  CalendarRecord,
  CommentRecord,
  GroupRecord,
  MacroRecord,
  PolicyRecord,
  TicketSettingsRecord,
} from '../domain/support-records';
import { commentRow, ticketRow, type TicketDb } from './read-model';
import { TICKET_POLICY } from './ticket-visibility';

export interface TicketStores {
  tickets: RecordStore<TicketRecord>;
  comments: RecordStore<CommentRecord>;
  calendars: RecordStore<CalendarRecord>;
  policies: RecordStore<PolicyRecord>;
  macros: RecordStore<MacroRecord>;
  agents: RecordStore<AgentRecord>;
  groups: RecordStore<GroupRecord>;
  settings: RecordStore<TicketSettingsRecord>;
  all: ReadonlyArray<RecordStore<TenantRecord>>;
}

export interface TicketStoreDeps {
  mongo: Connection;
  db: Kysely<TicketDb>;
  events: EventLog;
  publisher: EventPublisher;
  log: Logger;
  clock: () => Date;
}

/** Snapshot documents are whatever the event's state is: the schema only names the _id. */
function snapshotModel<T>(mongo: Connection, name: string, collection: string): Model<T> {
  const existing = mongo.models[name] as Model<T> | undefined;
  if (existing) return existing;
  const schema = new Schema({ _id: String, tenantId: String }, { strict: false, versionKey: false });
  return mongo.model<T>(name, schema as unknown as Schema<T>, collection);
}

export function createTicketStores(
  deps: TicketStoreDeps,
  extraTicketProjections: Array<Projection<TicketRecord>> = [],
): TicketStores {
  const common = { events: deps.events, publisher: deps.publisher, log: deps.log, clock: deps.clock };
  const store = <T extends TenantRecord>(
    name: string,
    collection: string,
    kind: string,
    projections: Array<Projection<T>> = [],
    historyOmits: string[] = [],
  ) =>
    new RecordStore<T>({
      ...common,
      model: snapshotModel<T>(deps.mongo, name, collection),
      kind,
      policy: TICKET_POLICY,
      projections,
      historyOmits,
    });
  const tickets = store<TicketRecord>(
    'Ticket',
    'tickets',
    'ticket',
    [rowProjection({ db: deps.db, table: 'tickets', toRow: ticketRow }), ...extraTicketProjections],
    ['searchText', 'slaLog', 'slaMarks', 'csatTokenId'],
  );
  const comments = store<CommentRecord>('TicketComment', 'ticket_comments', 'comment', [
    rowProjection({ db: deps.db, table: 'ticket_comments', toRow: commentRow }),
  ]);
  const calendars = store<CalendarRecord>('BusinessCalendar', 'business_calendars', 'business calendar');
  const policies = store<PolicyRecord>('SlaPolicy', 'sla_policies', 'SLA policy');
  const macros = store<MacroRecord>('Macro', 'macros', 'macro');
  const agents = store<AgentRecord>('TicketAgent', 'ticket_agents', 'agent');
  const groups = store<GroupRecord>('TicketGroup', 'ticket_groups', 'group');
  const settings = store<TicketSettingsRecord>('TicketSettings', 'ticket_settings', 'ticket settings');
  const all = [tickets, comments, calendars, policies, macros, agents, groups, settings] as unknown as ReadonlyArray<
    RecordStore<TenantRecord>
  >;
  return { tickets, comments, calendars, policies, macros, agents, groups, settings, all };
}

/** The live records of a tenant in a small collection (policies, calendars, macros, agents, groups): one equality. */
export async function tenantRecords<T extends TenantRecord>(store: RecordStore<T>, tenantId: string): Promise<T[]> {
  const docs = (await store.model.collection.find({ tenantId } as never).toArray()) as unknown as T[];
  return docs.filter((d) => !d.deletedAt);
}
