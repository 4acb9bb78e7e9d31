import type { Logger } from 'pino';
import type { EventLog } from './event-log';
import type { RecordStore, TenantRecord } from './record-store';

export interface RebuildProgress {
  collection: string;
  events: number;
  total: number;
}

/**
 * Replays the event log into the read models (which should be empty, or are brought up to date: rows only ever
 * move to newer versions). Reports progress after every batch.
 */
export async function rebuildReadModels(options: {
  events: EventLog;
  /** The stores, or just their projections (a rebuild job connects to no bus): what `project` needs. */
  stores: ReadonlyArray<Pick<RecordStore<TenantRecord>, 'collectionName' | 'project'>>;
  log?: Logger;
  batchSize?: number;
  onProgress?: (progress: RebuildProgress) => void;
}): Promise<number> {
  let replayed = 0;
  for (const store of options.stores) {
    const collection = store.collectionName;
    const total = await options.events.collection.countDocuments({ collection });
    let done = 0;
    for await (const batch of options.events.scan<TenantRecord>([collection], options.batchSize ?? 1000)) {
      await store.project(batch.map((event) => event.state));
      done += batch.length;
      options.onProgress?.({ collection, events: done, total });
    }
    options.log?.info({ collection, events: done }, 'read models rebuilt from the event log');
    replayed += done;
  }
  return replayed;
}
