// Rebuild: empties the fact tables and replays every stream from its first retained event, in batches, through the
// same projection as the live consumers. Safe while the service runs: the live consumers keep applying new events
// (rows only move to newer versions), and the replay reads each stream until it has caught up with its end.
import { streamName, type Bus } from '@crm/service-kit';
import { Envelope } from '@crm/proto/crm/events/v1/envelope';
import { sql, type Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { FactEvent, StreamName } from '../domain/fact-events';
import { decodeFactEvent } from '../events/event-decoder';
import { FACT_STREAMS } from '../events/fact-consumers';
import type { FactProjector } from '../store/fact-projector';
import { FACT_TABLES } from '../store/migrations';
import type { StreamPositions } from '../store/stream-positions';

export interface RebuildProgress {
  stream: StreamName;
  /** Events read from the stream so far. */
  events: number;
  /** Events the stream held when its replay started. */
  total: number;
  /** Events whose payload could not be decoded (they went to the dead-letter subject when consumed live). */
  skipped: number;
}

export interface RebuildOptions {
  db: Kysely<unknown>;
  bus: Bus;
  projector: FactProjector;
  positions: StreamPositions;
  log?: Logger;
  batchSize?: number;
  onProgress?: (progress: RebuildProgress) => void;
}

export async function rebuildFacts(options: RebuildOptions): Promise<RebuildProgress[]> {
  await sql`truncate ${sql.join(FACT_TABLES.map((t) => sql.table(t)))}`.execute(options.db);
  const results: RebuildProgress[] = [];
  for (const stream of FACT_STREAMS) results.push(await replayStream(stream, options));
  await options.positions.flush();
  return results;
}

async function replayStream(stream: StreamName, options: RebuildOptions): Promise<RebuildProgress> {
  const name = streamName(options.bus, stream);
  const progress: RebuildProgress = { stream, events: 0, total: 0, skipped: 0 };
  const info = await options.bus.jsm.streams.info(name).catch(() => null);
  if (!info || info.state.messages === 0) {
    options.onProgress?.(progress);
    return progress;
  }
  progress.total = info.state.messages;
  const batchSize = options.batchSize ?? 500;
  const consumer = await options.bus.js.consumers.get(name, {});
  const messages = await consumer.consume({ max_messages: Math.max(batchSize * 2, 256) });
  let batch: FactEvent[] = [];
  const flush = async () => {
    if (!batch.length) return;
    await options.projector.apply(batch);
    for (const event of batch) options.positions.saw(event.meta);
    batch = [];
    options.onProgress?.({ ...progress });
  };
  for await (const msg of messages) {
    progress.events++;
    try {
      batch.push(decodeFactEvent(stream, Envelope.decode(msg.data)));
    } catch (error) {
      progress.skipped++;
      options.log?.warn({ err: error, stream, seq: msg.seq }, 'undecodable event skipped by the rebuild');
    }
    if (batch.length >= batchSize) await flush();
    if (msg.info.pending === 0) break;
  }
  await flush();
  await messages.close();
  options.onProgress?.({ ...progress });
  return progress;
}
