// One durable consumer per stream the facts come from. The projection does not depend on the order of events
// (domain/deal-facts), so each consumer applies them in batches, one transaction each, several batches at once; a
// redelivered or duplicated event changes nothing (rows only move to newer versions), which is why no handled-id
// store is consulted.
import { STREAMS, type BatchConsumerSpec } from '@crm/service-kit';
import type { Histogram } from 'prom-client';
import type { FactEvent, StreamName } from '../domain/fact-events';
import type { FactProjector } from '../store/fact-projector';
import type { StreamPositions } from '../store/stream-positions';
import { decodeFactEvent } from './event-decoder';

export const FACT_STREAMS: readonly StreamName[] = ['CONTACT', 'PIPELINE', 'TICKET', 'WORKFLOW'];

export function durableOf(stream: StreamName): string {
  return `reporting-${stream.toLowerCase()}`;
}

export interface FactConsumerOptions {
  projector: FactProjector;
  positions: StreamPositions;
  /** Batches applied at once per stream. */
  concurrency: number;
  maxBatch: number;
  /** Seconds from an event's publication on its stream to its facts being stored. */
  lag: Histogram<'stream'>;
  now?: () => number;
}

export function factConsumers(options: FactConsumerOptions): BatchConsumerSpec<FactEvent>[] {
  const now = options.now ?? Date.now;
  return FACT_STREAMS.map((stream) => ({
    stream,
    durable: durableOf(stream),
    filterSubjects: STREAMS[stream].subjects,
    concurrency: options.concurrency,
    maxBatch: options.maxBatch,
    prepare: (envelope, _subject, storedAt) => {
      const event = decodeFactEvent(stream, envelope);
      return { ...event, meta: { ...event.meta, storedAt } };
    },
    apply: async (events) => {
      await options.projector.apply(events);
      const at = now();
      for (const event of events) {
        options.positions.saw(event.meta);
        // From publication, not occurrence: an imported deal won in 2017 is not years of lag.
        const since = (event.meta.storedAt ?? event.meta.occurredAt).getTime();
        options.lag.observe({ stream }, Math.max(0, (at - since) / 1000));
      }
    },
  }));
}
