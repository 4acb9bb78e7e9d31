// Starts the real contact and pipeline services in-process on the real servers (FerretDB/MongoDB, NATS,
// Keycloak), and one or more gateways in front of them, all sharing one NATS namespace so that gateway replicas
// share their KV buckets as they do in production.
import { dropDatabase } from '@crm/service-kit';
import { infraEnv, uniqueDbName, uniqueNamespace } from '@crm/testkit';
import { contactEnvSchema } from '../../../services/contact/src/config';
import { startContactService, type RunningContactService } from '../../../services/contact/src/contact-service';
import { pipelineEnvSchema } from '../../../services/pipeline/src/config';
import { startPipelineService, type RunningPipelineService } from '../../../services/pipeline/src/pipeline-service';
import { reportingEnvSchema } from '../../../services/reporting/src/config';
import { startReportingService, type RunningReportingService } from '../../../services/reporting/src/reporting-service';
import { ticketEnvSchema } from '../../../services/ticket/src/config';
import { startTicketService, type RunningTicketService } from '../../../services/ticket/src/ticket-service';
import { workflowEnvSchema } from '../../../services/workflow/src/config';
import { startWorkflowService, type RunningWorkflowService } from '../../../services/workflow/src/workflow-service';
import { gatewayEnvSchema } from '../../src/config';
import { startGateway, type RunningGateway, type StartGatewayOptions } from '../../src/gateway';

export interface HttpAnswer {
  status: number;
  headers: Headers;
  /** Parsed JSON when the response is JSON (or problem+json), else the text. */
  body: unknown;
  text: string;
}

export interface RequestOptions {
  token?: string;
  body?: unknown;
  /** Sent as is instead of JSON. */
  raw?: string | Buffer;
  headers?: Record<string, string>;
}

export class GatewayClient {
  constructor(readonly baseUrl: string) {}

  async request(method: string, path: string, options: RequestOptions = {}): Promise<HttpAnswer> {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    let body: string | Buffer | undefined;
    if (options.raw !== undefined) body = options.raw;
    else if (options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers['content-type'] ??= 'application/json';
    }
    const response = await fetch(`${this.baseUrl}${path}`, { method, headers, body });
    const text = await response.text();
    const type = response.headers.get('content-type') ?? '';
    return {
      status: response.status,
      headers: response.headers,
      text,
      body: /^application\/(problem\+)?json/.test(type) && text ? (JSON.parse(text) as unknown) : text,
    };
  }

  get = (path: string, token?: string, headers?: Record<string, string>) =>
    this.request('GET', path, { token, headers });
  post = (path: string, token: string, body?: unknown, headers?: Record<string, string>) =>
    this.request('POST', path, { token, body, headers });
  put = (path: string, token: string, body: unknown, headers?: Record<string, string>) =>
    this.request('PUT', path, { token, body, headers });
  patch = (path: string, token: string, body: unknown, headers?: Record<string, string>) =>
    this.request('PATCH', path, { token, body, headers });
  delete = (path: string, token: string, headers?: Record<string, string>) =>
    this.request('DELETE', path, { token, headers });
}

export interface StackOptions {
  pipeline?: boolean;
  reporting?: boolean;
  /** Starts the ticket service too (its read model in a database of its own). */
  ticket?: boolean;
  /** The workflow service (needs pipeline), with extra environment. */
  workflow?: Record<string, string>;
  gatewayEnv?: Record<string, string>;
  gatewayOptions?: StartGatewayOptions;
}

export class GatewayStack {
  readonly namespace = uniqueNamespace('gw');
  contact!: RunningContactService;
  pipeline: RunningPipelineService | undefined;
  reporting: RunningReportingService | undefined;
  workflow: RunningWorkflowService | undefined;
  private workflowDb = uniqueDbName('gwworkflow');
  private reportingDb = uniqueDbName('gwreporting');
  ticket: RunningTicketService | undefined;
  private ticketReadModel = '';
  gateway!: RunningGateway;
  api!: GatewayClient;
  private readonly gateways: RunningGateway[] = [];
  /** Read-model databases (PostgreSQL), dropped at the end. */
  private readonly databases = { contact: uniqueDbName('gwcontact'), pipeline: uniqueDbName('gwpipeline') };

