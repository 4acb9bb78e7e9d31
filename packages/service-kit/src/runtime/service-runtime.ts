import type { Connection } from 'mongoose';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { createClientCredentialsTokenSource, type TokenSource } from '../auth/client-credentials';
import { createTokenVerifier, type TokenVerifier } from '../auth/token-verifier';
import { jwksUrlOf, tokenUrlOf, type ServiceEnv } from '../config/service-env';
import { createAdminServer, createMetricsRegistry } from '../admin/admin-server';
import { GrpcServer } from '../grpc/server';
import { handleShutdownSignals } from '../lifecycle/shutdown';
import { createLogger } from '../logger/logger';
import { connectMongo, pingMongo } from '../mongo/connection';
import { DocumentLocks } from '../mongo/document-locks';
import { startConsumer, type ConsumerSpec, type RunningConsumer } from '../messaging/consumer';
import { HandledEvents } from '../messaging/handled-events';
import { connectBus, drainBus, type Bus } from '../messaging/nats';
import { EventPublisher } from '../messaging/publisher';
import { ensureDeadLetterStream, ensureStream, type StreamSpec } from '../messaging/streams';
import { OutboxRelay } from '../outbox/outbox-relay';
import { OutboxSweeper } from '../outbox/outbox-sweeper';
import type { OutboxStore } from '../outbox/outbox-store';
import { shutdownTelemetry } from '../telemetry/telemetry';

/** Everything a service's wiring needs, already connected. */
export interface ServiceDeps {
  config: ServiceEnv;
  log: Logger;
  metrics: Registry;
  mongo: Connection;
  bus: Bus;
  publisher: EventPublisher;
  relay: OutboxRelay;
  handled: HandledEvents;
  /** Serialise writes to one document; ScopedRepository takes them. */
  locks: DocumentLocks;
  verifier: TokenVerifier;
  /** The service's own client-credentials token, for work it does on its own. */
  serviceToken: TokenSource;
  grpc: GrpcServer;
}

export interface ServiceWiring {
  /** Collections whose documents carry an outbox, for the sweeper. */
  outboxStores?: OutboxStore[];
  consumers?: ConsumerSpec[];
}

export interface ServiceDefinitionOptions {
  config: ServiceEnv;
  /** The service's own stream(s), e.g. CONTACT holding crm.contact.>, crm.company.>. */
  streams: StreamSpec[];
  reflectionProtos: string[];
  wire: (deps: ServiceDeps) => Promise<ServiceWiring> | ServiceWiring;
  /** What ends the process after shutdown; tests pass a no-op to stop a service they started in-process. */
  exit?: (code: number) => void;
}

export interface RunningService {
  deps: ServiceDeps;
  grpcPort: number;
  adminPort: number;
  shutdown: (reason: string) => Promise<void>;
}

/** Connects, provisions, wires and serves a service, and registers the SIGTERM sequence ARCHITECTURE.md gives. */
export async function runService(options: ServiceDefinitionOptions): Promise<RunningService> {
  const { config } = options;
  const log = createLogger(config.SERVICE_NAME, { level: config.LOG_LEVEL });
  const metrics = createMetricsRegistry(config.SERVICE_NAME);
  const admin = createAdminServer(metrics);
  const adminPort = await admin.listen(config.ADMIN_PORT, config.ADMIN_HOST);

  const mongo = await connectMongo({
    url: config.MONGODB_URL,
    dbName: config.MONGODB_DB ?? `crm_${config.SERVICE_NAME.replace(/-/g, '_')}`,
  });
  const bus = await connectBus({
    url: config.NATS_URL,
    name: config.SERVICE_NAME,
    namespace: config.NATS_NAMESPACE,
    streamReplicas: config.NATS_STREAM_REPLICAS,
  });
  for (const stream of options.streams) await ensureStream(bus, stream);
  await ensureDeadLetterStream(bus);

  const verifier = createTokenVerifier({
    issuer: config.OIDC_ISSUER,
    audience: config.OIDC_AUDIENCE,
    jwksUrl: jwksUrlOf(config),
  });
  const publisher = new EventPublisher(bus);
  const relay = new OutboxRelay(publisher, log);
  const grpc = new GrpcServer({
    log,
    verifier,
    metrics,
    defaultDeadlineMs: config.GRPC_DEFAULT_DEADLINE_MS,
    reflectionProtos: options.reflectionProtos,
  });
  const deps: ServiceDeps = {
    config,
    log,
    metrics,
    mongo,
    bus,
    publisher,
    relay,
    handled: new HandledEvents(mongo),
    locks: new DocumentLocks(mongo),
    verifier,
    serviceToken: createClientCredentialsTokenSource({
      tokenUrl: tokenUrlOf(config),
      clientId: config.OIDC_CLIENT_ID,
      clientSecret: config.OIDC_CLIENT_SECRET,
    }),
    grpc,
  };

  const wiring = await options.wire(deps);
  const sweeper = new OutboxSweeper(wiring.outboxStores ?? [], relay, log);
  sweeper.start();
  const consumers: RunningConsumer[] = [];
  for (const spec of wiring.consumers ?? [])
    consumers.push(await startConsumer(bus, { handled: deps.handled, ...spec }, log));
  const grpcPort = await grpc.listen(config.GRPC_PORT, config.GRPC_HOST);
  const housekeeping = startHousekeeping(deps);

  admin.addReadinessCheck('mongo', () => pingMongo(mongo));
  admin.addReadinessCheck('nats', async () => {
    if (bus.nc.isClosed()) throw new Error('nats connection closed');
    await bus.nc.flush();
  });
  admin.addReadinessCheck('keycloak', () => verifier.checkKeysReachable());
  admin.markReady();

  const { shutdown } = handleShutdownSignals({
    log,
    exit: options.exit,
    graceMs: config.SHUTDOWN_GRACE_MS,
    steps: [
      { name: 'fail readiness', run: () => admin.markNotReady() },
      { name: 'finish gRPC calls in flight', run: () => grpc.shutdown(config.SHUTDOWN_GRACE_MS - 2000) },
      { name: 'stop consumers', run: async () => void (await Promise.all(consumers.map((c) => c.stop()))) },
      { name: 'stop outbox sweeper', run: () => sweeper.stop() },
      { name: 'stop housekeeping', run: () => clearInterval(housekeeping) },
      { name: 'drain NATS', run: () => drainBus(bus) },
      { name: 'close Mongo', run: () => mongo.close() },
      { name: 'close admin port', run: () => admin.close() },
      { name: 'flush telemetry', run: () => shutdownTelemetry() },
    ],
  });
  log.info({ grpcPort, adminPort }, 'service started');
  return { deps, grpcPort, adminPort, shutdown };
}

const HANDLED_EVENT_RETENTION_MS = 7 * 24 * 3_600_000;

/** Expiry the store cannot do itself (no TTL indexes): stale locks of crashed writers, old handled-event ids. */
function startHousekeeping(deps: ServiceDeps): NodeJS.Timeout {
  const timer = setInterval(() => {
    deps.locks.pruneExpired().catch((err: unknown) => deps.log.warn({ err }, 'pruning expired locks failed'));
    deps.handled
      .pruneOlderThan(new Date(Date.now() - HANDLED_EVENT_RETENTION_MS))
      .catch((err: unknown) => deps.log.warn({ err }, 'pruning handled events failed'));
  }, 60_000);
  timer.unref();
  return timer;
}
