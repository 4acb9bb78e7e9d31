// Starts the reporting service in-process on the real servers (PostgreSQL, NATS, FerretDB, Keycloak) in its own NATS
// namespace and database, publishes events onto the real streams as their owners do, and calls the service through
// a real gRPC client with real Keycloak tokens.
import { credentials, type Client } from '@grpc/grpc-js';
import { Envelope } from '@crm/proto/crm/events/v1/envelope';
import { ReportingServiceClient } from '@crm/proto/crm/reporting/v1/reporting';
import {
  connectBus,
  drainBus,
  dropDatabase,
  ensureStream,
  STREAMS,
  toEventMessage,
  type Bus,
  type DomainEvent,
} from '@crm/service-kit';
import {
  bindClient,
  decodeClaims,
  eventually,
  infraEnv,
  uniqueDbName,
  uniqueNamespace,
  userToken,
  type BoundMethods,
  type DemoUser,
} from '@crm/testkit';
import { reportingEnvSchema } from '../../src/config';
import { startReportingService, type RunningReportingService } from '../../src/reporting-service';

export interface Caller {
  userId: string;
  token: string;
  reporting: BoundMethods<ReportingServiceClient>;
}

export interface PublishedEvent extends DomainEvent {
  /** Event id (and Nats-Msg-Id); a new one unless given. */
  id?: string;
  /** Another Nats-Msg-Id for the same envelope: how a test delivers one event twice past JetStream's de-duplication. */
  natsMsgId?: string;
  actorId?: string;
}

export class ReportingHarness {
  service!: RunningReportingService;
  bus!: Bus;
  readonly namespace = uniqueNamespace('reporting');
  readonly database = uniqueDbName('reporting');
  private readonly clients: Client[] = [];

  constructor(private readonly options: { now?: Date; env?: Record<string, string> } = {}) {}

  async start(): Promise<this> {
    const infra = infraEnv();
    this.bus = await connectBus({ url: infra.natsUrl, name: 'reporting-test', namespace: this.namespace });
    // The owners' streams, as the contact, pipeline and ticket services create them.
    for (const stream of [STREAMS.CONTACT, STREAMS.PIPELINE, STREAMS.TICKET, STREAMS.WORKFLOW])
      await ensureStream(this.bus, stream);
    const now = this.options.now;
    this.service = await startReportingService(
      reportingEnvSchema.parse({
        SERVICE_NAME: 'reporting',
        LOG_LEVEL: 'error',
        GRPC_PORT: '0',
        ADMIN_PORT: '0',
        MONGODB_URL: infra.mongoUrl,
        MONGODB_DB: uniqueDbName('reportingm'),
        POSTGRES_URL: infra.postgresUrl,
        POSTGRES_DB: this.database,
        NATS_URL: infra.natsUrl,
        NATS_NAMESPACE: this.namespace,
        OIDC_ISSUER: infra.issuer,
        OIDC_CLIENT_ID: 'reporting-service',
        OIDC_CLIENT_SECRET: 'reporting-service-secret',
        REPORTING_LAG_POLL_MS: '500',
        ...this.options.env,
      }),
      { exit: () => undefined, clock: now ? () => now : undefined },
    );
    return this;
  }

  async stop(): Promise<void> {
    for (const client of this.clients) client.close();
    await drainBus(this.bus);
    await this.service.deps.mongo.dropDatabase().catch(() => undefined);
    await this.service.shutdown('test done');
    await dropDatabase(infraEnv().postgresUrl, this.database).catch(() => undefined);
  }

  async as(user: DemoUser): Promise<Caller> {
    const token = await userToken(user);
    const client = new ReportingServiceClient(`127.0.0.1:${this.service.grpcPort}`, credentials.createInsecure());
    this.clients.push(client);
    return { userId: String(decodeClaims(token).sub), token, reporting: bindClient(client, token) };
  }

  /** Publishes envelopes as their owners do: Nats-Msg-Id = event id, so a repeated id is dropped by JetStream. */
  async publish(events: readonly PublishedEvent[]): Promise<void> {
    // In windows of 200: one connection keeps the order, and the acks come back together.
    for (let i = 0; i < events.length; i += 200)
      await Promise.all(
        events.slice(i, i + 200).map((event) => {
          const message = toEventMessage(event, { userId: event.actorId ?? 'seed', clientId: 'seed' }, this.namespace);
          const id = event.id ?? message.id;
          const data = event.id ? withId(message.data, event.id) : message.data;
          return this.bus.js.publish(message.subject, data, { msgID: event.natsMsgId ?? id });
        }),
      );
  }

  /** Publishes raw bytes on a subject (e.g. an envelope that does not decode). */
  async publishRaw(subject: string, data: Uint8Array, msgId: string): Promise<void> {
    await this.bus.js.publish(`${this.namespace}.${subject}`, data, { msgID: msgId });
  }

  /** Waits until every stream's events are applied. */
  async caughtUp(timeoutMs = 60_000): Promise<void> {
    await eventually(async () => {
      const lag = await this.service.lag.read();
      const done = Object.values(lag).every((l) => l !== 'unavailable' && l.pending === 0);
      return done ? true : undefined;
    }, timeoutMs);
    await this.service.app.positions.flush();
  }
}

/** The envelope with another event id (so a test can deliver one event twice under its own id). */
function withId(data: Buffer, id: string): Buffer {
  const envelope = Envelope.decode(data);
  return Buffer.from(Envelope.encode({ ...envelope, id }).finish());
}
