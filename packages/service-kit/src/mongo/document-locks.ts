import { randomUUID } from 'node:crypto';
import type { Collection, Connection } from 'mongoose';
import { ServiceError } from '../errors/service-error';
import { isDuplicateKey } from '../records/store-retry';

interface LockDoc {
  _id: string;
  owner: string;
  expiresAt: Date;
}

export interface DocumentLocksOptions {
  /** A holder that crashed leaves its lock; after this long others may take it over. */
  ttlMs?: number;
  /** How long a writer waits for a busy document before answering ABORTED. */
  waitMs?: number;
}

/**
 * Serialises writes to one document. FerretDB v1 applies an update as read-modify-write outside any lock, so
 * two conditional updates can both "match" and the later one silently overwrites the earlier (a lost update);
 * inserting a unique _id is the one operation it makes atomic, and it is what these locks are made of. On
 * MongoDB the locks cost one insert and one delete per write and change nothing else.
 */
export class DocumentLocks {
  private readonly collection: Collection<LockDoc>;
  private readonly ttlMs: number;
  private readonly waitMs: number;

  constructor(connection: Connection, options: DocumentLocksOptions = {}) {
    this.collection = connection.collection<LockDoc>('document_locks');
    this.ttlMs = options.ttlMs ?? 15_000;
    this.waitMs = options.waitMs ?? 3_000;
  }

  async withLock<T>(key: string, work: () => Promise<T>): Promise<T> {
    const owner = await this.acquire(key);
    try {
      return await work();
    } finally {
      await this.collection.deleteOne({ _id: key, owner }).catch(() => undefined);
    }
  }

  /** Expiry by sweeper: the store has no TTL indexes. */
  async pruneExpired(): Promise<number> {
    const { deletedCount } = await this.collection.deleteMany({
      expiresAt: { $lt: new Date(Date.now() - this.ttlMs) },
    });
    return deletedCount;
  }

  private async acquire(key: string): Promise<string> {
    const owner = randomUUID();
    const giveUpAt = Date.now() + this.waitMs;
    for (let attempt = 0; ; attempt++) {
      try {
        await this.collection.insertOne({ _id: key, owner, expiresAt: new Date(Date.now() + this.ttlMs) });
        return owner;
      } catch (error) {
        if (!isDuplicateKey(error)) throw error;
      }
      await this.breakIfExpired(key);
      if (Date.now() > giveUpAt)
        throw new ServiceError('ABORTED', 'The record is busy; retry the request', { reason: 'RECORD_BUSY' });
      await sleep(Math.min(5 * 2 ** Math.min(attempt, 5), 100) * (0.5 + Math.random()));
    }
  }

  private async breakIfExpired(key: string): Promise<void> {
    const current = await this.collection.findOne({ _id: key });
    if (current && current.expiresAt.getTime() < Date.now())
      await this.collection.deleteOne({ _id: key, owner: current.owner });
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
