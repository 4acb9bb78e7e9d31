import type { Connection } from 'mongoose';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { createClientCredentialsTokenSource, type TokenSource } from '../auth/client-credentials';
import { createTokenVerifier, type TokenVerifier } from '../auth/token-verifier';
import { defaultDatabaseName, jwksUrlOf, tokenUrlOf, type ServiceEnv } from '../config/service-env';
import { GrpcServer } from '../grpc/server';
import { connectMongo, pingMongo } from '../mongo/connection';
import { startConsumer, type ConsumerSpec, type RunningConsumer } from '../messaging/consumer';
import { isBatchConsumerSpec, startBatchConsumer, type BatchConsumerSpec } from '../messaging/batch-consumer';
import { HandledEvents } from '../messaging/handled-events';
import type { Bus } from '../messaging/nats';
import { EventPublisher } from '../messaging/publisher';
import { ensureDeadLetterStream, ensureStream, type StreamSpec } from '../messaging/streams';
import type { Migration } from 'kysely';
import { openReadModel, type ReadModel } from '../read-model/read-model';
import { EventLog } from '../records/event-log';
import { EventSweeper } from '../records/event-sweeper';
import { readModelConsumer } from '../records/read-model-consumer';
import type { RecordStore, TenantRecord } from '../records/record-store';
import { registerShutdown, startProcessBase } from './process-base';
import type { ShutdownStep } from '../lifecycle/shutdown';

/** Everything a service's wiring needs, already connected. */
export interface ServiceDeps<DB = unknown> {
  config: ServiceEnv;
  log: Logger;
  metrics: Registry;
  mongo: Connection;
  bus: Bus;
  publisher: EventPublisher;
  handled: HandledEvents;
  verifier: TokenVerifier;
  /** The service's own client-credentials token, for work it does on its own. */
  serviceToken: TokenSource;
  grpc: GrpcServer;
  /** The service's event log: the compare-and-set, outbox and history of every aggregate it owns. */
  events: EventLog;
  /** The service's PostgreSQL read model, when it declares one. */
  readModel: ReadModel<DB> | undefined;
}

export interface ServiceWiring {
  /** The aggregates' stores: their unfinished writes are swept and their read models kept converged. */
  stores?: ReadonlyArray<RecordStore<TenantRecord>>;
  /** Durable consumers: one event per handler call, or batches (BatchConsumerSpec) for order-free projections. */
  consumers?: (ConsumerSpec | BatchConsumerSpec<unknown>)[];
  /** Facts /readyz shows without failing on them (e.g. a projection's lag). */
  readinessDetails?: Record<string, () => Promise<unknown>>;
  /**
   * The service's own background work (durable timers, workers): stopped once gRPC calls in flight have finished
   * and before the consumers and stores, so that what it is doing completes against open stores.
   */
  stopWork?: ShutdownStep[];
}

export interface ServiceDefinitionOptions<DB = unknown> {
  config: ServiceEnv;
  /** The service's own stream(s), e.g. CONTACT holding crm.contact.>, crm.company.>; the first is its main one. */
  streams: StreamSpec[];
  reflectionProtos: string[];
  /** The read model's schema, migrated at start (POSTGRES_URL is then required). */
  readModel?: { migrations: Record<string, Migration> };
  wire: (deps: ServiceDeps<DB>) => Promise<ServiceWiring> | ServiceWiring;
  /** What ends the process after shutdown; tests pass a no-op to stop a service they started in-process. */
  exit?: (code: number) => void;
}

export interface RunningService<DB = unknown> {
  deps: ServiceDeps<DB>;
  grpcPort: number;
  adminPort: number;
  shutdown: (reason: string) => Promise<void>;
}

