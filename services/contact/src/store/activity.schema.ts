import { Schema, type Connection, type Model } from 'mongoose';
import { OUTBOX_PENDING_INDEX, tenantRecordFields, type TenantRecord } from '@crm/service-kit';
import type { ActivityFields } from '../domain/activity.model';

/** Owner and team are the contact's at logging time, so visibility follows the contact; loggedBy is the author. */
export interface ActivityDoc extends TenantRecord, ActivityFields {
  loggedBy: string;
}

const mixed = { type: Schema.Types.Mixed };

export const activitySchema = new Schema<ActivityDoc>(
  {
    ...tenantRecordFields,
    type: String,
    contactId: String,
    companyId: String,
    dealId: String,
    ticketId: String,
    subject: String,
    body: String,
    occurredAt: Date,
    call: { ...mixed, default: null },
    email: { ...mixed, default: null },
    meeting: { ...mixed, default: null },
    loggedBy: String,
  },
  { versionKey: false, minimize: false, collection: 'activities' },
);

// Timelines: newest first, with _id breaking ties.
activitySchema.index({ tenantId: 1, contactId: 1, occurredAt: -1, _id: -1 });
activitySchema.index({ tenantId: 1, companyId: 1, occurredAt: -1, _id: -1 });
activitySchema.index(OUTBOX_PENDING_INDEX);

export function activityModel(mongo: Connection): Model<ActivityDoc> {
  return (
    (mongo.models.Activity as Model<ActivityDoc> | undefined) ?? mongo.model<ActivityDoc>('Activity', activitySchema)
  );
}
