// The service's `events` collection: every change of every aggregate as one document whose _id is
// "<aggregateId>:<version>". Inserting it is the compare-and-set of the write (a unique _id insert is atomic on
// every MongoDB-wire server); it is also the outbox (published: false until the messages are on JetStream) and
// the record's history.
import type { Collection, Connection } from 'mongoose';
import type { Actor, EventMessage } from './event-message';
import type { FieldChange } from './field-changes';
import { insertManyChunked } from './bulk-insert';
import { isDuplicateKey, withStoreRetry } from './store-retry';

export interface LoggedEvent<T = unknown> {
  _id: string;
  aggregateId: string;
  /** The snapshot collection of the aggregate, e.g. "contacts". */
  collection: string;
  tenantId: string;
  version: number;
  /** The main event type, e.g. "contact.updated". */
  type: string;
  at: Date;
  actor: Actor;
  changes: FieldChange[];
  /** The aggregate after the change: what the snapshot, the read models and consumers are made from. */
  state: T;
  messages: EventMessage[];
  published: boolean;
  /**
   * Unique per write: random, or derived from the caller's request key, so that a retried request finds the write
   * its first attempt stored (request-key.ts).
   */
  writeId: string;
  /** Unique per attempt to store the event, so that a retried insert recognises its own earlier success. */
  attempt?: string;
  /** Personal data was removed (GDPR erase); the version stays. */
  redacted?: boolean;
  /**
   * The bulk write (createMany) the event was stored by, '' for a single write. A batch's events keep
   * `published: false`; their batch document says whether their messages are on the stream, so that a bulk write
   * costs one update instead of one per event (a per-document update is what the MongoDB-wire servers do slowest).
   */
  batch?: string;
}

/** A bulk write's events: published (and their snapshots and read models finished) together. */
export interface EventBatch {
  _id: string;
  /** The snapshot collection of its events. */
  collection: string;
  tenantId: string;
  at: Date;
  size: number;
  published: boolean;
}

export type AppendResult = 'appended' | 'version-taken';

const COLLECTION = 'events';
const BATCHES = 'event_batches';

export function eventId(aggregateId: string, version: number): string {
  return `${aggregateId}:${version}`;
}

export class EventLog {
  readonly collection: Collection<LoggedEvent<unknown>>;
  readonly batches: Collection<EventBatch>;

  constructor(connection: Connection) {
    this.collection = connection.collection<LoggedEvent<unknown>>(COLLECTION);
    this.batches = connection.collection<EventBatch>(BATCHES);
  }

  /** The indexes the log is read by: an aggregate's history, the sweeper's unpublished events and batches. */
  async ensureIndexes(): Promise<void> {
    await this.collection.createIndex({ aggregateId: 1 });
    // Write ids are unique: a keyed request's retry finds its earlier write by it, and two attempts of the same
    // keyed write can never both be stored, even under different versions.
    await this.collection.createIndex({ writeId: 1 }, { unique: true });
    await this.collection.createIndex({ published: 1, batch: 1 });
    await this.collection.createIndex({ batch: 1 });
    await this.batches.createIndex({ published: 1 });
  }

  /** Of all writers appending the same aggregate version exactly one gets 'appended'. */
  async append(event: LoggedEvent<unknown>): Promise<AppendResult> {
    return withStoreRetry(async () => {
      try {
        await this.collection.insertOne({ ...event, batch: event.batch ?? '' });
        return 'appended';
      } catch (error) {
        if (!isDuplicateKey(error)) throw error;
        const existing = await this.collection.findOne({ _id: event._id }, { projection: { writeId: 1, attempt: 1 } });
        const mine = existing?.writeId === event.writeId && existing?.attempt === event.attempt;
        return mine ? 'appended' : 'version-taken';
      }
    });
  }

  /** Records a bulk write before its events: the sweeper finishes a batch whose writer died. */
  async beginBatch(batch: EventBatch): Promise<void> {
    await withStoreRetry(() => this.batches.insertOne(batch));
  }

  async markBatchPublished(id: string): Promise<void> {
    await withStoreRetry(() => this.batches.updateOne({ _id: id }, { $set: { published: true } }));
  }

  /** Batches whose writer has not finished them, begun before `olderThan`. */
  async unpublishedBatches(olderThan: Date, limit: number): Promise<EventBatch[]> {
    const batches = await withStoreRetry(() => this.batches.find({ published: false }).toArray());
    return batches.filter((b) => b.at <= olderThan).slice(0, limit);
  }

  /** The events a batch stored (an equality on the batch id). */
  async eventsOfBatch<T>(id: string): Promise<Array<LoggedEvent<T>>> {
    const events = await withStoreRetry(() => this.collection.find({ batch: id }).toArray());
    return (events as Array<LoggedEvent<T>>).map(revive);
  }

  /** Whether the event's messages are on the stream: its own flag, or for a batch's event the batch's. */
  async isPublished(event: LoggedEvent<unknown>): Promise<boolean> {
    if (event.published || !event.batch) return event.published;
    const batch = await withStoreRetry(() => this.batches.findOne({ _id: event.batch as string }));
    return batch?.published ?? false;
  }

