import type { Model } from 'mongoose';
import type { DocumentLocks } from '../mongo/document-locks';
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

export function lockKey(collectionName: string, documentId: string): string {
  return `${collectionName}:${documentId}`;
}

/**
 * Uses the driver's collection directly: the outbox is the same shape whatever the aggregate's schema. Pulling
 * happens under the document's lock, as every write to an aggregate does (see DocumentLocks).
 */
export function outboxStoreOf<T>(model: Model<T>, locks: DocumentLocks): OutboxStore {
  const collection = model.collection;
  const name = collection.collectionName;
  return {
    name,
    async findPending(olderThan, limit) {
      const docs = await collection
        .find({ outboxPending: true }, { projection: { _id: 1, outbox: 1 } })
        .limit(limit)
        .toArray();
      return docs
        .map((doc) => ({ _id: String(doc._id), outbox: ((doc.outbox ?? []) as OutboxEntry[]).map(reviveEntry) }))
        .filter((doc) => doc.outbox.some((entry) => entry.createdAt <= olderThan));
    },
    async pullPublished(documentId, eventIds) {
      // Filtered here and set whole: FerretDB v1 ignores $pull with a condition such as { id: { $in } }.
      await locks.withLock(lockKey(name, documentId), async () => {
        const doc = await collection.findOne({ _id: documentId as never }, { projection: { outbox: 1 } });
        const remaining = ((doc?.outbox ?? []) as OutboxEntry[]).filter((entry) => !eventIds.includes(entry.id));
        await collection.updateOne(
          { _id: documentId as never },
          { $set: { outbox: remaining, outboxPending: remaining.length > 0 } },
        );
      });
    },
  };
}

/** The driver hands back BSON Binary where mongoose would give a Buffer. */
function reviveEntry(entry: OutboxEntry): OutboxEntry {
  const data = entry.data as unknown;
  const bytes = Buffer.isBuffer(data) ? data : Buffer.from((data as { buffer: Uint8Array }).buffer);
  return { ...entry, data: bytes };
}
