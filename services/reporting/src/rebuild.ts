// `node dist/rebuild.js`: empties the facts and replays the CONTACT, PIPELINE, TICKET and WORKFLOW streams into them,
// printing progress. The streams must still hold the history (their retention bounds what a rebuild can recover).
import { connectBus, createLogger, drainBus, openReadModel, defaultDatabaseName } from '@crm/service-kit';
import type { Kysely } from 'kysely';
import { rebuildFacts } from './app/rebuild-facts';
import { loadReportingConfig } from './config';
import { FactProjector } from './store/fact-projector';
import { REPORTING_MIGRATIONS } from './store/migrations';
import { StreamPositions } from './store/stream-positions';

async function main(): Promise<void> {
  // A Job serves nothing: the listeners' ports the service needs are not part of its environment.
  const config = loadReportingConfig({ GRPC_PORT: '0', ADMIN_PORT: '0', ...process.env });
  const log = createLogger(`${config.SERVICE_NAME}-rebuild`, { level: config.LOG_LEVEL });
  const readModel = await openReadModel<unknown>({
    url: config.POSTGRES_URL,
    database: config.POSTGRES_DB ?? defaultDatabaseName(config.SERVICE_NAME),
    migrations: REPORTING_MIGRATIONS,
    log,
  });
  const bus = await connectBus({
    url: config.NATS_URL,
    name: `${config.SERVICE_NAME}-rebuild`,
    namespace: config.NATS_NAMESPACE,
  });
  const db = readModel.db as Kysely<unknown>;
  const started = Date.now();
  let lastPrint = 0;
  try {
    const results = await rebuildFacts({
      db,
      bus,
      projector: new FactProjector(db),
      positions: new StreamPositions(db),
      log,
      onProgress: (p) => {
        const now = Date.now();
        if (now - lastPrint < 1000 && p.events < p.total) return;
        lastPrint = now;
        const rate = Math.round(p.events / Math.max(0.001, (now - started) / 1000));
        const share = p.total ? ` (${Math.min(100, Math.round((100 * p.events) / p.total))}%)` : '';
        process.stderr.write(`[rebuild] ${p.stream}: ${p.events}/${p.total} events${share}, ${rate} events/s\n`);
      },
    });
    const events = results.reduce((total, r) => total + r.events, 0);
    const skipped = results.reduce((total, r) => total + r.skipped, 0);
    process.stderr.write(
      `[rebuild] done: ${events} events replayed (${skipped} undecodable skipped) in ${((Date.now() - started) / 1000).toFixed(1)} s\n`,
    );
  } finally {
    await drainBus(bus);
    await readModel.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`rebuild failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
