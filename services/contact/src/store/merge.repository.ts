import type { Collection, Connection } from 'mongoose';

export interface MergeRecordDoc {
  /** "<tenantId>:<sourceId>": a source is merged at most once, into one target. */
  _id: string;
  tenantId: string;
  sourceId: string;
  targetId: string;
  status: 'started' | 'completed';
  activitiesMoved: number;
  startedAt: Date;
  completedAt: Date | null;
}

/** The progress of each merge, so a retried or resumed merge finishes what the first attempt began, once. */
export class MergeRecords {
  private readonly collection: Collection<MergeRecordDoc>;

  constructor(mongo: Connection) {
    this.collection = mongo.collection<MergeRecordDoc>('contact_merges');
  }

  static id(tenantId: string, sourceId: string): string {
    return `${tenantId}:${sourceId}`;
  }

  find(tenantId: string, sourceId: string): Promise<MergeRecordDoc | null> {
    return this.collection.findOne({ _id: MergeRecords.id(tenantId, sourceId) });
  }

  /** Inserting is atomic: of two merges of the same source, one records itself first. */
  async start(record: MergeRecordDoc): Promise<void> {
    await this.collection.insertOne(record);
  }

  async update(tenantId: string, sourceId: string, patch: Partial<MergeRecordDoc>): Promise<void> {
    await this.collection.updateOne({ _id: MergeRecords.id(tenantId, sourceId) }, { $set: patch });
  }

  async remove(tenantId: string, sourceId: string): Promise<void> {
    await this.collection.deleteOne({ _id: MergeRecords.id(tenantId, sourceId) });
  }
}
