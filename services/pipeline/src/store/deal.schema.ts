import { Schema, type Connection, type Model } from 'mongoose';
import { outboxFields, OUTBOX_PENDING_INDEX, type TenantRecord } from '@crm/service-kit';
import type { DealFields } from '../domain/deal';

export type DealDocument = TenantRecord & DealFields;

export const DEALS_COLLECTION = 'deals';

const contactSummarySchema = new Schema(
  { id: String, displayName: String, email: String, erased: Boolean, sourceVersion: Number },
  { _id: false },
);
const companySummarySchema = new Schema(
  { id: String, name: String, domain: String, sourceVersion: Number },
  { _id: false },
);
const stageVisitSchema = new Schema({ stageId: String, enteredAt: Date, leftAt: Date, by: String }, { _id: false });

const dealSchema = new Schema<DealDocument>(
  {
    _id: { type: String, required: true },
    tenantId: { type: String, required: true },
    ownerId: { type: String, required: true },
    teamId: { type: String, default: '' },
    version: { type: Number, required: true },
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
    deletedAt: { type: Date, default: null },
    ...outboxFields,
    title: { type: String, required: true },
    amountMinor: { type: Number, required: true },
    currency: { type: String, required: true },
    pipelineId: { type: String, required: true },
    stageId: { type: String, required: true },
    status: { type: String, required: true },
    contactId: { type: String, default: '' },
    companyId: { type: String, default: '' },
    contact: { type: contactSummarySchema, default: null },
    company: { type: companySummarySchema, default: null },
    expectedCloseDate: { type: String, default: '' },
    nextStep: { type: String, default: '' },
    customFields: { type: Schema.Types.Mixed, default: {} },
    lostReason: { type: String, default: '' },
    closedAt: { type: Date, default: null },
    rank: { type: String, required: true },
    stageHistory: { type: [stageVisitSchema], default: [] },
    forecastDate: { type: String, default: '' },
  },
  { versionKey: false, minimize: false, strict: 'throw' },
);

// Every query starts with the tenant (ARCHITECTURE.md); visibility adds owner or team.
dealSchema.index({ tenantId: 1, pipelineId: 1, stageId: 1, rank: 1, _id: 1 });
dealSchema.index({ tenantId: 1, ownerId: 1, _id: 1 });
dealSchema.index({ tenantId: 1, teamId: 1, _id: 1 });
dealSchema.index({ tenantId: 1, contactId: 1 });
dealSchema.index({ tenantId: 1, companyId: 1 });
dealSchema.index(OUTBOX_PENDING_INDEX);
dealSchema.index({ tenantId: 1, forecastDate: 1 });

export function dealModel(connection: Connection): Model<DealDocument> {
  return (
    (connection.models.Deal as Model<DealDocument> | undefined) ??
    connection.model<DealDocument>('Deal', dealSchema, DEALS_COLLECTION)
  );
}
