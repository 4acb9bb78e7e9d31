import type { Logger } from 'pino';
import type { EventPublisher } from '../messaging/publisher';
import type { OutboxEntry } from './outbox-entry';
import type { OutboxStore } from './outbox-store';

/**
 * Publishes a document's outbox entries and then pulls them. Publishing first and pulling second means a crash
 * in between re-publishes (JetStream drops the duplicate by Nats-Msg-Id) rather than loses.
 */
export class OutboxRelay {
  constructor(
    private readonly publisher: EventPublisher,
    private readonly log: Logger,
  ) {}

  async relay(store: OutboxStore, documentId: string, entries: OutboxEntry[]): Promise<number> {
    const published: string[] = [];
    for (const entry of entries) {
      await this.publisher.publish({ ...entry, type: '' });
      published.push(entry.id);
    }
    if (published.length > 0) await store.pullPublished(documentId, published);
    return published.length;
  }

  /** The write already succeeded: a publish failure is left to the sweeper rather than failing the caller. */
  async relayQuietly(store: OutboxStore, documentId: string, entries: OutboxEntry[]): Promise<void> {
    try {
      await this.relay(store, documentId, entries);
    } catch (error) {
      this.log.warn({ err: error, documentId }, 'outbox relay failed; the sweeper will publish');
    }
  }
}
