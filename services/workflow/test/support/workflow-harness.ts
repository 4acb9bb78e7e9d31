// Starts the real contact, pipeline and workflow services in-process on the real servers (FerretDB/MongoDB,
// PostgreSQL, NATS, Keycloak), in one NATS namespace, and calls them through real gRPC clients with real tokens.
import { credentials, type Client, type ServiceError } from '@grpc/grpc-js';
import { ActivityServiceClient } from '@crm/proto/crm/contact/v1/activity';
import { CompanyServiceClient } from '@crm/proto/crm/contact/v1/company';
import { ContactServiceClient, type ContactInput } from '@crm/proto/crm/contact/v1/contact';
import { DealServiceClient } from '@crm/proto/crm/pipeline/v1/deal';
import { PipelineServiceClient } from '@crm/proto/crm/pipeline/v1/pipeline';
import { SlaServiceClient } from '@crm/proto/crm/ticket/v1/sla';
import { TicketServiceClient } from '@crm/proto/crm/ticket/v1/ticket';
import { AssignmentServiceClient } from '@crm/proto/crm/workflow/v1/team';
import { FormServiceClient } from '@crm/proto/crm/workflow/v1/form';
import { WorkflowServiceClient } from '@crm/proto/crm/workflow/v1/rule';
import { RunServiceClient } from '@crm/proto/crm/workflow/v1/run';
import { TaskServiceClient } from '@crm/proto/crm/workflow/v1/task';
import { WebhookServiceClient } from '@crm/proto/crm/workflow/v1/webhook';
import { dropDatabase, fromGrpcError, type ServiceError as KitError } from '@crm/service-kit';
import {
  bindClient,
  decodeClaims,
  infraEnv,
  uniqueDbName,
  uniqueNamespace,
  userToken,
  clientToken,
  type BoundMethods,
  type DemoUser,
} from '@crm/testkit';
import { contactEnvSchema } from '../../../contact/src/config';
import { startContactService, type RunningContactService } from '../../../contact/src/contact-service';
import { pipelineEnvSchema } from '../../../pipeline/src/config';
import { startPipelineService, type RunningPipelineService } from '../../../pipeline/src/pipeline-service';
import { ticketEnvSchema } from '../../../ticket/src/config';
import { startTicketService, type RunningTicketService } from '../../../ticket/src/ticket-service';
import { workflowEnvSchema } from '../../src/config';
import { startWorkflowService, type RunningWorkflowService } from '../../src/workflow-service';

export interface Api {
  userId: string;
  token: string;
  rules: BoundMethods<WorkflowServiceClient>;
  runs: BoundMethods<RunServiceClient>;
  tasks: BoundMethods<TaskServiceClient>;
  webhooks: BoundMethods<WebhookServiceClient>;
  forms: BoundMethods<FormServiceClient>;
  teams: BoundMethods<AssignmentServiceClient>;
  contacts: BoundMethods<ContactServiceClient>;
  companies: BoundMethods<CompanyServiceClient>;
  activities: BoundMethods<ActivityServiceClient>;
  deals: BoundMethods<DealServiceClient>;
  pipelines: BoundMethods<PipelineServiceClient>;
  tickets: BoundMethods<TicketServiceClient>;
  /** Business calendars and SLA policies of the ticket service. */
  sla: BoundMethods<SlaServiceClient>;
}

export class WorkflowHarness {
  contact!: RunningContactService;
  pipeline!: RunningPipelineService;
  ticket: RunningTicketService | undefined;
  workflow!: RunningWorkflowService;
  readonly namespace = uniqueNamespace('workflow');
  readonly workflowDb = uniqueDbName('workflow');
  private readonly mongoDb = uniqueDbName('workflowm');
  private readonly peerDbs = {
    contact: uniqueDbName('wfcontact'),
    pipeline: uniqueDbName('wfpipeline'),
    ticket: uniqueDbName('wfticket'),
  };
  private clients: Client[] = [];
  private workflowEnv: Record<string, unknown> = {};
  private contactEnv: Record<string, unknown> = {};

  async start(workflowEnv: Record<string, unknown> = {}, peers: { ticket?: boolean } = {}): Promise<this> {
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
    this.contactEnv = {
      ...common,
      SERVICE_NAME: 'contact',
      MONGODB_DB: this.peerDbs.contact,
      POSTGRES_DB: this.peerDbs.contact,
      OIDC_CLIENT_ID: 'contact-service',
      OIDC_CLIENT_SECRET: 'contact-service-secret',
    };
    await this.startContact();
    this.pipeline = await startPipelineService(
      pipelineEnvSchema.parse({
        ...common,
        SERVICE_NAME: 'pipeline',
        MONGODB_DB: this.peerDbs.pipeline,
        POSTGRES_DB: this.peerDbs.pipeline,
        OIDC_CLIENT_ID: 'pipeline-service',
        OIDC_CLIENT_SECRET: 'pipeline-service-secret',
        CONTACT_GRPC_URL: `127.0.0.1:${this.contact.grpcPort}`,
      }),
      { exit: () => undefined },
    );
    if (peers.ticket)
      this.ticket = await startTicketService(
        ticketEnvSchema.parse({
          ...common,
          SERVICE_NAME: 'ticket',
          MONGODB_DB: this.peerDbs.ticket,
          POSTGRES_DB: this.peerDbs.ticket,
          OIDC_CLIENT_ID: 'ticket-service',
          OIDC_CLIENT_SECRET: 'ticket-service-secret',
          CONTACT_GRPC_URL: `127.0.0.1:${this.contact.grpcPort}`,
          TICKET_CSAT_SECRET: 'test-only-csat-secret-0123456789abcdef',
        }),
        { exit: () => undefined },
      );
    this.workflowEnv = {
      ...common,
      ...(this.ticket ? { TICKET_GRPC_URL: `127.0.0.1:${this.ticket.grpcPort}` } : {}),
      ...workflowEnv,
    };
    await this.startWorkflow();
    return this;
  }

