// Starts the contact service in-process on the real servers and calls it through real gRPC clients with real
// Keycloak tokens. Events are read back from the service's own CONTACT stream.
import { credentials, Metadata, type Client, type ClientReadableStream, type ServiceError } from '@grpc/grpc-js';
import { ActivityServiceClient } from '@crm/proto/crm/contact/v1/activity';
import { CompanyServiceClient } from '@crm/proto/crm/contact/v1/company';
import { ContactServiceClient, type Contact, type ContactInput } from '@crm/proto/crm/contact/v1/contact';
import {
  ExportServiceClient,
  ImportServiceClient,
  type ImportHeader,
  type ImportJob,
  type StartImportResponse,
} from '@crm/proto/crm/contact/v1/import';
import { SettingsServiceClient } from '@crm/proto/crm/contact/v1/settings';
import { Envelope } from '@crm/proto/crm/events/v1/envelope';
import {
  connectBus,
  drainBus,
  dropDatabase,
  readStreamEvents,
  fromGrpcError,
  streamName,
  subjectOf,
  type Bus,
  type ServiceError as KitError,
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
import { contactEnvSchema } from '../../src/config';
import { startContactService, type RunningContactService } from '../../src/contact-service';

const DEADLINE_MS = 30_000;

export interface Api {
  userId: string;
  token: string;
  contacts: BoundMethods<ContactServiceClient>;
  companies: BoundMethods<CompanyServiceClient>;
  activities: BoundMethods<ActivityServiceClient>;
  settings: BoundMethods<SettingsServiceClient>;
  imports: BoundMethods<ImportServiceClient>;
  startImport: (header: Partial<ImportHeader>, csv: string, pieceBytes?: number) => Promise<ImportJob>;
  exportContacts: (format: string, filter?: Record<string, unknown>) => Promise<string>;
  exportCompanies: (format: string) => Promise<string>;
}

export class ContactHarness {
  service!: RunningContactService;
  bus!: Bus;
  namespace = uniqueNamespace('contact');
  /** The read model's database, one per harness. */
  readonly readModelDb = uniqueDbName('contactrm');
  /** The environment the service was started with: a second instance (a child process) can share its stores. */
  env: Record<string, string> = {};
  private clients: Client[] = [];
  private address = '';

  async start(overrides: Record<string, string> = {}): Promise<void> {
    const infra = infraEnv();
    this.env = {
      SERVICE_NAME: 'contact',
      LOG_LEVEL: 'error',
      GRPC_PORT: '0',
      ADMIN_PORT: '0',
      MONGODB_URL: infra.mongoUrl,
      MONGODB_DB: uniqueDbName('contact'),
      POSTGRES_URL: infra.postgresUrl,
      POSTGRES_DB: this.readModelDb,
      NATS_URL: infra.natsUrl,
      NATS_NAMESPACE: this.namespace,
      OIDC_ISSUER: infra.issuer,
      OIDC_CLIENT_ID: 'contact-service',
      OIDC_CLIENT_SECRET: 'contact-service-secret',
      CONTACT_IMPORT_POLL_MS: '200',
      ...overrides,
    };
    const config = contactEnvSchema.parse(this.env);
    this.service = await startContactService(config, { exit: () => undefined });
    this.address = `127.0.0.1:${this.service.grpcPort}`;
    this.bus = await connectBus({ url: infra.natsUrl, name: 'contact-test', namespace: this.namespace });
  }

  async stop(): Promise<void> {
    for (const client of this.clients) client.close();
    await drainBus(this.bus);
    await this.service.deps.mongo.dropDatabase().catch(() => undefined);
    await this.service.shutdown('test done');
    await dropDatabase(infraEnv().postgresUrl, this.readModelDb).catch(() => undefined);
  }

  private client<C extends Client>(
    Ctor: new (address: string, creds: ReturnType<typeof credentials.createInsecure>) => C,
  ): C {
    const client = new Ctor(this.address, credentials.createInsecure());
    this.clients.push(client);
    return client;
  }

  async as(user: DemoUser): Promise<Api> {
    const token = await userToken(user);
    const userId = String(decodeClaims(token).sub);
    const importClient = this.client(ImportServiceClient);
    const exportClient = this.client(ExportServiceClient);
    const metadata = () => {
      const m = new Metadata();
      m.set('authorization', `Bearer ${token}`);
      return m;
    };
    return {
      userId,
      token,
      contacts: bindClient(this.client(ContactServiceClient), token),
      companies: bindClient(this.client(CompanyServiceClient), token),
      activities: bindClient(this.client(ActivityServiceClient), token),
      settings: bindClient(this.client(SettingsServiceClient), token),
      imports: bindClient(importClient, token),
      startImport: (header, csv, pieceBytes = 64) =>
        new Promise<ImportJob>((resolve, reject) => {
          const stream = importClient.startImport(
            metadata(),
            { deadline: new Date(Date.now() + DEADLINE_MS) },
            (error: ServiceError | null, response: StartImportResponse) =>
              error ? reject(error) : resolve(response.job as ImportJob),
          );
          stream.write({ header: { entity: 'contact', fileName: 'test.csv', mapping: [], matchBy: '', ...header } });
          // Small pieces, so rows and even multi-byte characters straddle message boundaries.
          const bytes = Buffer.from(csv);
          for (let at = 0; at < bytes.length; at += pieceBytes)
            stream.write({ data: bytes.subarray(at, at + pieceBytes) });
          stream.end();
        }),
      exportContacts: (format, filter) =>
        collect(
          exportClient.exportContacts({ format, filter: filter as never }, metadata(), {
            deadline: new Date(Date.now() + DEADLINE_MS),
          }),
        ),
      exportCompanies: (format) =>
        collect(
          exportClient.exportCompanies({ format, filter: undefined }, metadata(), {
            deadline: new Date(Date.now() + DEADLINE_MS),
          }),
        ),
    };
  }

  /** How many events of a type the CONTACT stream holds. */
  async eventCount(type: string): Promise<number> {
    const subject = subjectOf(this.bus, `crm.${type}`);
    const info = await this.bus.jsm.streams.info(streamName(this.bus, 'CONTACT'), { subjects_filter: subject });
    return info.state.subjects?.[subject] ?? 0;
  }

  /** The envelopes of one type, oldest first, read by sequence from the stream. */
  events(type: string): Promise<Envelope[]> {
    return readStreamEvents(this.bus, 'CONTACT', type);
  }

  async waitForImport(api: Api, id: string): Promise<ImportJob> {
    return eventually(
      async () => {
        const { job } = await api.imports.getImport({ id });
        return job && (job.status === 'completed' || job.status === 'failed') ? job : undefined;
      },
      60_000,
      200,
    );
  }
}

function collect(stream: ClientReadableStream<{ data: Buffer }>): Promise<string> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    stream.on('data', (message: { data: Buffer }) => parts.push(message.data));
    stream.on('error', reject);
    stream.on('end', () => resolve(Buffer.concat(parts).toString('utf8')));
  });
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

export function email(address: string, primary = false) {
  return { address, primary, label: '' };
}

export function phone(number: string, primary = false) {
  return { number, primary, label: '' };
}

export type { Contact };
