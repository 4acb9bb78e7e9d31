import type { Logger } from 'pino';
import type { OutboxRelay } from './outbox-relay';
import type { OutboxStore } from './outbox-store';

export interface OutboxSweeperOptions {
  intervalMs?: number;
  /** Entries younger than this are left to the relay of the request that wrote them. */
  minAgeMs?: number;
  batchSize?: number;
}

/** Re-publishes whatever is still in an outbox: at start-up (a previous process died mid-relay) and periodically. */
export class OutboxSweeper {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;
  private readonly intervalMs: number;
  private readonly minAgeMs: number;
  private readonly batchSize: number;

  constructor(
    private readonly stores: OutboxStore[],
    private readonly relay: OutboxRelay,
    private readonly log: Logger,
    options: OutboxSweeperOptions = {},
  ) {
    this.intervalMs = options.intervalMs ?? 10_000;
    this.minAgeMs = options.minAgeMs ?? 5_000;
    this.batchSize = options.batchSize ?? 100;
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

  /** Returns the number of events published. Never runs twice at once. */
  sweepOnce(options: { minAgeMs?: number } = {}): Promise<number> {
    this.running ??= this.sweepAll(options.minAgeMs ?? this.minAgeMs).finally(() => (this.running = undefined));
    return this.running;
  }

  private async sweepAll(minAgeMs: number): Promise<number> {
    let published = 0;
    for (const store of this.stores) {
      try {
        published += await this.sweepStore(store, new Date(Date.now() - minAgeMs));
      } catch (error) {
        this.log.warn({ err: error, collection: store.name }, 'outbox sweep failed');
      }
    }
    if (published > 0) this.log.info({ published }, 'outbox sweeper published pending events');
    return published;
  }

  private async sweepStore(store: OutboxStore, olderThan: Date): Promise<number> {
    let published = 0;
    for (const doc of await store.findPending(olderThan, this.batchSize)) {
      const due = (doc.outbox ?? []).filter((e) => e.createdAt <= olderThan);
      published += await this.relay.relay(store, doc._id, due);
    }
    return published;
  }
}
