import type { ConsumerSpec } from '../messaging/consumer';
import { eventId, type EventLog } from './event-log';
import type { RecordStore, TenantRecord } from './record-store';

/**
 * The consumer of a service's own stream that keeps its read models converged after a crash between an event
 * and its read-model update: each message names an aggregate version, whose state is read from the event log.
 * Versions make it order-independent, so it handles several messages at once and needs no handled-id records.
 */
export function readModelConsumer(options: {
  stream: string;
  durable: string;
  subjects: string[];
  events: EventLog;
  stores: ReadonlyArray<RecordStore<TenantRecord>>;
  concurrency?: number;
}): ConsumerSpec {
  const byCollection = new Map(options.stores.map((store) => [store.collectionName, store]));
  const byKind = new Map(options.stores.map((store) => [store.kind, store]));
  return {
    stream: options.stream,
    durable: options.durable,
    filterSubjects: options.subjects,
    concurrency: options.concurrency ?? 16,
    handled: undefined,
    handler: async (envelope) => {
      // Usually the writer projected it in its request already: one read-model lookup instead of a log read.
      const known = byKind.get(envelope.type.slice(0, envelope.type.indexOf('.')));
      if (known && (await known.projected(envelope.aggregateId, envelope.aggregateVersion))) return;
      const event = await options.events.get<TenantRecord>(eventId(envelope.aggregateId, envelope.aggregateVersion));
      // Not an event of a logged aggregate (or not ours): nothing to project.
      const store = event ? byCollection.get(event.collection) : undefined;
      if (event && store) await store.project([event.state]);
    },
  };
}
