// A ticket's life after it is solved, on the real servers with real tokens: the CSAT link of an earlier solve is
// superseded by the next one, a link expires (pinned clock), neither records anything; and the sweeper closes a
// solved ticket after the configured time (durable timer, real clock), publishing ticket.closed once.
import { credentials, type ServiceError as GrpcError } from '@grpc/grpc-js';
import { TicketCsatRequested } from '@crm/proto/crm/ticket/v1/events';
import { TicketServiceClient } from '@crm/proto/crm/ticket/v1/ticket';
import { fromGrpcError } from '@crm/service-kit';
import { bindClient, clientToken, eventually } from '@crm/testkit';
import { ticketInput, TicketHarness, type Api } from './support/ticket-harness';

async function refusal(promise: Promise<unknown>) {
  try {
    await promise;
  } catch (error) {
    return fromGrpcError(error as GrpcError);
  }
  throw new Error('expected the call to be refused');
}

async function setStatus(agent: Api, id: string, status: string) {
  const { ticket } = await agent.tickets.updateTicket({
    id,
    expectedVersion: 0,
    ticket: ticketInput({ status }),
    updateMask: ['status'],
  });
  return ticket;
}

describe('CSAT links that can no longer be used', () => {
  const h = new TicketHarness();
  let agent: Api;

  beforeAll(async () => {
    await h.start({ TICKET_CSAT_TTL_SECONDS: String(7 * 86_400) });
    agent = await h.as('acme-agent1');
  }, 120_000);
  afterAll(() => h.stop(), 60_000);

  it('refuses a superseded and an expired link (410 at REST) without recording, and takes the live link once', async () => {
    h.clock.pin('2027-05-03T08:00:00Z');
    const { ticket } = await agent.tickets.createTicket({
      ticket: ticketInput({ subject: 'Solved twice', requesterEmail: 'twice@example.test' }),
    });
    const id = ticket?.id ?? '';
    await setStatus(agent, id, 'solved');
    await setStatus(agent, id, 'open');
    await setStatus(agent, id, 'solved');
    const requested = await eventually(async () => {
      const events = (await h.events('ticket.csat_requested')).filter((e) => e.aggregateId === id);
      expect(events).toHaveLength(2);
      return events;
    });
    const [first, second] = (requested ?? []).map((e) =>
      TicketCsatRequested.decode(e.payload?.value ?? new Uint8Array()),
    );
    const tokenOf = (path: string | undefined) => path?.split('/').pop() ?? '';
    const client = new TicketServiceClient(`127.0.0.1:${h.ticket.grpcPort}`, credentials.createInsecure());
    const gateway = bindClient(client, await clientToken('crm-gateway'));
    try {
      const superseded = await refusal(
        gateway.submitCsat({ token: tokenOf(first?.surveyPath), rating: 'good', comment: '' }),
      );
      expect(superseded.code).toBe('FAILED_PRECONDITION');
      expect(superseded.reason).toBe('CSAT_SUPERSEDED');
      expect(second?.expiresAt?.toISOString()).toBe('2027-05-10T08:00:00.000Z');

      h.clock.pin(new Date(Date.parse('2027-05-10T08:00:00Z') + 1000).toISOString());
      const expired = await refusal(
        gateway.submitCsat({ token: tokenOf(second?.surveyPath), rating: 'bad', comment: 'too late' }),
      );
      expect(expired.code).toBe('FAILED_PRECONDITION');
      expect(expired.reason).toBe('CSAT_EXPIRED');
      expect((await refusal(gateway.getCsatSurvey({ token: tokenOf(second?.surveyPath) }))).reason).toBe(
        'CSAT_EXPIRED',
      );

      // One second earlier the same link still works, once.
      h.clock.pin(new Date(Date.parse('2027-05-10T08:00:00Z') - 1000).toISOString());
      await gateway.submitCsat({ token: tokenOf(second?.surveyPath), rating: 'good', comment: 'in time' });
      const { ticket: answered } = await agent.tickets.getTicket({ id, includeDeleted: false });
      expect(answered?.csat?.rating).toBe('good');
      expect(answered?.csat?.comment).toBe('in time');
      await eventually(async () => {
        expect((await h.events('ticket.csat_answered')).filter((e) => e.aggregateId === id)).toHaveLength(1);
        return true;
      });
    } finally {
      client.close();
      h.clock.real();
    }
  });
});

describe('closing solved tickets by themselves', () => {
  const h = new TicketHarness();
  let agent: Api;

  beforeAll(async () => {
    await h.start({ TICKET_AUTO_CLOSE_SECONDS: '2' });
    agent = await h.as('acme-agent1');
  }, 120_000);
  afterAll(() => h.stop(), 60_000);

  it('closes a solved ticket after the configured time once, and leaves a reopened one open', async () => {
    const create = async (subject: string) =>
      (
        await agent.tickets.createTicket({
          ticket: ticketInput({ subject, requesterEmail: 'closer@example.test' }),
        })
      ).ticket?.id ?? '';
    const solvedId = await create('Solve and forget');
    const reopenedId = await create('Solve and come back');
    const solved = await setStatus(agent, solvedId, 'solved');
    expect(solved?.closedAt).toBeUndefined();
    await setStatus(agent, reopenedId, 'solved');
    await setStatus(agent, reopenedId, 'open');

    const closed = await eventually(async () => {
      const { ticket } = await agent.tickets.getTicket({ id: solvedId, includeDeleted: false });
      expect(ticket?.status).toBe('closed');
      return ticket;
    }, 20_000);
    expect((closed?.closedAt?.getTime() ?? 0) - (closed?.solvedAt?.getTime() ?? 0)).toBeGreaterThanOrEqual(2000);
    await h.ticket.settleTimers();
    expect(await h.ticket.timers.pending({ idPrefix: `close:${reopenedId}` })).toEqual([]);
    const { ticket: reopened } = await agent.tickets.getTicket({ id: reopenedId, includeDeleted: false });
    expect(reopened?.status).toBe('open');
    await eventually(async () => {
      expect((await h.events('ticket.closed')).filter((e) => e.aggregateId === solvedId)).toHaveLength(1);
      return true;
    });
    expect((await h.events('ticket.closed')).filter((e) => e.aggregateId === reopenedId)).toHaveLength(0);
    // A closed ticket is final.
    const reopen = await refusal(setStatus(agent, solvedId, 'open'));
    expect(reopen.violations.map((v) => v.field)).toEqual(['status']);
  }, 60_000);
});
