import type { CustomFieldDefinition } from '@crm/service-kit';
import type { ContactDirectory } from '../clients/contact-directory';
import type { TicketRecord } from '../domain/ticket';
import type { TicketQueries } from '../store/ticket-queries';
import type { TicketStores } from '../store/ticket-store';
import type { SlaContext } from './sla-context';

/** What the use cases share. */
export interface AppDeps {
  stores: TicketStores;
  queries: TicketQueries;
  sla: SlaContext;
  contacts: ContactDirectory;
  clock: () => Date;
  namespace: string;
  support: { fieldDefinitions(tenantId: string): Promise<CustomFieldDefinition[]> };
  assignment: {
    /** Picks an agent when the group assigns automatically, and creates the ticket under the group's lock. */
    assignAndCreate(
      tenantId: string,
      groupId: string,
      now: Date,
      create: (assigneeId: string) => Promise<TicketRecord>,
    ): Promise<TicketRecord>;
  };
  csat: { surveyOf(ticket: TicketRecord, now: Date): { surveyPath: string; expiresAt: Date } };
}
