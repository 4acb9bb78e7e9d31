// Replays the event log into the deals read model. Deal summaries of contacts and companies are not the service's
// own events: they come from the CONTACT stream and are left as they are.
import { sql, type Kysely } from 'kysely';
import { rebuildReadModels, type EventLog, type RebuildProgress } from '@crm/service-kit';
import type { Logger } from 'pino';
import { DEALS_COLLECTION, type DealRecord } from './deal.records';
import { DealReadModel } from './deal.read-model';
import type { PipelineReadModel } from './read-model.schema';

export interface RebuildOptions {
  db: Kysely<PipelineReadModel>;
  events: EventLog;
  log?: Logger;
  /** Empty the deals table first (the default): a rebuild from nothing. Without, rows only move to newer versions. */
  empty?: boolean;
  onProgress?: (progress: RebuildProgress) => void;
}

/** Returns the number of events replayed. Safe while the service runs: rows only ever move to newer versions. */
export async function rebuildDealReadModel(options: RebuildOptions): Promise<number> {
  if (options.empty ?? true) await sql`truncate table deals`.execute(options.db);
  const projection = new DealReadModel(options.db).projection();
  return rebuildReadModels({
    events: options.events,
    stores: [{ collectionName: DEALS_COLLECTION, project: (states) => projection.apply(states as DealRecord[]) }],
    log: options.log,
    onProgress: options.onProgress,
  });
}