  async start(options: StackOptions = {}): Promise<this> {
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
    if (options.pipeline) {
      this.pipeline = await startPipelineService(
        pipelineEnvSchema.parse({
          ...common,
          SERVICE_NAME: 'pipeline',
          MONGODB_DB: this.databases.pipeline,
          POSTGRES_DB: this.databases.pipeline,
          OIDC_CLIENT_ID: 'pipeline-service',
          OIDC_CLIENT_SECRET: 'pipeline-service-secret',
          CONTACT_GRPC_URL: `127.0.0.1:${this.contact.grpcPort}`,
        }),
        { exit: () => undefined },
      );
    }
    if (options.reporting) {
      this.reporting = await startReportingService(
        reportingEnvSchema.parse({
          ...common,
          SERVICE_NAME: 'reporting',
          MONGODB_DB: uniqueDbName('gwreportingm'),
          POSTGRES_URL: infra.postgresUrl,
          POSTGRES_DB: this.reportingDb,
          OIDC_CLIENT_ID: 'reporting-service',
          OIDC_CLIENT_SECRET: 'reporting-service-secret',
          REPORTING_LAG_POLL_MS: '500',
        }),
        { exit: () => undefined },
      );
    }
    if (options.ticket) {
      this.ticketReadModel = uniqueDbName('gwticketrm');
      this.ticket = await startTicketService(
        ticketEnvSchema.parse({
          ...common,
          SERVICE_NAME: 'ticket',
          MONGODB_DB: uniqueDbName('gwticket'),
          POSTGRES_URL: infra.postgresUrl,
          POSTGRES_DB: this.ticketReadModel,
          OIDC_CLIENT_ID: 'ticket-service',
          OIDC_CLIENT_SECRET: 'ticket-service-secret',
          CONTACT_GRPC_URL: `127.0.0.1:${this.contact.grpcPort}`,
          TICKET_CSAT_SECRET: 'test-only-csat-secret-0123456789abcdef',
        }),
        { exit: () => undefined },
      );
    }
    if (options.workflow) {
      this.workflow = await startWorkflowService(
        workflowEnvSchema.parse({
          ...common,
          SERVICE_NAME: 'workflow',
          WORKFLOW_MODE: 'development',
          MONGODB_DB: uniqueDbName('gwworkflowm'),
          POSTGRES_URL: infra.postgresUrl,
          POSTGRES_DB: this.workflowDb,
          OIDC_CLIENT_ID: 'workflow-service',
          OIDC_CLIENT_SECRET: 'workflow-service-secret',
          CONTACT_GRPC_URL: `127.0.0.1:${this.contact.grpcPort}`,
          PIPELINE_GRPC_URL: `127.0.0.1:${this.pipeline?.grpcPort ?? 1}`,
          TICKET_GRPC_URL: `127.0.0.1:${this.ticket?.grpcPort ?? 1}`,
          ...options.workflow,
        }),
        { exit: () => undefined },
      );
    }
    this.gateway = await this.startGateway(options.gatewayEnv, options.gatewayOptions);
    this.api = new GatewayClient(`http://127.0.0.1:${this.gateway.port}`);
    return this;
  }

  /** Another replica (or a differently configured gateway) on the same services and the same KV buckets. */
  async startGateway(
    env: Record<string, string | undefined> = {},
    options: StartGatewayOptions = {},
  ): Promise<RunningGateway> {
    const infra = infraEnv();
    const config = gatewayEnvSchema.parse({
      LOG_LEVEL: 'error',
      HTTP_PORT: '0',
      ADMIN_PORT: '0',
      NATS_URL: infra.natsUrl,
      NATS_NAMESPACE: this.namespace,
      OIDC_ISSUER: infra.issuer,
      CONTACT_GRPC_URL: `127.0.0.1:${this.contact.grpcPort}`,
      PIPELINE_GRPC_URL: `127.0.0.1:${this.pipeline?.grpcPort ?? 1}`,
      REPORTING_GRPC_URL: `127.0.0.1:${this.reporting?.grpcPort ?? 1}`,
      TICKET_GRPC_URL: `127.0.0.1:${this.ticket?.grpcPort ?? 1}`,
      OIDC_CLIENT_ID: 'crm-gateway',
      OIDC_CLIENT_SECRET: 'crm-gateway-secret',
      WORKFLOW_GRPC_URL: `127.0.0.1:${this.workflow?.grpcPort ?? 1}`,
      SSE_HEARTBEAT_MS: '1000',
      ...env,
    });
    const gateway = await startGateway(config, { exit: () => undefined, ...options });
    this.gateways.push(gateway);
    return gateway;
  }

  clientOf(gateway: RunningGateway): GatewayClient {
    return new GatewayClient(`http://127.0.0.1:${gateway.port}`);
  }

  async stop(): Promise<void> {
    for (const gateway of this.gateways) await gateway.shutdown('test done');
    if (this.reporting) {
      await this.reporting.deps.mongo.dropDatabase().catch(() => undefined);
      await this.reporting.shutdown('test done');
      await dropDatabase(infraEnv().postgresUrl, this.reportingDb).catch(() => undefined);
    }
    if (this.ticket) {
      await this.ticket.deps.mongo.dropDatabase().catch(() => undefined);
      await this.ticket.shutdown('test done');
      await dropDatabase(infraEnv().postgresUrl, this.ticketReadModel).catch(() => undefined);
    }
    if (this.workflow) {
      await this.workflow.deps.mongo.dropDatabase().catch(() => undefined);
      await this.workflow.shutdown('test done');
      await dropDatabase(infraEnv().postgresUrl, this.workflowDb).catch(() => undefined);
    }
    for (const service of [this.pipeline, this.contact]) {
      if (!service) continue;
      await service.deps.mongo.dropDatabase().catch(() => undefined);
      await service.shutdown('test done');
    }
    for (const database of Object.values(this.databases))
      await dropDatabase(infraEnv().postgresUrl, database).catch(() => undefined);
  }
}
