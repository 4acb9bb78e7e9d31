import { outboxStoreOf, type DocumentLocks, type OutboxRelay, type OutboxStore } from '@crm/service-kit';
import type { Connection, Model } from 'mongoose';
import { activityModel } from './activity.schema';
import { ActivityRepository } from './activity.repository';
import { batchOutboxModel } from './batch-outbox.schema';
import { companyModel } from './company.schema';
import { CompanyRepository } from './company.repository';
import { ContactKeys } from './contact-keys.repository';
import { contactModel } from './contact.schema';
import { ContactRepository } from './contact.repository';
import { ImportRepository, type BatchOutboxDoc } from './import.repository';
import { ListSlots } from './list-slots.repository';
import { MergeRecords } from './merge.repository';
import { SettingsRepository } from './settings.repository';

/** Every repository of the service, built once on one connection. */
export interface ContactStore {
  contacts: ContactRepository;
  companies: CompanyRepository;
  activities: ActivityRepository;
  keys: ContactKeys;
  settings: SettingsRepository;
  merges: MergeRecords;
  imports: ImportRepository;
  batchOutbox: Model<BatchOutboxDoc>;
  batchOutboxStore: OutboxStore;
  locks: DocumentLocks;
  relay: OutboxRelay;
  /** NATS namespace for event subjects. */
  namespace: string;
  defaultRegion: string;
}

export async function createContactStore(
  mongo: Connection,
  deps: { locks: DocumentLocks; relay: OutboxRelay; namespace: string; defaultRegion: string },
): Promise<ContactStore> {
  const contacts = new ContactRepository(
    contactModel(mongo),
    deps.relay,
    deps.locks,
    new ListSlots(mongo, 'contact_list_slots'),
  );
  const batchOutbox = batchOutboxModel(mongo);
  const imports = new ImportRepository(mongo, deps.locks);
  const store: ContactStore = {
    contacts,
    companies: new CompanyRepository(
      companyModel(mongo),
      deps.relay,
      deps.locks,
      new ListSlots(mongo, 'company_list_slots'),
    ),
    activities: new ActivityRepository(activityModel(mongo), deps.relay, deps.locks),
    keys: new ContactKeys(mongo, deps.locks, (tenantId, id) => contacts.existsInTenant(tenantId, id)),
    settings: new SettingsRepository(mongo, deps.locks, deps.defaultRegion),
    merges: new MergeRecords(mongo),
    imports,
    batchOutbox,
    batchOutboxStore: outboxStoreOf(batchOutbox, deps.locks),
    ...deps,
  };
  await Promise.all([
    contactModel(mongo).init(),
    companyModel(mongo).init(),
    activityModel(mongo).init(),
    imports.ensureIndexes(),
    contacts.slots.ensureIndexes(),
    store.companies.slots.ensureIndexes(),
  ]);
  return store;
}
