import { Schema, type Connection, type Model } from 'mongoose';
import { OUTBOX_PENDING_INDEX, tenantRecordFields, type TenantRecord } from '@crm/service-kit';
import type { ContactFields } from '../domain/contact.model';

/** A contact as stored: the fields, the denormalised company, and the keys that search and dedup are served by. */
export interface ContactDoc extends TenantRecord, ContactFields {
  companyName: string;
  companyDomain: string;
  lastActivityAt: Date | null;
  /** Set on a source contact merged into another; it is then a tombstone. */
  mergedInto: string;
  /** Sources merged into this contact, so a retried merge is recognised. */
  mergedSources: string[];
  erasedAt: Date | null;
  /** Edge n-grams of name, email, phone and company words; served by {tenantId, searchTokens}. */
  searchTokens: string[];
  emailKeys: string[];
  phoneKeys: string[];
  /** Folded "first last", for same-name duplicate candidates. */
  nameKey: string;
  /** "<jobId>:<batch>" of the import that created it, so a resumed batch recognises its own rows. */
  importBatch: string;
  /** The second of updatedAt: the slot unfiltered lists walk (domain/list-slots). */
  updatedSlot?: number;
}

const mixed = { type: Schema.Types.Mixed };

export const contactSchema = new Schema<ContactDoc>(
  {
    ...tenantRecordFields,
    firstName: String,
    lastName: String,
    emails: { ...mixed, default: [] },
    phones: { ...mixed, default: [] },
    title: String,
    companyId: String,
    companyName: String,
    companyDomain: String,
    lifecycleStage: String,
    leadSource: String,
    tags: [String],
    tier: String,
    address: { ...mixed, default: null },
    customFields: { ...mixed, default: {} },
    externalId: String,
    lastActivityAt: { type: Date, default: null },
    mergedInto: { type: String, default: '' },
    mergedSources: { type: [String], default: [] },
    erasedAt: { type: Date, default: null },
    searchTokens: [String],
    emailKeys: [String],
    phoneKeys: [String],
    nameKey: String,
    importBatch: { type: String, default: '' },
    updatedSlot: Number,
  },
  { versionKey: false, minimize: false, collection: 'contacts' },
);

// Every query starts with tenantId; lists sort by (updatedAt desc, _id desc).
contactSchema.index({ tenantId: 1, updatedAt: -1, _id: -1 });
contactSchema.index({ tenantId: 1, searchTokens: 1 });
contactSchema.index({ tenantId: 1, updatedSlot: 1 });
contactSchema.index({ tenantId: 1, emailKeys: 1 });
contactSchema.index({ tenantId: 1, phoneKeys: 1 });
contactSchema.index({ tenantId: 1, nameKey: 1 });
contactSchema.index({ tenantId: 1, externalId: 1 });
contactSchema.index({ tenantId: 1, companyId: 1, updatedAt: -1 });
contactSchema.index({ tenantId: 1, ownerId: 1, updatedAt: -1 });
contactSchema.index({ tenantId: 1, teamId: 1, updatedAt: -1 });
contactSchema.index({ tenantId: 1, tags: 1 });
contactSchema.index({ tenantId: 1, lifecycleStage: 1 });
contactSchema.index(OUTBOX_PENDING_INDEX);

export function contactModel(mongo: Connection): Model<ContactDoc> {
  return (mongo.models.Contact as Model<ContactDoc> | undefined) ?? mongo.model<ContactDoc>('Contact', contactSchema);
}
