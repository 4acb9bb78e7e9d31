import type { Client } from '@grpc/grpc-js';
import { createGrpcClient, type TokenSource } from '@crm/service-kit/edge';
import { ActivityServiceClient } from '@crm/proto/crm/contact/v1/activity';
import { CompanyServiceClient } from '@crm/proto/crm/contact/v1/company';
import { ContactServiceClient } from '@crm/proto/crm/contact/v1/contact';
import { ExportServiceClient, ImportServiceClient } from '@crm/proto/crm/contact/v1/import';
import { SettingsServiceClient } from '@crm/proto/crm/contact/v1/settings';
import { DealServiceClient } from '@crm/proto/crm/pipeline/v1/deal';
import { DealImportServiceClient } from '@crm/proto/crm/pipeline/v1/import';
import { PipelineServiceClient } from '@crm/proto/crm/pipeline/v1/pipeline';
import { ReportingServiceClient } from '@crm/proto/crm/reporting/v1/reporting';
import { SlaServiceClient } from '@crm/proto/crm/ticket/v1/sla';
import { SupportServiceClient } from '@crm/proto/crm/ticket/v1/support';
import { TicketServiceClient } from '@crm/proto/crm/ticket/v1/ticket';
import { FormServiceClient } from '@crm/proto/crm/workflow/v1/form';
import { WorkflowServiceClient } from '@crm/proto/crm/workflow/v1/rule';
import { RunServiceClient } from '@crm/proto/crm/workflow/v1/run';
import { TaskServiceClient } from '@crm/proto/crm/workflow/v1/task';
import { AssignmentServiceClient } from '@crm/proto/crm/workflow/v1/team';
import { WebhookServiceClient } from '@crm/proto/crm/workflow/v1/webhook';

/** One channel per service address; every client on it has the kit's deadline, retry and trace interceptors. */
export interface ServiceClients {
  contacts: ContactServiceClient;
  companies: CompanyServiceClient;
  activities: ActivityServiceClient;
  settings: SettingsServiceClient;
  imports: ImportServiceClient;
  exports: ExportServiceClient;
  pipelines: PipelineServiceClient;
  deals: DealServiceClient;
  reporting: ReportingServiceClient;
  tickets: TicketServiceClient;
  sla: SlaServiceClient;
  support: SupportServiceClient;
  workflows: WorkflowServiceClient;
  runs: RunServiceClient;
  tasks: TaskServiceClient;
  webhooks: WebhookServiceClient;
  forms: FormServiceClient;
  assignment: AssignmentServiceClient;
  /** The gateway's own client-credentials token, for calls on behalf of no user (CSAT survey, web forms). */
  serviceToken: TokenSource | undefined;
  /** Deal imports run in the pipeline service; contacts and companies in the contact service (imports). */
  dealImports: DealImportServiceClient;
  close(): void;
}

export function createServiceClients(
  addresses: { contact: string; pipeline: string; reporting: string; ticket: string; workflow: string },
  serviceToken?: TokenSource,
): ServiceClients {
  const clients = {
    contacts: createGrpcClient(ContactServiceClient, addresses.contact),
    companies: createGrpcClient(CompanyServiceClient, addresses.contact),
    activities: createGrpcClient(ActivityServiceClient, addresses.contact),
    settings: createGrpcClient(SettingsServiceClient, addresses.contact),
    imports: createGrpcClient(ImportServiceClient, addresses.contact),
    exports: createGrpcClient(ExportServiceClient, addresses.contact),
    pipelines: createGrpcClient(PipelineServiceClient, addresses.pipeline),
    deals: createGrpcClient(DealServiceClient, addresses.pipeline),
    reporting: createGrpcClient(ReportingServiceClient, addresses.reporting),
    tickets: createGrpcClient(TicketServiceClient, addresses.ticket),
    sla: createGrpcClient(SlaServiceClient, addresses.ticket),
    support: createGrpcClient(SupportServiceClient, addresses.ticket),
    workflows: createGrpcClient(WorkflowServiceClient, addresses.workflow),
    runs: createGrpcClient(RunServiceClient, addresses.workflow),
    tasks: createGrpcClient(TaskServiceClient, addresses.workflow),
    webhooks: createGrpcClient(WebhookServiceClient, addresses.workflow),
    forms: createGrpcClient(FormServiceClient, addresses.workflow),
    assignment: createGrpcClient(AssignmentServiceClient, addresses.workflow),
    dealImports: createGrpcClient(DealImportServiceClient, addresses.pipeline),
  };
  return {
    ...clients,
    serviceToken,
    close: () => Object.values(clients).forEach((c: Client) => c.close()),
  };
}