  /** Starts (or restarts) the workflow service on the same databases. */
  async startWorkflow(): Promise<void> {
    const infra = infraEnv();
    this.workflow = await startWorkflowService(
      workflowEnvSchema.parse({
        WORKFLOW_MODE: 'development',
        ...this.workflowEnv,
        SERVICE_NAME: 'workflow',
        MONGODB_DB: this.mongoDb,
        POSTGRES_URL: infra.postgresUrl,
        POSTGRES_DB: this.workflowDb,
        OIDC_CLIENT_ID: 'workflow-service',
        OIDC_CLIENT_SECRET: 'workflow-service-secret',
        CONTACT_GRPC_URL: `127.0.0.1:${this.contact.grpcPort}`,
        PIPELINE_GRPC_URL: `127.0.0.1:${this.pipeline.grpcPort}`,
        // A restart keeps the port, so clients made before it keep working.
        ...(this.workflow ? { GRPC_PORT: String(this.workflow.grpcPort) } : {}),
      }),
      { exit: () => undefined },
    );
  }

  /** Starts (or restarts, on the same port) the contact service: the owning service of the records acted on. */
  async startContact(): Promise<void> {
    this.contact = await startContactService(
      contactEnvSchema.parse({
        ...this.contactEnv,
        ...(this.contact ? { GRPC_PORT: String(this.contact.grpcPort) } : {}),
      }),
      { exit: () => undefined },
    );
  }

  async stopContact(): Promise<void> {
    await this.contact.shutdown('restart');
  }

  async stopWorkflow(): Promise<void> {
    await this.workflow.shutdown('restart');
  }

  async stop(): Promise<void> {
    for (const client of this.clients) client.close();
    await this.workflow.deps.mongo.dropDatabase().catch(() => undefined);
    await this.workflow.shutdown('test done');
    await dropDatabase(infraEnv().postgresUrl, this.workflowDb).catch(() => undefined);
    for (const service of [this.ticket, this.pipeline, this.contact]) {
      if (!service) continue;
      await service.deps.mongo.dropDatabase().catch(() => undefined);
      await service.shutdown('test done');
    }
    for (const database of Object.values(this.peerDbs))
      await dropDatabase(infraEnv().postgresUrl, database).catch(() => undefined);
  }

  private client<C extends Client>(
    Ctor: new (address: string, creds: ReturnType<typeof credentials.createInsecure>) => C,
    port: () => number,
  ): C {
    const client = new Ctor(`127.0.0.1:${port()}`, credentials.createInsecure());
    this.clients.push(client);
    return client;
  }

  async as(user: DemoUser | 'gateway'): Promise<Api> {
    const token = user === 'gateway' ? await clientToken('crm-gateway') : await userToken(user);
    const wf = () => this.workflow.grpcPort;
    const ct = () => this.contact.grpcPort;
    const pl = () => this.pipeline.grpcPort;
    const tk = () => this.ticket?.grpcPort ?? 1;
    return {
      userId: String(decodeClaims(token).sub),
      token,
      rules: bindClient(this.client(WorkflowServiceClient, wf), token),
      runs: bindClient(this.client(RunServiceClient, wf), token),
      tasks: bindClient(this.client(TaskServiceClient, wf), token),
      webhooks: bindClient(this.client(WebhookServiceClient, wf), token),
      forms: bindClient(this.client(FormServiceClient, wf), token),
      teams: bindClient(this.client(AssignmentServiceClient, wf), token),
      contacts: bindClient(this.client(ContactServiceClient, ct), token),
      companies: bindClient(this.client(CompanyServiceClient, ct), token),
      activities: bindClient(this.client(ActivityServiceClient, ct), token),
      deals: bindClient(this.client(DealServiceClient, pl), token),
      pipelines: bindClient(this.client(PipelineServiceClient, pl), token),
      tickets: bindClient(this.client(TicketServiceClient, tk), token),
      sla: bindClient(this.client(SlaServiceClient, tk), token),
    };
  }
}

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

export function uniqueEmail(label: string): string {
  return `${label}.${Date.now()}${Math.random().toString(36).slice(2, 6)}@example.com`;
}
