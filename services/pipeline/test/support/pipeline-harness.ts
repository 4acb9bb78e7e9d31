// Starts the real contact service and the pipeline service in-process, on the real servers and in one NATS
// namespace (so the pipeline consumes the contact service's events), and calls both through real gRPC clients
// with real Keycloak tokens.
import { credentials, type Client, type ServiceError } from '@grpc/grpc-js';
import { CompanyServiceClient } from '@crm/proto/crm/contact/v1/company';
import { ContactServiceClient, type Contact, type ContactInput } from '@crm/proto/crm/contact/v1/contact';
import { Envelope } from '@crm/proto/crm/events/v1/envelope';
import { DealServiceClient, type Deal, type DealInput } from '@crm/proto/crm/pipeline/v1/deal';
import { PipelineServiceClient } from '@crm/proto/crm/pipeline/v1/pipeline';
import {
  connectBus,
  drainBus,
  dropDatabase,
  readStreamEvents,
  fromGrpcError,
  type Bus,
  type ServiceError as KitError,
} from '@crm/service-kit';
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
import { pipelineEnvSchema } from '../../src/config';
import { startPipelineService, type RunningPipelineService } from '../../src/pipeline-service';

export interface Api {
  userId: string;
  token: string;
  deals: BoundMethods<DealServiceClient>;
  pipelines: BoundMethods<PipelineServiceClient>;
  contacts: BoundMethods<ContactServiceClient>;
  companies: BoundMethods<CompanyServiceClient>;
}

export class PipelineHarness {
  pipeline!: RunningPipelineService;
  contact!: RunningContactService;
  bus!: Bus;
  readonly namespace = uniqueNamespace('pipeline');
  private clients: Client[] = [];

  /** The pipeline's read-model database (PostgreSQL) and records database (MongoDB). */
  readonly databases = { pipeline: uniqueDbName('pipeline'), contact: uniqueDbName('contact') };

  /**
   * Stage rules default to a short write window and settle time (the service's are 2 s and 5 s), so archives in
   * tests take about a second.
   */
  async start(options: { stageWriteWindowMs?: number; archiveSettleMs?: number } = {}): Promise<void> {
    const infra = infraEnv();
    const common = {
      LOG_LEVEL: 'error',
      GRPC_PORT: '0',
      ADMIN_PORT: '0',
      MONGODB_URL: infra.mongoUrl,
      POSTGRES_URL: infra.postgresUrl,
      NATS_URL: infra.natsUrl,
      NATS_NAMESPACE: this.namespace,
      OIDC_ISSUER: infra.issuer,
    };
    this.contact = await startContactService(
      contactEnvSchema.parse({
        ...common,
        SERVICE_NAME: 'contact',
        MONGODB_DB: this.databases.contact,
        POSTGRES_DB: this.databases.contact,
        OIDC_CLIENT_ID: 'contact-service',
        OIDC_CLIENT_SECRET: 'contact-service-secret',
      }),
      { exit: () => undefined },
    );
    this.pipeline = await startPipelineService(
      pipelineEnvSchema.parse({
        ...common,
        SERVICE_NAME: 'pipeline',
        MONGODB_DB: this.databases.pipeline,
        POSTGRES_DB: this.databases.pipeline,
        OIDC_CLIENT_ID: 'pipeline-service',
        OIDC_CLIENT_SECRET: 'pipeline-service-secret',
        CONTACT_GRPC_URL: `127.0.0.1:${this.contact.grpcPort}`,
        PIPELINE_STAGE_WRITE_WINDOW_MS: String(options.stageWriteWindowMs ?? 1_000),
        PIPELINE_ARCHIVE_SETTLE_MS: String(options.archiveSettleMs ?? 1_500),
      }),
      { exit: () => undefined },
    );
    this.bus = await connectBus({ url: infra.natsUrl, name: 'pipeline-test', namespace: this.namespace });
  }

  async stop(): Promise<void> {
    for (const client of this.clients) client.close();
    await drainBus(this.bus);
    for (const service of [this.pipeline, this.contact]) {
      await service.deps.mongo.dropDatabase().catch(() => undefined);
      await service.shutdown('test done');
    }
    for (const database of Object.values(this.databases))
      await dropDatabase(infraEnv().postgresUrl, database).catch(() => undefined);
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
      deals: bindClient(this.client(DealServiceClient, this.pipeline.grpcPort), token),
      pipelines: bindClient(this.client(PipelineServiceClient, this.pipeline.grpcPort), token),
      contacts: bindClient(this.client(ContactServiceClient, this.contact.grpcPort), token),
      companies: bindClient(this.client(CompanyServiceClient, this.contact.grpcPort), token),
    };
  }

  /** The envelopes on one PIPELINE subject, oldest first. */
  events(type: string): Promise<Envelope[]> {
    return readStreamEvents(this.bus, 'PIPELINE', type);
  }
}

/** The gRPC error as the kit's ServiceError (code name, violations, reason, metadata). */
export async function failure(promise: Promise<unknown>): Promise<KitError> {
  try {
    await promise;
  } catch (error) {
    return fromGrpcError(error as ServiceError);
  }
  throw new Error('expected the call to fail');
}

export function dealInput(overrides: Partial<DealInput> = {}): DealInput {
  return {
    title: 'Deal',
    amount: { amountMinor: 0, currency: 'USD' },
    pipelineId: '',
    stageId: '',
    ownerId: '',
    teamId: '',
    contactId: '',
    companyId: '',
    expectedCloseDate: '',
    nextStep: '',
    customFields: undefined,
    lostReason: '',
    ...overrides,
  };
}

export function contactInput(overrides: Partial<ContactInput> = {}): ContactInput {
  return {
    firstName: '',
    lastName: '',
    emails: [],
    phones: [],
    title: '',
    companyId: '',
    lifecycleStage: '',
    leadSource: '',
    tags: [],
    tier: '',
    address: undefined,
    ownerId: '',
    teamId: '',
    customFields: undefined,
    externalId: '',
    ...overrides,
  };
}

export function usd(amountMinor: number) {
  return { amountMinor, currency: 'USD' };
}

export async function createDeal(api: Api, overrides: Partial<DealInput> = {}): Promise<Deal> {
  const { deal } = await api.deals.createDeal({ deal: dealInput(overrides) });
  if (!deal) throw new Error('no deal returned');
  return deal;
}

export async function createContact(api: Api, firstName: string, lastName: string): Promise<Contact> {
  const { contact } = await api.contacts.createContact({
    contact: contactInput({
      firstName,
      lastName,
      emails: [
        {
          address:
            `${firstName}.${lastName}.${Date.now()}${Math.random().toString(36).slice(2, 6)}@example.com`.toLowerCase(),
          primary: true,
          label: '',
        },
      ],
    }),
    allowDuplicates: true,
  });
  if (!contact) throw new Error('no contact returned');
  return contact;
}

export type { Deal };
