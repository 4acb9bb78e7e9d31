// The body of a service's `node dist/rebuild.js` (the chart's on-demand rebuild Job): replays the service's event
// log into its read model, printing progress. It connects to MongoDB and PostgreSQL only (no bus, no listener), so
// the Job needs the stores' addresses and nothing else. Rows only ever move to newer versions, so it is safe while
// the service runs; to start from nothing, point it at an empty database (or drop the read model's first).
import { sql, type Kysely, type Migration } from 'kysely';
import type { Connection } from 'mongoose';
import type { Logger } from 'pino';
import { z } from 'zod';
import { ConfigError, parseConfig } from '../config/load-config';
import { defaultDatabaseName } from '../config/service-env';
import { createLogger } from '../logger/logger';
import type { EventPublisher } from '../messaging/publisher';
import { connectMongo } from '../mongo/connection';
import { openReadModel } from '../read-model/read-model';
import { EventLog } from './event-log';
import { rebuildReadModels } from './rebuild';
import type { RecordStore, TenantRecord } from './record-store';

const rebuildEnvSchema = z.object({
  MONGODB_URL: z.string().regex(/^mongodb(\+srv)?:\/\//, 'must be a mongodb:// URL'),
  MONGODB_DB: z.string().min(1).optional(),
  POSTGRES_URL: z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL'),
  POSTGRES_DB: z
    .string()
    .regex(/^[a-z_][a-z0-9_]{0,62}$/)
    .optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('warn'),
});

/** What the service's store factory gets: a replay publishes nothing, so its publisher refuses. */
export interface RebuildDeps<DB> {
  mongo: Connection;
  db: Kysely<DB>;
  events: EventLog;
  publisher: EventPublisher;
  log: Logger;
}

export interface RebuildCommandOptions<DB> {
  /** The service's name: its databases default to crm_<service> as the running service's do. */
  service: string;
  migrations: Record<string, Migration>;
  /** The record stores whose projections fill the read model. */
  stores: (
    deps: RebuildDeps<DB>,
  ) =>
    | ReadonlyArray<Pick<RecordStore<TenantRecord>, 'collectionName' | 'project'>>
    | Promise<ReadonlyArray<Pick<RecordStore<TenantRecord>, 'collectionName' | 'project'>>>;
  /** Tables emptied before the replay, for a rebuild from nothing in place (rows of vanished records go too). */
  emptyFirst?: readonly string[];
  env?: NodeJS.ProcessEnv;
  print?: (line: string) => void;
}

const NO_PUBLISHER = {
  publish: () => Promise.reject(new Error('a rebuild publishes nothing')),
} as unknown as EventPublisher;

/** Replays the whole event log into the read model; resolves with the number of events replayed. */
export async function rebuildFromEventLog<DB>(options: RebuildCommandOptions<DB>): Promise<number> {
  const config = parseConfig(rebuildEnvSchema, options.env ?? process.env);
  const print = options.print ?? ((line: string) => process.stdout.write(`${line}\n`));
  const log = createLogger(`${options.service}-rebuild`, { level: config.LOG_LEVEL });
  const database = config.POSTGRES_DB ?? defaultDatabaseName(options.service);
  const mongo = await connectMongo({
    url: config.MONGODB_URL,
    dbName: config.MONGODB_DB ?? defaultDatabaseName(options.service),
  });
  try {
    const readModel = await openReadModel<DB>({
      url: config.POSTGRES_URL,
      database,
      migrations: options.migrations,
      log,
    });
    try {
      const events = new EventLog(mongo);
      const stores = await options.stores({ mongo, db: readModel.db, events, publisher: NO_PUBLISHER, log });
      print(`rebuilding read model ${database} from the event log of ${mongo.name}`);
      const emptied = options.emptyFirst ?? [];
      if (emptied.length > 0) await sql`truncate ${sql.join(emptied.map((t) => sql.table(t)))}`.execute(readModel.db);
      const started = Date.now();
      let last = 0;
      const replayed = await rebuildReadModels({
        events,
        stores,
        log,
        onProgress: ({ collection, events: done, total }) => {
          if (done < total && Date.now() - last < 1000) return;
          last = Date.now();
          const rate = Math.round(done / Math.max(0.001, (Date.now() - started) / 1000));
          const share = Math.round((100 * done) / Math.max(1, total));
          print(`  ${collection}: ${done}/${total} events (${share}%, ${rate}/s)`);
        },
      });
      print(`done: ${replayed} events replayed in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      return replayed;
    } finally {
      await readModel.close();
    }
  } finally {
    await mongo.close();
  }
}

/** Runs rebuildFromEventLog as a command: exit 0 when done, 1 with the error on stderr otherwise. */
export function runRebuildCommand<DB>(options: RebuildCommandOptions<DB>): void {
  rebuildFromEventLog(options).then(
    () => process.exit(0),
    (error: unknown) => {
      const detail =
        error instanceof ConfigError ? error.message : error instanceof Error ? (error.stack ?? error.message) : error;
      process.stderr.write(`rebuild failed: ${String(detail)}\n`);
      process.exit(1);
    },
  );
}
