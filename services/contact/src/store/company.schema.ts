import { Schema, type Connection, type Model } from 'mongoose';
import { OUTBOX_PENDING_INDEX, tenantRecordFields, type TenantRecord } from '@crm/service-kit';
import type { CompanyFields } from '../domain/company.model';

export interface CompanyDoc extends TenantRecord, CompanyFields {
  searchTokens: string[];
  importBatch: string;
  /** The second of updatedAt: the slot unfiltered lists walk (domain/list-slots). */
  updatedSlot?: number;
}

const mixed = { type: Schema.Types.Mixed };

export const companySchema = new Schema<CompanyDoc>(
  {
    ...tenantRecordFields,
    name: String,
    domain: String,
    website: String,
    industry: String,
    size: String,
    annualRevenue: { ...mixed, default: null },
    address: { ...mixed, default: null },
    parentCompanyId: String,
    customFields: { ...mixed, default: {} },
    externalId: String,
    searchTokens: [String],
    importBatch: { type: String, default: '' },
    updatedSlot: Number,
  },
  { versionKey: false, minimize: false, collection: 'companies' },
);

companySchema.index({ tenantId: 1, updatedAt: -1, _id: -1 });
companySchema.index({ tenantId: 1, domain: 1 });
companySchema.index({ tenantId: 1, updatedSlot: 1 });
companySchema.index({ tenantId: 1, searchTokens: 1 });
companySchema.index({ tenantId: 1, externalId: 1 });
companySchema.index({ tenantId: 1, parentCompanyId: 1 });
companySchema.index({ tenantId: 1, ownerId: 1, updatedAt: -1 });
companySchema.index(OUTBOX_PENDING_INDEX);

export function companyModel(mongo: Connection): Model<CompanyDoc> {
  return (mongo.models.Company as Model<CompanyDoc> | undefined) ?? mongo.model<CompanyDoc>('Company', companySchema);
}
