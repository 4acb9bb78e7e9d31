// Starts the real contact service and the ticket service in-process on the real servers (FerretDB/MongoDB,
// PostgreSQL, NATS, Keycloak), in one NATS namespace, and calls them through real gRPC clients with real tokens.
// The ticket service's clock is a TestClock, so SLA tests do not depend on today's date.
import { credentials, type Client } from '@grpc/grpc-js';
import { ContactServiceClient } from '@crm/proto/crm/contact/v1/contact';
import type { Envelope } from '@crm/proto/crm/events/v1/envelope';
import { SlaServiceClient } from '@crm/proto/crm/ticket/v1/sla';
import { SupportServiceClient } from '@crm/proto/crm/ticket/v1/support';
import { TicketInput, TicketServiceClient } from '@crm/proto/crm/ticket/v1/ticket';
import { connectBus, drainBus, dropDatabase, readStreamEvents, type Bus } from '@crm/service-kit';
import {
  bindClient,
  decodeClaims,
  infraEnv,
  uniqueDbName,
  uniqueNamespace,
  userToken,
  type BoundMethods,
  type DemoUser,
} from '@crm/testkit';
import { contactEnvSchema } from '../../../contact/src/config';
import { startContactService, type RunningContactService } from '../../../contact/src/contact-service';
import { ticketEnvSchema } from '../../src/config';
import { startTicketService, type RunningTicketService } from '../../src/ticket-service';

export class TestClock {
  private pinned: number | undefined;
  private offset = 0;

  now = (): Date => new Date(this.pinned ?? Date.now() + this.offset);
  pin(iso: string): void {
    this.pinned = Date.parse(iso);
  }
  /** Real time again (timer tests), shifted by `offsetMs`. */
  real(offsetMs = 0): void {
    this.pinned = undefined;
    this.offset = offsetMs;
  }
}

export interface Api {
  userId: string;
  token: string;
  tickets: BoundMethods<TicketServiceClient>;
  sla: BoundMethods<SlaServiceClient>;
  support: BoundMethods<SupportServiceClient>;
  contacts: BoundMethods<ContactServiceClient>;
}

export class TicketHarness {
  ticket!: RunningTicketService;
  contact!: RunningContactService;
  bus!: Bus;
  readonly clock = new TestClock();
  readonly namespace = uniqueNamespace('ticket');
  readonly ticketDb = uniqueDbName('ticket');
  readonly readModelDb = uniqueDbName('ticketrm');
  /** The contact service's records and read model. */
  readonly contactDb = uniqueDbName('contact');
  private clients: Client[] = [];

  private common() {
    const infra = infraEnv();
    return {
      LOG_LEVEL: 'error',
      GRPC_PORT: '0',
      ADMIN_PORT: '0',
      MONGODB_URL: infra.mongoUrl,
      NATS_URL: infra.natsUrl,
      NATS_NAMESPACE: this.namespace,
      OIDC_ISSUER: infra.issuer,
    };
  }

  async start(env: Record<string, string> = {}): Promise<void> {
    this.contact = await startContactService(
      contactEnvSchema.parse({
        ...this.common(),
        SERVICE_NAME: 'contact',
        MONGODB_DB: this.contactDb,
        POSTGRES_URL: infraEnv().postgresUrl,
        POSTGRES_DB: this.contactDb,
        OIDC_CLIENT_ID: 'contact-service',
        OIDC_CLIENT_SECRET: 'contact-service-secret',
      }),
      { exit: () => undefined },
    );
    await this.startTicket(env);
    this.bus = await connectBus({ url: infraEnv().natsUrl, name: 'ticket-test', namespace: this.namespace });
  }

  /** (Re)starts the ticket service on the same databases and namespace: a restart. */
  async startTicket(env: Record<string, string> = {}): Promise<void> {
    this.ticket = await startTicketService(
      ticketEnvSchema.parse({
        ...this.common(),
        SERVICE_NAME: 'ticket',
        MONGODB_DB: this.ticketDb,
        POSTGRES_URL: infraEnv().postgresUrl,
        POSTGRES_DB: this.readModelDb,
        OIDC_CLIENT_ID: 'ticket-service',
        OIDC_CLIENT_SECRET: 'ticket-service-secret',
        CONTACT_GRPC_URL: `127.0.0.1:${this.contact.grpcPort}`,
        TICKET_CSAT_SECRET: 'test-only-csat-secret-0123456789abcdef',
        TICKET_TIMER_MAX_SLEEP_MS: '200',
        ...env,
      }),
      { exit: () => undefined, clock: this.clock.now },
    );
  }

  async stopTicket(): Promise<void> {
    for (const client of this.clients.splice(0)) client.close();
    await this.ticket.shutdown('test restart');
  }

  async stop(): Promise<void> {
    for (const client of this.clients.splice(0)) client.close();
    await drainBus(this.bus);
    await this.ticket.deps.mongo.dropDatabase().catch(() => undefined);
    await this.ticket.shutdown('test done');
    await dropDatabase(infraEnv().postgresUrl, this.readModelDb).catch(() => undefined);
    await this.contact.deps.mongo.dropDatabase().catch(() => undefined);
    await this.contact.shutdown('test done');
    await dropDatabase(infraEnv().postgresUrl, this.contactDb).catch(() => undefined);
  }

  private client<C extends Client>(
    Ctor: new (address: string, creds: ReturnType<typeof credentials.createInsecure>) => C,
    port: number,
  ): C {
    const client = new Ctor(`127.0.0.1:${port}`, credentials.createInsecure());
    this.clients.push(client);
    return client;
  }

  async as(user: DemoUser): Promise<Api> {
    const token = await userToken(user);
    return {
      userId: String(decodeClaims(token).sub),
      token,
      tickets: bindClient(this.client(TicketServiceClient, this.ticket.grpcPort), token),
      sla: bindClient(this.client(SlaServiceClient, this.ticket.grpcPort), token),
      support: bindClient(this.client(SupportServiceClient, this.ticket.grpcPort), token),
      contacts: bindClient(this.client(ContactServiceClient, this.contact.grpcPort), token),
    };
  }

  /** The envelopes on one TICKET subject, oldest first. */
  events(type: string): Promise<Envelope[]> {
    return readStreamEvents(this.bus, 'TICKET', type);
  }
}

export function ticketInput(fields: Partial<TicketInput>): TicketInput {
  return TicketInput.fromPartial(fields);
}
