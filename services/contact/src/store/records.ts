// The service's records in MongoDB: one snapshot collection per aggregate (written only by the kit's RecordStore,
// through the event log) and their documents as stored. Indexes serve reads by _id and the few small equality
// sets the service needs: a company's contacts (renames), a contact's activities (merge, erase), and the import
// jobs waiting for a worker. Lists, search and every other browse read the PostgreSQL read model.
import { Schema, type Connection, type Model } from 'mongoose';
import type { CustomFieldDefinition, Principal, TenantRecord } from '@crm/service-kit';
import type { ActivityFields } from '../domain/activity.model';
import type { CompanyFields } from '../domain/company.model';
import type { ContactFields } from '../domain/contact.model';
import type { ColumnMapping, ImportEntity, MatchBy } from '../domain/csv-mapping';
import type { CustomFieldEntity, TenantSettingsFields } from '../domain/settings.model';

/** A contact as stored: its fields, the denormalised company, and where merges took it. */
export interface ContactDoc extends TenantRecord, ContactFields {
  companyName: string;
  companyDomain: string;
  /** Set on a source contact merged into another; it is then a tombstone. */
  mergedInto: string;
  /** Sources merged into this contact, so a retried merge is recognised. */
  mergedSources: string[];
  erasedAt: Date | null;
}

/**
 * lastActivityAt is not part of the record: logging an activity must not bump the contact's version (a client's
 * ETag would go stale with every call logged). The read model derives it from the activities.
 */
export type ContactView = ContactDoc & { lastActivityAt: Date | null };

export type CompanyDoc = TenantRecord & CompanyFields;

/** Owner and team are the contact's (they follow it on transfer and merge); loggedBy is the author. */
export interface ActivityDoc extends TenantRecord, ActivityFields {
  loggedBy: string;
}

/** Per tenant, _id = tenantId; owner and team are empty (everyone in the tenant reads them, admins change them). */
export interface TenantSettingsDoc extends TenantRecord, TenantSettingsFields {}

/** Per tenant and entity, _id = "<tenantId>:<entity>". */
export interface CustomFieldSetDoc extends TenantRecord {
  entity: CustomFieldEntity;
  definitions: CustomFieldDefinition[];
}

export type ImportStatus = 'receiving' | 'queued' | 'running' | 'completed' | 'failed';

export interface ImportRowError {
  row: number;
  field: string;
  message: string;
}

/** An import job. Its version is the lease's compare-and-set: a worker's checkpoint names the version it read. */
export interface ImportJobDoc extends TenantRecord {
  /** Who started it: the worker acts with this principal's rights. */
  actor: Principal;
  entity: ImportEntity;
  fileName: string;
  mapping: ColumnMapping[];
  matchBy: MatchBy;
  status: ImportStatus;
  sizeBytes: number;
  chunkCount: number;
  rowsTotal: number;
  /** Checkpoint: rows fully processed; a resumed worker skips them. */
  rowsDone: number;
  batchesDone: number;
  createdCount: number;
  updatedCount: number;
  unchangedCount: number;
  errorCount: number;
  firstErrors: ImportRowError[];
  /** The row errors of the batch this version checkpointed: the event log keeps every batch's, the read model lists them. */
  batchErrors: ImportRowError[];
  failureMessage: string;
  leaseOwner: string;
  leaseUntil: Date | null;
  startedAt: Date | null;
  finishedAt: Date | null;
}

function snapshotModel<T>(
  mongo: Connection,
  name: string,
  collection: string,
  indexes: Array<Record<string, 1>>,
): Model<T> {
  const existing = mongo.models[name] as Model<T> | undefined;
  if (existing) return existing;
  // The kit writes whole documents through the driver; the schema names the collection and its indexes.
  const schema = new Schema({ _id: String }, { strict: false, versionKey: false, collection, autoIndex: true });
  for (const index of indexes) schema.index(index);
  return mongo.model<T>(name, schema as unknown as Schema<T>);
}

export interface ContactModels {
  contacts: Model<ContactDoc>;
  companies: Model<CompanyDoc>;
  activities: Model<ActivityDoc>;
  settings: Model<TenantSettingsDoc>;
  fieldSets: Model<CustomFieldSetDoc>;
  imports: Model<ImportJobDoc>;
}

export async function contactModels(mongo: Connection): Promise<ContactModels> {
  const models: ContactModels = {
    contacts: snapshotModel<ContactDoc>(mongo, 'Contact', 'contacts', [{ tenantId: 1, companyId: 1 }]),
    companies: snapshotModel<CompanyDoc>(mongo, 'Company', 'companies', []),
    activities: snapshotModel<ActivityDoc>(mongo, 'Activity', 'activities', [{ tenantId: 1, contactId: 1 }]),
    settings: snapshotModel<TenantSettingsDoc>(mongo, 'TenantSettings', 'tenant_settings', []),
    fieldSets: snapshotModel<CustomFieldSetDoc>(mongo, 'CustomFieldSet', 'custom_field_sets', []),
    imports: snapshotModel<ImportJobDoc>(mongo, 'ImportJob', 'import_jobs', [{ status: 1 }]),
  };
  await Promise.all(Object.values(models).map((model: Model<unknown>) => model.init()));
  return models;
}

/** Ids of a company's contacts (a small equality set), for copying a rename onto them. */
export async function contactIdsOfCompany(
  contacts: Model<ContactDoc>,
  tenantId: string,
  companyId: string,
): Promise<string[]> {
  const docs = await contacts.collection.find({ tenantId, companyId }, { projection: { _id: 1 } }).toArray();
  return docs.map((d) => String(d._id));
}

/** Ids of a contact's activities (a small equality set), for merges and erasure. */
export async function activityIdsOfContact(
  activities: Model<ActivityDoc>,
  tenantId: string,
  contactId: string,
): Promise<string[]> {
  const docs = await activities.collection.find({ tenantId, contactId }, { projection: { _id: 1 } }).toArray();
  return docs.map((d) => String(d._id));
}
