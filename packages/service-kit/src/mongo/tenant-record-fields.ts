import { outboxFields } from '../outbox/outbox-entry';

/**
 * The schema paths of TenantRecord, which every aggregate's mongoose schema starts with:
 * `new Schema({ ...tenantRecordFields, name: String, … })`.
 */
export const tenantRecordFields = {
  _id: String,
  tenantId: { type: String, required: true },
  ownerId: String,
  teamId: String,
  version: Number,
  createdAt: Date,
  updatedAt: Date,
  deletedAt: { type: Date, default: null },
  ...outboxFields,
};
