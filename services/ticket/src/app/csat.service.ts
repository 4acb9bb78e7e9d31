// The CSAT survey behind a signed one-time link: shown and answered without a login, once per token. A forged
// token is NOT_FOUND; an expired, spent or superseded one FAILED_PRECONDITION with a reason (410 at REST).
import { notFound, ServiceError, systemPrincipal, invalidArgument } from '@crm/service-kit';
import { signCsatToken, verifyCsatToken, type CsatClaims } from '../domain/csat-token';
import type { TicketRecord } from '../domain/ticket';
import { CSAT_RATINGS, isOneOf } from '../domain/ticket-values';
import { ticketMessages } from '../events/ticket-events';
import type { TicketStores } from '../store/ticket-store';

export interface CsatOptions {
  secret: string;
  ttlMs: number;
  clock: () => Date;
  namespace: string;
}

function gone(reason: 'CSAT_EXPIRED' | 'CSAT_ANSWERED' | 'CSAT_SUPERSEDED', message: string): ServiceError {
  return new ServiceError('FAILED_PRECONDITION', message, { reason });
}

export class CsatService {
  constructor(
    private readonly stores: Pick<TicketStores, 'tickets'>,
    private readonly options: CsatOptions,
  ) {}

  surveyOf(ticket: TicketRecord, now: Date): { surveyPath: string; expiresAt: Date } {
    const expiresAt = new Date(now.getTime() + this.options.ttlMs);
    const token = signCsatToken(
      {
        tenantId: ticket.tenantId,
        ticketId: ticket._id,
        tokenId: ticket.csatTokenId,
        exp: Math.floor(expiresAt.getTime() / 1000),
      },
      this.options.secret,
    );
    return { surveyPath: `/api/v1/public/csat/${token}`, expiresAt };
  }

  private async open(token: string): Promise<{ claims: CsatClaims; ticket: TicketRecord }> {
    const verdict = verifyCsatToken(token, this.options.secret, this.options.clock());
    if (!verdict.ok && verdict.reason === 'forged') throw notFound('survey');
    if (!verdict.ok) throw gone('CSAT_EXPIRED', 'the survey link has expired');
    const ticket = await this.stores.tickets.load(verdict.claims.ticketId);
    if (!ticket || ticket.tenantId !== verdict.claims.tenantId || ticket.deletedAt) throw notFound('survey');
    return { claims: verdict.claims, ticket };
  }

  async survey(token: string): Promise<{ subject: string; answered: boolean; expiresAt: Date }> {
    const { claims, ticket } = await this.open(token);
    const answered = ticket.csat?.tokenId === claims.tokenId;
    if (!answered && ticket.csatTokenId !== claims.tokenId)
      throw gone('CSAT_SUPERSEDED', 'the survey link was replaced');
    return { subject: ticket.subject, answered, expiresAt: new Date(claims.exp * 1000) };
  }

  async submit(token: string, rating: string, comment: string): Promise<TicketRecord> {
    const violations = [];
    if (!isOneOf(CSAT_RATINGS, rating)) violations.push({ field: 'rating', description: 'must be good or bad' });
    if (comment.length > 2000) violations.push({ field: 'comment', description: 'must be at most 2000 characters' });
    if (violations.length > 0) throw invalidArgument(violations);
    const { claims, ticket } = await this.open(token);
    const principal = systemPrincipal(ticket.tenantId, 'ticket');
    // Concurrent answers race on the event log: one appends, the others re-decide on its result and are refused.
    return this.stores.tickets.update(principal, ticket._id, undefined, (t) => {
      if (t.csat?.tokenId === claims.tokenId) throw gone('CSAT_ANSWERED', 'the survey was answered already');
      if (t.csatTokenId !== claims.tokenId) throw gone('CSAT_SUPERSEDED', 'the survey link was replaced');
      const now = this.options.clock();
      const csat = {
        rating: rating as 'good' | 'bad',
        comment: comment.trim(),
        answeredAt: now,
        tokenId: claims.tokenId,
      };
      return {
        set: { csat },
        messages: ticketMessages(
          { actor: { userId: 'requester', clientId: 'csat-survey' }, namespace: this.options.namespace, at: now },
          { kind: 'updated', before: t, changedFields: ['csat'], csatAnswered: csat },
        ),
      };
    });
  }
}