/** Connects, provisions, wires and serves a service, and registers the SIGTERM sequence ARCHITECTURE.md gives. */
export async function runService<DB = unknown>(options: ServiceDefinitionOptions<DB>): Promise<RunningService<DB>> {
  const { config } = options;
  const base = await startProcessBase(config);
  const { log, metrics, admin, adminPort, bus } = base;
  const mongo = await connectMongo({
    url: config.MONGODB_URL,
    dbName: config.MONGODB_DB ?? defaultDatabaseName(config.SERVICE_NAME),
  });
  for (const stream of options.streams) await ensureStream(bus, stream);
  await ensureDeadLetterStream(bus);
  const events = new EventLog(mongo);
  await events.ensureIndexes();
  const readModel = options.readModel
    ? await openServiceReadModel<DB>(config, options.readModel.migrations, log)
    : undefined;

  const verifier = createTokenVerifier({
    issuer: config.OIDC_ISSUER,
    audience: config.OIDC_AUDIENCE,
    jwksUrl: jwksUrlOf(config),
  });
  const publisher = new EventPublisher(bus);
  const grpc = new GrpcServer({
    log,
    verifier,
    metrics,
    defaultDeadlineMs: config.GRPC_DEFAULT_DEADLINE_MS,
    reflectionProtos: options.reflectionProtos,
  });
  const deps: ServiceDeps<DB> = {
    config,
    log,
    metrics,
    mongo,
    bus,
    publisher,
    handled: new HandledEvents(mongo),
    verifier,
    serviceToken: createClientCredentialsTokenSource({
      tokenUrl: tokenUrlOf(config),
      clientId: config.OIDC_CLIENT_ID,
      clientSecret: config.OIDC_CLIENT_SECRET,
    }),
    grpc,
    events,
    readModel,
  };

  const wiring = await options.wire(deps);
  const stores = wiring.stores ?? [];
  const eventSweeper = new EventSweeper(events, stores, log);
  eventSweeper.start();
  const consumerSpecs: (ConsumerSpec | BatchConsumerSpec<unknown>)[] = [...(wiring.consumers ?? [])];
  const ownStream = options.streams[0];
  if (ownStream && stores.length > 0)
    consumerSpecs.push(
      readModelConsumer({
        stream: ownStream.name,
        durable: `${config.SERVICE_NAME}-read-model`,
        subjects: ownStream.subjects,
        events,
        stores,
      }),
    );
  const consumers: RunningConsumer[] = [];
  for (const spec of consumerSpecs)
    consumers.push(
      isBatchConsumerSpec(spec)
        ? await startBatchConsumer(bus, spec, log)
        : await startConsumer(bus, { handled: deps.handled, ...spec }, log),
    );
  const grpcPort = await grpc.listen(config.GRPC_PORT, config.GRPC_HOST);
  const housekeeping = startHousekeeping(deps);

  admin.addReadinessCheck('mongo', () => pingMongo(mongo));
  admin.addReadinessCheck('keycloak', () => verifier.checkKeysReachable());
  if (readModel) admin.addReadinessCheck('postgres', () => readModel.ping());
  for (const [name, detail] of Object.entries(wiring.readinessDetails ?? {})) admin.addReadinessDetail(name, detail);
  admin.markReady();

  const { shutdown } = registerShutdown(base, config, {
    exit: options.exit,
    stopWork: [
      { name: 'finish gRPC calls in flight', run: () => grpc.shutdown(config.SHUTDOWN_GRACE_MS - 2000) },
      ...(wiring.stopWork ?? []),
      { name: 'stop consumers', run: async () => void (await Promise.all(consumers.map((c) => c.stop()))) },
      { name: 'stop event sweeper', run: () => eventSweeper.stop() },
      { name: 'finish writes in flight', run: async () => void (await Promise.all(stores.map((s) => s.drain()))) },
      { name: 'stop housekeeping', run: () => clearInterval(housekeeping) },
    ],
    closeStores: [
      { name: 'close Mongo', run: () => mongo.close() },
      { name: 'close the read model', run: () => readModel?.close() },
    ],
  });
  log.info({ grpcPort, adminPort }, 'service started');
  return { deps, grpcPort, adminPort, shutdown };
}

async function openServiceReadModel<DB>(
  config: ServiceEnv,
  migrations: Record<string, Migration>,
  log: Logger,
): Promise<ReadModel<DB>> {
  if (!config.POSTGRES_URL) throw new Error('POSTGRES_URL is required: this service keeps a PostgreSQL read model');
  const database = config.POSTGRES_DB ?? defaultDatabaseName(config.SERVICE_NAME);
  return openReadModel<DB>({ url: config.POSTGRES_URL, database, migrations, log });
}

const HANDLED_EVENT_RETENTION_MS = 7 * 24 * 3_600_000;

/** Expiry the store cannot do itself (no TTL indexes): old handled-event ids. */
function startHousekeeping(deps: Pick<ServiceDeps, 'handled' | 'log'>): NodeJS.Timeout {
  const timer = setInterval(() => {
    deps.handled
      .pruneOlderThan(new Date(Date.now() - HANDLED_EVENT_RETENTION_MS))
      .catch((err: unknown) => deps.log.warn({ err }, 'pruning handled events failed'));
  }, 60_000);
  timer.unref();
  return timer;
}
