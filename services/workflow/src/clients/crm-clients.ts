// The owning services' gRPC APIs, called with this service's own client-credentials token for one tenant
// (x-crm-tenant): validation, visibility and events stay with the owners.
import type { CallOptions, Metadata, ServiceError as GrpcServiceError } from '@grpc/grpc-js';
import { asService, createGrpcClient, fromGrpcError, isGrpcError, type TokenSource } from '@crm/service-kit';
import { ActivityServiceClient } from '@crm/proto/crm/contact/v1/activity';
import { CompanyServiceClient } from '@crm/proto/crm/contact/v1/company';
import { ContactServiceClient } from '@crm/proto/crm/contact/v1/contact';
import { DealServiceClient } from '@crm/proto/crm/pipeline/v1/deal';
import { SlaServiceClient } from '@crm/proto/crm/ticket/v1/sla';
import { TicketServiceClient } from '@crm/proto/crm/ticket/v1/ticket';

type Unary<Req, Res> = (
  request: Req,
  metadata: Metadata,
  options: Partial<CallOptions>,
  callback: (error: GrpcServiceError | null, response: Res) => void,
) => unknown;

export interface CrmClients {
  contacts: ContactServiceClient;
  companies: CompanyServiceClient;
  activities: ActivityServiceClient;
  deals: DealServiceClient;
  tickets: TicketServiceClient;
  /** Business calendars (relative triggers counting business days). */
  sla: SlaServiceClient;
  /** Calls a method as the service acting for the tenant; a gRPC failure becomes the kit's ServiceError. */
  call<Req, Res>(tenantId: string, method: Unary<Req, Res>, request: Req, deadlineMs?: number): Promise<Res>;
  close(): void;
}

export function createCrmClients(
  addresses: { contact: string; pipeline: string; ticket: string },
  token: TokenSource,
  defaultDeadlineMs = 5_000,
): CrmClients {
  // A peer that was down is reachable again within 2 s for our step retries: reconnects back off to 2 s at most,
  // not grpc's 120 s (calls fail fast while the channel is in a failed state, and a retry finds it reconnected).
  const options = {
    channelOptions: { 'grpc.initial_reconnect_backoff_ms': 250, 'grpc.max_reconnect_backoff_ms': 2_000 },
  };
  const contacts = createGrpcClient(ContactServiceClient, addresses.contact, options);
  const companies = createGrpcClient(CompanyServiceClient, addresses.contact, options);
  const activities = createGrpcClient(ActivityServiceClient, addresses.contact, options);
  const deals = createGrpcClient(DealServiceClient, addresses.pipeline, options);
  const tickets = createGrpcClient(TicketServiceClient, addresses.ticket, options);
  const sla = createGrpcClient(SlaServiceClient, addresses.ticket, options);
  return {
    contacts,
    companies,
    activities,
    deals,
    tickets,
    sla,
    async call(tenantId, method, request, deadlineMs = defaultDeadlineMs) {
      const metadata = asService(await token.getToken(), tenantId);
      return new Promise((resolve, reject) => {
        method(request, metadata, { deadline: new Date(Date.now() + deadlineMs) }, (error, response) => {
          if (error) reject(isGrpcError(error) ? fromGrpcError(error) : error);
          else resolve(response);
        });
      });
    },
    close() {
      for (const client of [contacts, companies, activities, deals, tickets, sla]) client.close();
    },
  };
}
