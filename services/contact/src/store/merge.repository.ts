// A merge's record: which target a source went into, and how many activities moved. Inserted once (the unique _id
// is the decision that a source is merged at most once, into one target) and never updated: every step after it
// is idempotent and recognises its own effect, so a retry or a resumed merge finishes the same merge.
import { isDuplicateKey, withStoreRetry } from '@crm/service-kit';
import type { Collection, Connection } from 'mongoose';

export interface MergeRecordDoc {
  /** "<tenantId>:<sourceId>". */
  _id: string;
  tenantId: string;
  sourceId: string;
  targetId: string;
  activitiesMoved: number;
  startedAt: Date;
}

export class MergeRecords {
  private readonly collection: Collection<MergeRecordDoc>;

  constructor(mongo: Connection) {
    this.collection = mongo.collection<MergeRecordDoc>('contact_merges');
  }

  static id(tenantId: string, sourceId: string): string {
    return `${tenantId}:${sourceId}`;
  }

  find(tenantId: string, sourceId: string): Promise<MergeRecordDoc | null> {
    return withStoreRetry(() => this.collection.findOne({ _id: MergeRecords.id(tenantId, sourceId) }));
  }

  /** Records the merge, or answers the record that another merge of the same source made first. */
  async start(record: MergeRecordDoc): Promise<MergeRecordDoc> {
    try {
      await withStoreRetry(() => this.collection.insertOne(record));
      return record;
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
      return (await this.find(record.tenantId, record.sourceId)) ?? record;
    }
  }

  /** Forgets a merge whose target write was refused, so the caller can try again with a fresh version. */
  async forget(record: MergeRecordDoc): Promise<void> {
    await withStoreRetry(() =>
      this.collection.deleteOne({ _id: record._id, targetId: record.targetId, startedAt: record.startedAt }),
    );
  }
}
