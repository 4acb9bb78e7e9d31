import { Schema, type Connection, type Model } from 'mongoose';
import { outboxFields, OUTBOX_PENDING_INDEX } from '@crm/service-kit';
import type { BatchOutboxDoc } from './import.repository';

/**
 * The events of one import batch, in one small document: relaying each new contact's own outbox would cost
 * several writes per row. The batch's rows carry importBatch, so a resumed batch finds what it already wrote.
 */
const batchOutboxSchema = new Schema<BatchOutboxDoc>(
  { _id: String, tenantId: String, ...outboxFields },
  { versionKey: false, collection: 'import_outbox' },
);
batchOutboxSchema.index(OUTBOX_PENDING_INDEX);

export function batchOutboxModel(mongo: Connection): Model<BatchOutboxDoc> {
  return (
    (mongo.models.ImportOutbox as Model<BatchOutboxDoc> | undefined) ??
    mongo.model<BatchOutboxDoc>('ImportOutbox', batchOutboxSchema)
  );
}
