// Changes to records other services own, through their gRPC APIs as this service (its own token, the tenant in
// x-crm-tenant). Each change reads the record first and is skipped when nothing would change, so repeating an
// action never adds a version; a lost version race is read and tried again.
import { CompanyInput } from '@crm/proto/crm/contact/v1/company';
import { ContactInput, type Contact } from '@crm/proto/crm/contact/v1/contact';
import { DealInput } from '@crm/proto/crm/pipeline/v1/deal';
import { TicketInput, type Ticket } from '@crm/proto/crm/ticket/v1/ticket';
import { ServiceError } from '@crm/service-kit';
import type { RecordEntity } from '../domain/catalog';
import { isDeepStrictEqual } from 'node:util';
import type { CrmClients } from '../clients/crm-clients';
import { updateInputOf } from './step-runner';

const ATTEMPTS = 4;

function unsupported(entity: string): ServiceError {
  return new ServiceError('INVALID_ARGUMENT', `a ${entity} cannot be changed this way`);
}

/** The marker a rule's note carries, so a repeated action finds the note it already added. */
export function noteMarker(actionId: string): string {
  return `[workflow ${actionId}]`;
}

export class RecordGateway {
  constructor(private readonly clients: CrmClients) {}

  /** Sets fields; returns whether anything changed. */
  async update(tenantId: string, entity: RecordEntity, id: string, set: Record<string, unknown>): Promise<boolean> {
    const { input, mask } = updateInputOf(entity, set);
    return this.withRetry(async () => {
      const current = await this.current(tenantId, entity, id);
      if (unchanged(current, input)) return false;
      const c = this.clients;
      if (entity === 'contact')
        await c.call(tenantId, c.contacts.updateContact.bind(c.contacts), {
          id,
          expectedVersion: current.version as number,
          contact: ContactInput.fromPartial(input),
          updateMask: mask,
          allowDuplicates: true,
        });
      else if (entity === 'company')
        await c.call(tenantId, c.companies.updateCompany.bind(c.companies), {
          id,
          expectedVersion: current.version as number,
          company: CompanyInput.fromPartial(input),
          updateMask: mask,
        });
      else if (entity === 'deal')
        await c.call(tenantId, c.deals.updateDeal.bind(c.deals), {
          id,
          expectedVersion: current.version as number,
          deal: DealInput.fromPartial(input),
          updateMask: mask,
        });
      else
        await c.call(tenantId, c.tickets.updateTicket.bind(c.tickets), {
          id,
          expectedVersion: current.version as number,
          ticket: TicketInput.fromPartial(input),
          updateMask: mask,
        });
      return true;
    });
  }

  /** An internal note (or a public reply) on a ticket, once per action id. */
  async addTicketNote(tenantId: string, ticketId: string, body: string, isPublic: boolean, actionId: string) {
    const c = this.clients;
    const marker = noteMarker(actionId);
    let cursor = '';
    do {
      const page = await c.call(tenantId, c.tickets.listComments.bind(c.tickets), {
        ticketId,
        page: { limit: 200, cursor },
      });
      const found = page.comments.find((comment) => comment.body.endsWith(marker));
      if (found) return { commentId: found.id, added: false };
      cursor = page.page?.nextCursor ?? '';
    } while (cursor);
    const added = await c.call(tenantId, c.tickets.addComment.bind(c.tickets), {
      ticketId,
      public: isPublic,
      body: `${body}\n\n${marker}`,
      attachments: [],
      authorKind: 'agent',
      status: '',
      expectedVersion: 0,
    });
    return { commentId: added.comment?.id ?? '', added: true };
  }

  async addTag(tenantId: string, entity: RecordEntity, id: string, tag: string): Promise<boolean> {
    if (entity === 'ticket') return this.addTicketTag(tenantId, id, tag);
    if (entity !== 'contact') throw unsupported(entity);
    return this.withRetry(async () => {
      const contact = (await this.current(tenantId, 'contact', id)) as unknown as Contact;
      if (contact.tags.includes(tag)) return false;
      const c = this.clients;
      await c.call(tenantId, c.contacts.updateContact.bind(c.contacts), {
        id,
        expectedVersion: contact.version,
        contact: ContactInput.fromPartial({ tags: [...contact.tags, tag] }),
        updateMask: ['tags'],
        allowDuplicates: true,
      });
      return true;
    });
  }

