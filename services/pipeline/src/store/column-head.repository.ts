import type { Collection, Connection } from 'mongoose';
import { lockKey, type DocumentLocks } from '@crm/service-kit';
import type { ColumnHead } from '../domain/column-head';

interface ColumnHeadDocument extends ColumnHead {
  _id: string;
  tenantId: string;
  pipelineId: string;
  stageId: string;
  /** When the entries were last read from the deals themselves. */
  builtAt: Date;
  updatedAt: Date;
}

export interface StoredHead extends ColumnHead {
  builtAt: Date;
}

export interface Column {
  tenantId: string;
  pipelineId: string;
  stageId: string;
}

export const COLUMN_HEADS = 'column_heads';

const headId = (column: Column) => `${column.tenantId}:${column.pipelineId}:${column.stageId}`;

/** One small document per board column, read and written by _id under the column's lock. */
export class ColumnHeadRepository {
  private readonly heads: Collection<ColumnHeadDocument>;

  constructor(
    connection: Connection,
    private readonly locks: DocumentLocks,
  ) {
    this.heads = connection.collection<ColumnHeadDocument>(COLUMN_HEADS);
  }

  async get(column: Column): Promise<StoredHead | undefined> {
    const doc = await this.heads.findOne({ _id: headId(column) });
    return doc ? { entries: doc.entries, complete: doc.complete, builtAt: doc.builtAt } : undefined;
  }

  /** Changes a column's head; a column nobody has shown yet has none, and gets one when first shown. */
  async change(column: Column, apply: (head: ColumnHead) => ColumnHead): Promise<void> {
    const id = headId(column);
    await this.locks.withLock(lockKey(COLUMN_HEADS, id), async () => {
      const doc = await this.heads.findOne({ _id: id });
      if (!doc) return;
      const next = apply({ entries: doc.entries, complete: doc.complete });
      await this.heads.updateOne(
        { _id: id },
        { $set: { entries: next.entries, complete: next.complete, updatedAt: new Date() } },
      );
    });
  }

  /**
   * Replaces a column's head with one read from the deals. The read happens under the column's lock, so a deal
   * write that lands meanwhile applies its change after this, not before it and lost.
   */
  async rebuild(column: Column, read: () => Promise<ColumnHead>): Promise<StoredHead> {
    const id = headId(column);
    return this.locks.withLock(lockKey(COLUMN_HEADS, id), async () => {
      const head = await read();
      const now = new Date();
      await this.heads.updateOne(
        { _id: id },
        { $set: { ...column, entries: head.entries, complete: head.complete, builtAt: now, updatedAt: now } },
        { upsert: true },
      );
      return { ...head, builtAt: now };
    });
  }
}
