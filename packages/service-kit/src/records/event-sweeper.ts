import type { Logger } from 'pino';
import type { EventBatch, EventLog, LoggedEvent } from './event-log';
import type { RecordStore, TenantRecord } from './record-store';

export interface EventSweeperOptions {
  intervalMs?: number;
  /** Events younger than this are left to the request that wrote them. */
  minAgeMs?: number;
  batchSize?: number;
}

/**
 * Finishes what a crashed or failed write left: repairs a snapshot behind its latest event, re-applies the read
 * models, publishes and marks published. At start-up (a previous process died mid-write) and periodically.
 */
export class EventSweeper {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;
  private readonly intervalMs: number;
  private readonly minAgeMs: number;
  private readonly batchSize: number;
  private readonly stores: Map<string, RecordStore<TenantRecord>>;

  constructor(
    private readonly events: EventLog,
    stores: ReadonlyArray<RecordStore<TenantRecord>>,
    private readonly log: Logger,
    options: EventSweeperOptions = {},
  ) {
    this.stores = new Map(stores.map((store) => [store.collectionName, store]));
    this.intervalMs = options.intervalMs ?? 5_000;
    this.minAgeMs = options.minAgeMs ?? 5_000;
    this.batchSize = options.batchSize ?? 200;
  }

  start(): void {
    void this.sweepOnce({ minAgeMs: 0 });
    this.timer = setInterval(() => void this.sweepOnce(), this.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** Returns the number of events finished. Never runs twice at once. */
  sweepOnce(options: { minAgeMs?: number } = {}): Promise<number> {
    this.running ??= this.sweep(options.minAgeMs ?? this.minAgeMs).finally(() => (this.running = undefined));
    return this.running;
  }

  private async sweep(minAgeMs: number): Promise<number> {
    let finished = 0;
    try {
      const olderThan = new Date(Date.now() - minAgeMs);
      const pending = await this.events.unpublished<TenantRecord>(olderThan, this.batchSize);
      for (const event of pending) if (await this.finish(event)) finished++;
      for (const batch of await this.events.unpublishedBatches(olderThan, this.batchSize))
        finished += await this.finishBatch(batch);
    } catch (error) {
      this.log.warn({ err: error }, 'event sweep failed');
    }
    if (finished > 0) this.log.info({ finished }, 'event sweeper finished pending writes');
    return finished;
  }

  private async finishBatch(batch: EventBatch): Promise<number> {
    const store = this.stores.get(batch.collection);
    if (!store) {
      this.log.warn({ batch: batch._id, collection: batch.collection }, 'batch of an unknown collection left as is');
      return 0;
    }
    const events = await this.events.eventsOfBatch<TenantRecord>(batch._id);
    await store.replayBatch(batch._id, events);
    await store.drain();
    return events.length;
  }

  private async finish(event: LoggedEvent<TenantRecord>): Promise<boolean> {
    const store = this.stores.get(event.collection);
    if (!store) {
      this.log.warn({ event: event._id, collection: event.collection }, 'event of an unknown collection left as is');
      return false;
    }
    await store.replay(event);
    await store.drain();
    return true;
  }
}