  private async addTicketTag(tenantId: string, id: string, tag: string): Promise<boolean> {
    return this.withRetry(async () => {
      const ticket = (await this.current(tenantId, 'ticket', id)) as unknown as Ticket;
      if (ticket.tags.includes(tag)) return false;
      const c = this.clients;
      await c.call(tenantId, c.tickets.updateTicket.bind(c.tickets), {
        id,
        expectedVersion: ticket.version,
        ticket: TicketInput.fromPartial({ tags: [...ticket.tags, tag] }),
        updateMask: ['tags'],
      });
      return true;
    });
  }

  async transfer(tenantId: string, entity: RecordEntity, id: string, ownerId: string, teamId: string): Promise<void> {
    await this.withRetry(async () => {
      const current = await this.current(tenantId, entity, id);
      // A ticket's owner is its assignee and its team its support group.
      const [owner, team] =
        entity === 'ticket' ? [current.assigneeId, current.groupId] : [current.ownerId, current.teamId];
      if (owner === ownerId && team === teamId) return false;
      const c = this.clients;
      const version = current.version as number;
      if (entity === 'contact')
        await c.call(tenantId, c.contacts.transferContact.bind(c.contacts), {
          id,
          expectedVersion: version,
          newOwnerId: ownerId,
          newTeamId: teamId,
        });
      else if (entity === 'company')
        await c.call(tenantId, c.companies.updateCompany.bind(c.companies), {
          id,
          expectedVersion: version,
          company: CompanyInput.fromPartial({ ownerId, teamId }),
          updateMask: ['owner_id', 'team_id'],
        });
      else if (entity === 'deal')
        await c.call(tenantId, c.deals.updateDeal.bind(c.deals), {
          id,
          expectedVersion: version,
          deal: DealInput.fromPartial({ ownerId, teamId }),
          updateMask: ['owner_id', 'team_id'],
        });
      else
        await c.call(tenantId, c.tickets.updateTicket.bind(c.tickets), {
          id,
          expectedVersion: version,
          ticket: TicketInput.fromPartial({ assigneeId: ownerId, groupId: teamId }),
          updateMask: ['assignee_id', 'group_id'],
        });
      return true;
    });
  }

  /** Ids of every contact of a company (all pages). */
  async contactsOfCompany(tenantId: string, companyId: string): Promise<string[]> {
    const ids: string[] = [];
    let cursor = '';
    const c = this.clients;
    do {
      const page = await c.call(tenantId, c.companies.listCompanyContacts.bind(c.companies), {
        companyId,
        page: { limit: 200, cursor },
      });
      ids.push(...page.contacts.map((contact) => contact.id));
      cursor = page.page?.nextCursor ?? '';
    } while (cursor);
    return ids;
  }

  async current(tenantId: string, entity: RecordEntity, id: string): Promise<Record<string, unknown>> {
    const c = this.clients;
    if (entity === 'contact')
      return (await c.call(tenantId, c.contacts.getContact.bind(c.contacts), { id, includeDeleted: false }))
        .contact as unknown as Record<string, unknown>;
    if (entity === 'company')
      return (await c.call(tenantId, c.companies.getCompany.bind(c.companies), { id, includeDeleted: false }))
        .company as unknown as Record<string, unknown>;
    if (entity === 'deal')
      return (await c.call(tenantId, c.deals.getDeal.bind(c.deals), { id, includeDeleted: false }))
        .deal as unknown as Record<string, unknown>;
    return (await c.call(tenantId, c.tickets.getTicket.bind(c.tickets), { id, includeDeleted: false }))
      .ticket as unknown as Record<string, unknown>;
  }

  private async withRetry(work: () => Promise<boolean>): Promise<boolean> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await work();
      } catch (error) {
        const lostRace = error instanceof ServiceError && error.reason === 'VERSION_MISMATCH';
        if (!lostRace || attempt >= ATTEMPTS) throw error;
      }
    }
  }
}

function unchanged(current: Record<string, unknown>, input: Record<string, unknown>): boolean {
  return Object.entries(input).every(([key, value]) => {
    if (key === 'customFields') {
      const currentCustom = (current.customFields ?? {}) as Record<string, unknown>;
      return Object.entries(value as Record<string, unknown>).every(([k, v]) =>
        isDeepStrictEqual(currentCustom[k] ?? null, v ?? null),
      );
    }
    return isDeepStrictEqual(current[key], value);
  });
}
