// `pnpm --filter @crm/contact-service rebuild`: empties the read model and replays the event log into it, with
// progress output. Safe while the service runs (rows only ever move to newer versions, whoever writes them); the
// service's lists show fewer rows until the replay has passed them.
import '@crm/service-kit/otel';
import {
  connectMongo,
  defaultDatabaseName,
  EventLog,
  openReadModel,
  rebuildReadModels,
  createLogger,
  type EventPublisher,
} from '@crm/service-kit';
import { sql } from 'kysely';
import { loadContactConfig } from './config';
import { createContactStore, recordStores } from './store/contact-store';
import { contactReadModelMigrations, READ_MODEL_TABLES } from './store/read-model/migrations';
import type { ContactReadModel } from './store/read-model/rows';

/** Replaying writes no snapshot and publishes nothing: only the projections run. */
const NO_PUBLISHER = {
  publish: () => Promise.reject(new Error('a rebuild publishes nothing')),
} as unknown as EventPublisher;

export async function rebuildContactReadModel(
  env: NodeJS.ProcessEnv = process.env,
  print: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
): Promise<number> {
  const config = loadContactConfig({ ...env, GRPC_PORT: env.GRPC_PORT ?? '0', ADMIN_PORT: env.ADMIN_PORT ?? '0' });
  const log = createLogger('contact-rebuild', { level: config.LOG_LEVEL });
  if (!config.POSTGRES_URL) throw new Error('POSTGRES_URL is required: it is the read model to rebuild');
  const database = config.POSTGRES_DB ?? defaultDatabaseName(config.SERVICE_NAME);
  const mongo = await connectMongo({
    url: config.MONGODB_URL,
    dbName: config.MONGODB_DB ?? `crm_${config.SERVICE_NAME.replace(/-/g, '_')}`,
  });
  const readModel = await openReadModel<ContactReadModel>({
    url: config.POSTGRES_URL,
    database,
    migrations: contactReadModelMigrations,
    log,
  });
  try {
    const events = new EventLog(mongo);
    const store = await createContactStore({
      mongo,
      events,
      publisher: NO_PUBLISHER,
      db: readModel.db,
      log,
      namespace: config.NATS_NAMESPACE,
      defaultRegion: config.CONTACT_DEFAULT_REGION,
    });
    print(`rebuilding read model ${database} from the event log of ${mongo.name}`);
    await sql`truncate ${sql.join(READ_MODEL_TABLES.map((t) => sql.table(t)))}`.execute(readModel.db);
    const started = Date.now();
    let last = 0;
    const replayed = await rebuildReadModels({
      events,
      stores: recordStores(store),
      onProgress: ({ collection, events: done, total }) => {
        if (done < total && Date.now() - last < 1000) return;
        last = Date.now();
        const rate = Math.round(done / Math.max(0.001, (Date.now() - started) / 1000));
        print(
          `  ${collection}: ${done}/${total} events (${Math.round((100 * done) / Math.max(1, total))}%, ${rate}/s)`,
        );
      },
    });
    print(`done: ${replayed} events replayed in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return replayed;
  } finally {
    await readModel.close();
    await mongo.close();
  }
}

if (require.main === module) {
  rebuildContactReadModel().then(
    () => process.exit(0),
    (error: unknown) => {
      process.stderr.write(`rebuild failed: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    },
  );
}
