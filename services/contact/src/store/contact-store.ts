// Everything the contact service stores and reads, built once: the record stores (MongoDB, through the kit's
// event log), the uniqueness claims, the read-model queries (PostgreSQL), and the bookkeeping collections.
import { RecordStore, UniqueClaims, type EventLog, type EventPublisher, type TenantRecord } from '@crm/service-kit';
import type { Kysely } from 'kysely';
import type { Connection } from 'mongoose';
import type { Logger } from 'pino';
import { ImportChunks } from './import-chunks';
import { MergeRecords } from './merge.repository';
import { ActivityQueries } from './read-model/activity-queries';
import { CompanyQueries } from './read-model/company-queries';
import { ContactQueries } from './read-model/contact-queries';
import { ImportQueries } from './read-model/import-queries';
import {
  activityProjection,
  companyProjection,
  contactProjection,
  fieldSetProjection,
  importJobProjection,
  settingsProjection,
} from './read-model/projections';
import type { ContactReadModel } from './read-model/rows';
import { SettingsQueries } from './read-model/settings-queries';
import {
  contactModels,
  type ActivityDoc,
  type CompanyDoc,
  type ContactDoc,
  type CustomFieldSetDoc,
  type ImportJobDoc,
  type TenantSettingsDoc,
} from './records';

export interface ContactStore {
  contacts: RecordStore<ContactDoc>;
  companies: RecordStore<CompanyDoc>;
  activities: RecordStore<ActivityDoc>;
  settings: RecordStore<TenantSettingsDoc>;
  fieldSets: RecordStore<CustomFieldSetDoc>;
  imports: RecordStore<ImportJobDoc>;
  /** Emails, phones and external ids of contacts: one claim document per key and tenant. */
  keys: UniqueClaims;
  merges: MergeRecords;
  chunks: ImportChunks;
  read: {
    contacts: ContactQueries;
    companies: CompanyQueries;
    activities: ActivityQueries;
    imports: ImportQueries;
    settings: SettingsQueries;
  };
  db: Kysely<ContactReadModel>;
  /** NATS namespace for event subjects. */
  namespace: string;
  defaultRegion: string;
}

export interface ContactStoreDeps {
  mongo: Connection;
  events: EventLog;
  publisher: EventPublisher;
  db: Kysely<ContactReadModel>;
  log: Logger;
  namespace: string;
  defaultRegion: string;
}

export async function createContactStore(deps: ContactStoreDeps): Promise<ContactStore> {
  const models = await contactModels(deps.mongo);
  const common = { events: deps.events, publisher: deps.publisher, log: deps.log };
  const contacts = new RecordStore<ContactDoc>({
    ...common,
    model: models.contacts,
    kind: 'contact',
    policy: { resource: 'contacts' },
    projections: [contactProjection(deps.db)],
  });
  const chunks = new ImportChunks(deps.mongo);
  await chunks.ensureIndexes();
  return {
    contacts,
    companies: new RecordStore<CompanyDoc>({
      ...common,
      model: models.companies,
      kind: 'company',
      policy: { resource: 'companies' },
      projections: [companyProjection(deps.db)],
    }),
    // Activities are part of a contact's record: the same resource name for partner scopes.
    activities: new RecordStore<ActivityDoc>({
      ...common,
      model: models.activities,
      kind: 'activity',
      policy: { resource: 'contacts' },
      projections: [activityProjection(deps.db)],
    }),
    settings: new RecordStore<TenantSettingsDoc>({
      ...common,
      model: models.settings,
      kind: 'settings',
      policy: { resource: 'contacts' },
      projections: [settingsProjection(deps.db)],
    }),
    fieldSets: new RecordStore<CustomFieldSetDoc>({
      ...common,
      model: models.fieldSets,
      kind: 'custom field definitions',
      policy: { resource: 'contacts' },
      projections: [fieldSetProjection(deps.db)],
    }),
    imports: new RecordStore<ImportJobDoc>({
      ...common,
      model: models.imports,
      kind: 'import',
      policy: { resource: 'contacts' },
      projections: [importJobProjection(deps.db)],
      historyOmits: ['batchErrors', 'firstErrors', 'actor'],
    }),
    keys: new UniqueClaims(deps.mongo, {
      collection: 'contact_keys',
      holderExists: async (tenantId, id) => (await contacts.load(id))?.tenantId === tenantId,
    }),
    merges: new MergeRecords(deps.mongo),
    chunks,
    read: {
      contacts: new ContactQueries(deps.db),
      companies: new CompanyQueries(deps.db),
      activities: new ActivityQueries(deps.db),
      imports: new ImportQueries(deps.db),
      settings: new SettingsQueries(deps.db),
    },
    db: deps.db,
    namespace: deps.namespace,
    defaultRegion: deps.defaultRegion,
  };
}

/** The stores whose unfinished writes the kit sweeps and whose read models it keeps converged. */
export function recordStores(store: ContactStore): Array<RecordStore<TenantRecord>> {
  return [store.contacts, store.companies, store.activities, store.settings, store.fieldSets, store.imports].map(
    (s) => s as unknown as RecordStore<TenantRecord>,
  );
}