  /**
   * Appends many events of new aggregates (bulk creates) in chunks side by side (bulk-insert.ts); returns the ids
   * that were taken already (never by this call: a retry after a lost answer recognises its own write ids).
   */
  async appendMany(events: ReadonlyArray<LoggedEvent<unknown>>): Promise<Set<string>> {
    if (events.length === 0) return new Set();
    const failed = await insertManyChunked(
      this.collection,
      events.map((e) => ({ ...e, batch: e.batch ?? '' })),
    );
    const clashes = failed.map((i) => events[i] as LoggedEvent<unknown>);
    const existing = await Promise.all(
      clashes.map((e) => withStoreRetry(() => this.collection.findOne({ _id: e._id }, { projection: { writeId: 1 } }))),
    );
    return new Set(clashes.filter((e, i) => existing[i]?.writeId !== e.writeId).map((e) => e._id));
  }

  /** The event a write stored, by its write id. */
  async byWriteId<T>(writeId: string): Promise<LoggedEvent<T> | undefined> {
    const event = await withStoreRetry(() => this.collection.findOne({ writeId }));
    return event ? revive(event as LoggedEvent<T>) : undefined;
  }

  /** One event by its id, its messages' data as Buffers again (finish() publishes them). */
  async get<T>(id: string): Promise<LoggedEvent<T> | null> {
    const event = await withStoreRetry(() => this.collection.findOne({ _id: id }));
    return event ? revive(event as LoggedEvent<T>) : null;
  }

  /** Every version of one aggregate, oldest first. */
  async history<T>(aggregateId: string): Promise<Array<LoggedEvent<T>>> {
    const events = await withStoreRetry(() => this.collection.find({ aggregateId }).toArray());
    return (events as Array<LoggedEvent<T>>).map(revive).sort((a, b) => a.version - b.version);
  }

  async latest<T>(aggregateId: string): Promise<LoggedEvent<T> | undefined> {
    return (await this.history<T>(aggregateId)).at(-1);
  }

  async markPublished(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    // One update by _id each (an $in would not be answered from an index on every store), in one round trip.
    await withStoreRetry(() =>
      this.collection.bulkWrite(
        ids.map((id) => ({ updateOne: { filter: { _id: id }, update: { $set: { published: true } } } })),
        { ordered: false },
      ),
    );
  }

  /** Unpublished events of single writes before `olderThan`, oldest version of each aggregate first. */
  async unpublished<T>(olderThan: Date, limit: number): Promise<Array<LoggedEvent<T>>> {
    const events = await this.collection
      .find({ published: false, batch: '' })
      .limit(limit * 4)
      .toArray();
    return (events as Array<LoggedEvent<T>>)
      .map(revive)
      .filter((e) => e.at <= olderThan)
      .sort((a, b) => a.aggregateId.localeCompare(b.aggregateId) || a.version - b.version)
      .slice(0, limit);
  }

  /** Every event of some snapshot collections, in no particular order (rebuilds). */
  async *scan<T>(collections: readonly string[], batchSize = 1000): AsyncGenerator<Array<LoggedEvent<T>>> {
    for (const collection of collections) {
      let batch: Array<LoggedEvent<T>> = [];
      for await (const doc of this.collection.find({ collection }).batchSize(batchSize)) {
        batch.push(revive(doc as LoggedEvent<T>));
        if (batch.length >= batchSize) {
          yield batch;
          batch = [];
        }
      }
      if (batch.length > 0) yield batch;
    }
  }

  /** Replaces personal data in an aggregate's published events; versions, types and times stay. */
  async redact<T>(
    aggregateId: string,
    redact: (event: LoggedEvent<T>) => Pick<LoggedEvent<T>, 'state' | 'changes'>,
  ): Promise<number> {
    const events = await this.history<T>(aggregateId);
    let redacted = 0;
    for (const event of events) {
      const { state, changes } = redact(event);
      // Published messages are no longer needed; unpublished ones are left for the sweeper to publish first.
      const set = (await this.isPublished(event))
        ? { state, changes, messages: [], redacted: true }
        : { state, changes, redacted: true };
      await withStoreRetry(() =>
        this.collection.updateOne({ _id: event._id }, { $set: set as Partial<LoggedEvent<unknown>> }),
      );
      redacted++;
    }
    return redacted;
  }
}

/** The driver hands back BSON Binary where the messages were written as Buffers. */
function revive<T>(event: LoggedEvent<T>): LoggedEvent<T> {
  return { ...event, messages: (event.messages ?? []).map((m) => ({ ...m, data: toBuffer(m.data) })) };
}

export function toBuffer(data: unknown): Buffer {
  if (Buffer.isBuffer(data)) return data;
  const binary = data as { buffer?: Uint8Array; value?: () => Uint8Array };
  if (binary.buffer instanceof Uint8Array) return Buffer.from(binary.buffer);
  return Buffer.from(data as Uint8Array);
}
