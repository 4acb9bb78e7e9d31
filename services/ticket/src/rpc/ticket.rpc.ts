// gRPC handlers of TicketService: map proto <-> domain, nothing else.
import type { TicketServiceService } from '@crm/proto/crm/ticket/v1/ticket';
import type { TicketFilter, TicketInput } from '@crm/proto/crm/ticket/v1/ticket';
import { toProtoHistory, type CallContext, type ServiceHandlers } from '@crm/service-kit';
import type { CsatService } from '../app/csat.service';
import type { SupportService } from '../app/support.service';
import type { TicketService } from '../app/ticket.service';
import type { TicketFields } from '../domain/ticket';
import type { TicketQuery } from '../store/ticket-queries';
import { toCommentProto, toTicketProto } from './mappers';

export function fieldsOf(input: TicketInput | undefined): Partial<TicketFields> {
  if (!input) return {};
  return {
    subject: input.subject,
    description: input.description,
    requesterContactId: input.requesterContactId,
    requesterEmail: input.requesterEmail,
    requesterName: input.requesterName,
    companyId: input.companyId,
    priority: input.priority,
    status: input.status,
    type: input.type,
    tags: input.tags,
    customFields: (input.customFields ?? {}) as Record<string, unknown>,
    assigneeId: input.assigneeId,
    groupId: input.groupId,
    channel: input.channel,
    dealIds: input.dealIds,
  };
}

export function queryOf(filter: TicketFilter | undefined): TicketQuery {
  return {
    statuses: filter?.statuses ?? [],
    priorities: filter?.priorities ?? [],
    groupId: filter?.groupId ?? '',
    assigneeId: filter?.assigneeId ?? '',
    tags: (filter?.tags ?? []).map((t) => t.toLowerCase()),
    requesterContactId: filter?.requesterContactId ?? '',
    companyId: filter?.companyId ?? '',
    slaBreachedOnly: filter?.slaBreachedOnly ?? false,
    openOnly: false,
  };
}

const caller = (ctx: CallContext) => ({ principal: ctx.principal, deadline: ctx.deadline });
const version = (v: number) => (v > 0 ? v : undefined);

export function ticketHandlers(
  tickets: TicketService,
  support: SupportService,
  csat: CsatService,
): ServiceHandlers<typeof TicketServiceService> {
  return {
    createTicket: async (req, ctx) => ({
      ticket: toTicketProto(await tickets.create(caller(ctx), fieldsOf(req.ticket))),
    }),
    getTicket: async (req, ctx) => ({
      ticket: toTicketProto(await tickets.get(ctx.principal, req.id, req.includeDeleted)),
    }),
    updateTicket: async (req, ctx) => ({
      ticket: toTicketProto(
        await tickets.update(
          caller(ctx),
          req.id,
          version(req.expectedVersion),
          fieldsOf(req.ticket),
          req.updateMask ?? [],
        ),
      ),
    }),
    deleteTicket: async (req, ctx) => ({
      ticket: toTicketProto(await tickets.delete(ctx.principal, req.id, version(req.expectedVersion))),
    }),
    listTickets: async (req, ctx) => {
      const page = await tickets.list(ctx.principal, {
        filter: queryOf(req.filter),
        orderBy: req.orderBy,
        view: req.view,
        limit: req.page?.limit ?? 0,
        cursor: req.page?.cursor ?? '',
      });
      return { tickets: page.tickets.map(toTicketProto), page: { nextCursor: page.nextCursor } };
    },
    searchTickets: async (req, ctx) => {
      const page = await tickets.search(ctx.principal, {
        query: req.query,
        filter: queryOf(req.filter),
        limit: req.page?.limit ?? 0,
        cursor: req.page?.cursor ?? '',
      });
      return { tickets: page.tickets.map(toTicketProto), page: { nextCursor: page.nextCursor } };
    },
    addComment: async (req, ctx) => {
      const { comment, ticket } = await tickets.addComment(caller(ctx), req.ticketId, {
        public: req.public,
        body: req.body,
        attachments: req.attachments,
        authorKind: req.authorKind,
        status: req.status,
        expectedVersion: req.expectedVersion,
      });
      return { comment: toCommentProto(comment), ticket: toTicketProto(ticket) };
    },
    listComments: async (req, ctx) => {
      const page = await tickets.listComments(
        ctx.principal,
        req.ticketId,
        req.page?.limit ?? 0,
        req.page?.cursor ?? '',
      );
      return { comments: page.comments.map(toCommentProto), page: { nextCursor: page.nextCursor } };
    },
    mergeTickets: async (req, ctx) => {
      const { ticket, merged } = await tickets.merge(
        caller(ctx),
        req.targetId,
        req.sourceIds,
        version(req.expectedTargetVersion),
      );
      return { ticket: toTicketProto(ticket), mergedIds: merged };
    },
    getTicketHistory: async (req, ctx) => ({ entries: toProtoHistory(await tickets.history(ctx.principal, req.id)) }),
    applyMacro: async (req, ctx) => {
      const macro = await support.getMacro(ctx.principal, req.macroId);
      const results = [];
      for (const ticketId of [...new Set(req.ticketIds)]) {
        try {
          const ticket = await tickets.applyActions(caller(ctx), ticketId, macro.actions);
          results.push({ ticketId, outcome: 'ok', message: '', ticket: toTicketProto(ticket) });
        } catch (error) {
          const code = (error as { code?: string }).code;
          const outcome =
            code === 'NOT_FOUND'
              ? 'not_found'
              : code === 'FAILED_PRECONDITION'
                ? 'conflict'
                : code === 'INVALID_ARGUMENT'
                  ? 'invalid'
                  : undefined;
          if (!outcome) throw error;
          results.push({ ticketId, outcome, message: (error as Error).message, ticket: undefined });
        }
      }
      return { results };
    },
    getCsatSurvey: async (req) => {
      const survey = await csat.survey(req.token);
      return { ticketSubject: survey.subject, answered: survey.answered, expiresAt: survey.expiresAt };
    },
    submitCsat: async (req) => {
      const ticket = await csat.submit(req.token, req.rating, req.comment);
      return {
        csat: ticket.csat
          ? { rating: ticket.csat.rating, comment: ticket.csat.comment, answeredAt: ticket.csat.answeredAt }
          : undefined,
      };
    },
  };
}
