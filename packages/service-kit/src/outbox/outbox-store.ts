import type { Model } from 'mongoose';
import type { OutboxEntry } from './outbox-entry';

export interface OutboxHolder {
  _id: string;
  outbox?: OutboxEntry[];
}

/** The two operations the relay and sweeper need on a collection whose documents carry an outbox. */
export interface OutboxStore {
  readonly name: string;
  findPending(olderThan: Date, limit: number): Promise<OutboxHolder[]>;
  pullPublished(documentId: string, eventIds: string[]): Promise<void>;
}

/** Uses the driver's collection directly: the outbox is the same shape whatever the aggregate's schema. */
export function outboxStoreOf<T>(model: Model<T>): OutboxStore {
  const collection = model.collection;
  return {
    name: collection.collectionName,
    async findPending(olderThan, limit) {
      const docs = await collection.find({ 'outbox.createdAt': { $lte: olderThan } }, { projection: { _id: 1, outbox: 1 } }).limit(limit).toArray();
      return docs.map((doc) => ({ _id: String(doc._id), outbox: ((doc.outbox ?? []) as OutboxEntry[]).map(reviveEntry) }));
    },
    async pullPublished(documentId, eventIds) {
      await collection.updateOne({ _id: documentId as never }, { $pull: { outbox: { id: { $in: eventIds } } } as never });
    },
  };
}

/** The driver hands back BSON Binary where mongoose would give a Buffer. */
function reviveEntry(entry: OutboxEntry): OutboxEntry {
  const data = entry.data as unknown;
  const bytes = Buffer.isBuffer(data) ? data : Buffer.from((data as { buffer: Uint8Array }).buffer);
  return { ...entry, data: bytes };
}
