// Tickets on the real servers with real tokens: the visibility matrix (agent, support manager, the sales rep who
// owns the requester's contact, admin, another tenant), contact-owner sync from CONTACT events, automatic
// round-robin and least-open assignment (capacity, away), requester emails matched to contacts or creating one,
// the one-time CSAT survey, and bad input naming the field.
import { credentials, type ServiceError as GrpcError } from '@grpc/grpc-js';
import { ContactInput } from '@crm/proto/crm/contact/v1/contact';
import { TicketCsatRequested } from '@crm/proto/crm/ticket/v1/events';
import { TicketServiceClient, type Ticket } from '@crm/proto/crm/ticket/v1/ticket';
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

describe('tickets on the real servers', () => {
  const h = new TicketHarness();
  let admin: Api;
  let agent: Api;
  let lead: Api;
  let rep1: Api;
  let rep2: Api;
  let rep3: Api;
  let manager: Api;
  let globex: Api;

  beforeAll(async () => {
    await h.start();
    [admin, agent, lead, rep1, rep2, rep3, manager, globex] = await Promise.all([
      h.as('acme-admin'),
      h.as('acme-agent1'),
      h.as('acme-support-lead'),
      h.as('acme-rep1'),
      h.as('acme-rep2'),
      h.as('acme-rep3'),
      h.as('acme-manager'),
      h.as('globex-admin'),
    ]);
  }, 120_000);
  afterAll(() => h.stop(), 60_000);

  it('applies the visibility matrix by id and in lists, and follows the contact owner', async () => {
    const { contact } = await rep1.contacts.createContact({
      contact: ContactInput.fromPartial({
        firstName: 'Vera',
        lastName: 'Visible',
        emails: [{ address: 'vera@example.test', primary: true, label: '' }],
      }),
      allowDuplicates: false,
    });
    const { ticket: supportTicket } = await agent.tickets.createTicket({
      ticket: ticketInput({ subject: 'Matrix: support group', requesterContactId: contact?.id ?? '' }),
    });
    const { ticket: otherGroup } = await admin.tickets.createTicket({
      ticket: ticketInput({
        subject: 'Matrix: another group',
        requesterEmail: 'other@example.test',
        groupId: 'acme-escalations',
      }),
    });
    expect(supportTicket?.contactOwnerId).toBe(rep1.userId);
    expect(supportTicket?.groupId).toBe('acme-support');
    const a = supportTicket?.id ?? '';
    const b = otherGroup?.id ?? '';
    const sees = async (api: Api, id: string) =>
      api.tickets.getTicket({ id, includeDeleted: false }).then(
        () => true,
        (error: GrpcError) => {
          expect(fromGrpcError(error).code).toBe('NOT_FOUND');
          return false;
        },
      );
    const matrix = async () => ({
      agent: [await sees(agent, a), await sees(agent, b)],
      lead: [await sees(lead, a), await sees(lead, b)],
      rep1: [await sees(rep1, a), await sees(rep1, b)],
      rep2: [await sees(rep2, a), await sees(rep2, b)],
      admin: [await sees(admin, a), await sees(admin, b)],
      globex: [await sees(globex, a), await sees(globex, b)],
    });
    expect(await matrix()).toEqual({
      agent: [true, false],
      lead: [true, false],
      rep1: [true, false],
      rep2: [false, false],
      admin: [true, true],
      globex: [false, false],
    });
    const listed = async (api: Api) =>
      (
        await api.tickets.listTickets({ filter: undefined, orderBy: '', view: '', page: { limit: 200, cursor: '' } })
      ).tickets
        .map((t: Ticket) => t.id)
        .filter((id: string) => id === a || id === b)
        .sort();
    expect(await listed(agent)).toEqual([a]);
    expect(await listed(rep1)).toEqual([a]);
    expect(await listed(rep2)).toEqual([]);
    expect(await listed(admin)).toEqual([a, b].sort());
    expect(await listed(globex)).toEqual([]);
    // A sales rep reads, but does not work, their contact's tickets.
    expect(
      (
        await refusal(
          rep1.tickets.updateTicket({
            id: a,
            expectedVersion: 0,
            ticket: ticketInput({ priority: 'high' }),
            updateMask: ['priority'],
          }),
        )
      ).code,
    ).toBe('NOT_FOUND');

    // The contact moves to rep2: so does the right to read its tickets.
    await manager.contacts.transferContact({
      id: contact?.id ?? '',
      expectedVersion: contact?.version ?? 0,
      newOwnerId: rep2.userId,
      newTeamId: '',
    });
    await eventually(async () => {
      expect(await sees(rep2, a)).toBe(true);
      return true;
    }, 20_000);
    expect(await sees(rep1, a)).toBe(false);
  });

  it('round-robin spreads 30 tickets 10/10/10 over the available agents; one outside working hours gets none', async () => {
    h.clock.pin('2027-01-06T10:00:00Z'); // Wednesday
    const { calendar: nights } = await admin.sla.createBusinessCalendar({
      calendar: {
        name: 'Night shift',
        timeZone: 'UTC',
        hours: [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, start: '00:00', end: '06:00' })),
        holidays: [],
      },
    });
    // Agents are users of the tenant (Keycloak): three available, one on nights, one away.
    const { userId: ann } = rep1;
    const { userId: bob } = rep2;
    const { userId: cid } = rep3;
    const { userId: night } = manager;
    const { userId: away } = lead;
    for (const userId of [ann, bob, cid]) await admin.support.putAgent({ agent: agentOf(userId, '') });
    await admin.support.putAgent({ agent: agentOf(night, nights?.id ?? '') });
    await admin.support.putAgent({ agent: { ...agentOf(away, ''), away: true } });
    await admin.support.putGroup({
      group: { groupId: 'acme-rr', tenantId: '', assignment: 'round_robin', version: 0, updatedAt: undefined },
    });
    const created: Ticket[] = [];
    for (let batch = 0; batch < 6; batch++) {
      const tickets = await Promise.all(
        Array.from({ length: 5 }, (_, i) =>
          admin.tickets.createTicket({
            ticket: ticketInput({
              subject: `RR ${batch * 5 + i}`,
              requesterEmail: 'rr@example.test',
              groupId: 'acme-rr',
            }),
          }),
        ),
      );
      created.push(...tickets.map((t) => t.ticket as Ticket));
    }
    const counts: Record<string, number> = {};
    for (const t of created) counts[t.assigneeId] = (counts[t.assigneeId] ?? 0) + 1;
    expect(counts).toEqual({ [ann]: 10, [bob]: 10, [cid]: 10 });
    h.clock.real();
  });

  it('takes one CSAT answer per token: the second is refused, a forged token is not found', async () => {
    const { ticket } = await agent.tickets.createTicket({
      ticket: ticketInput({ subject: 'CSAT me', requesterEmail: 'csat@example.test' }),
    });
    const id = ticket?.id ?? '';
    await agent.tickets.updateTicket({
      id,
      expectedVersion: 0,
      ticket: ticketInput({ status: 'solved' }),
      updateMask: ['status'],
    });
    const requested = await eventually(async () => {
      const events = (await h.events('ticket.csat_requested')).filter((e) => e.aggregateId === id);
      expect(events).toHaveLength(1);
      return events[0];
    });
    const { surveyPath } = TicketCsatRequested.decode(requested?.payload?.value ?? new Uint8Array());
    const token = surveyPath.split('/').pop() ?? '';
    // The gateway calls these with its own service token for the anonymous requester.
    const client = new TicketServiceClient(`127.0.0.1:${h.ticket.grpcPort}`, credentials.createInsecure());
    const gateway = bindClient(client, await clientToken('crm-gateway'));
    try {
      expect((await gateway.getCsatSurvey({ token })).answered).toBe(false);
      const answers = await Promise.allSettled([
        gateway.submitCsat({ token, rating: 'good', comment: 'Quick and kind' }),
        gateway.submitCsat({ token, rating: 'bad', comment: 'second try' }),
      ]);
      expect(answers.filter((a) => a.status === 'fulfilled')).toHaveLength(1);
      const refused = answers.find((a) => a.status === 'rejected') as PromiseRejectedResult;
      expect(fromGrpcError(refused.reason as GrpcError).reason).toBe('CSAT_ANSWERED');
      const again = await refusal(gateway.submitCsat({ token, rating: 'good', comment: '' }));
      expect(again.code).toBe('FAILED_PRECONDITION');
      expect((await gateway.getCsatSurvey({ token })).answered).toBe(true);
      const forged = `${token.slice(0, -4)}AAAA`;
      expect((await refusal(gateway.submitCsat({ token: forged, rating: 'good', comment: '' }))).code).toBe(
        'NOT_FOUND',
      );
      const bad = await refusal(gateway.submitCsat({ token, rating: 'meh', comment: '' }));
      expect(bad.violations.map((v) => v.field)).toEqual(['rating']);
      const { ticket: answered } = await agent.tickets.getTicket({ id, includeDeleted: false });
      expect(answered?.csat?.rating).toMatch(/^(good|bad)$/);
      await eventually(async () => {
        expect((await h.events('ticket.csat_answered')).filter((e) => e.aggregateId === id)).toHaveLength(1);
        return true;
      });
    } finally {
      client.close();
    }
  });

  it('least-open gives the agent with the fewest open tickets, up to their capacity; away agents get none', async () => {
    const member = (userId: string, capacity: number, away = false) => ({
      ...agentOf(userId, ''),
      groupIds: ['acme-lo'],
      capacity,
      away,
    });
    // Users with no open tickets yet (the round-robin test left its night and away agents without any).
    const { userId: ann } = manager;
    const { userId: bob } = lead;
    const { userId: cid } = agent;
    await admin.support.putAgent({ agent: member(ann, 2) });
    await admin.support.putAgent({ agent: member(bob, 0) });
    await admin.support.putAgent({ agent: member(cid, 0, true) });
    // Bob already works two tickets of another group; open tickets count wherever they are.
    for (const subject of ['Bob 1', 'Bob 2'])
      await admin.tickets.createTicket({
        ticket: ticketInput({ subject, requesterEmail: 'lo@example.test', assigneeId: bob }),
      });
    await admin.support.putGroup({
      group: { groupId: 'acme-lo', tenantId: '', assignment: 'least_open', version: 0, updatedAt: undefined },
    });
    const next = async (subject: string) =>
      (
        await admin.tickets.createTicket({
          ticket: ticketInput({ subject, requesterEmail: 'lo@example.test', groupId: 'acme-lo' }),
        })
      ).ticket as Ticket;
    const first = await next('LO 1');
    const second = await next('LO 2');
    const third = await next('LO 3'); // Ann is at her capacity of 2
    const fourth = await next('LO 4');
    expect([first, second, third, fourth].map((t) => t.assigneeId)).toEqual([ann, ann, bob, bob]);
    // Solving one of Ann's tickets frees a place: she is again the least busy.
    await admin.tickets.updateTicket({
      id: first.id,
      expectedVersion: 0,
      ticket: ticketInput({ status: 'solved' }),
      updateMask: ['status'],
    });
    expect((await next('LO 5')).assigneeId).toBe(ann);
  });

  it('matches a requester email to the contact with that email, or creates the contact once', async () => {
    const { contact } = await rep1.contacts.createContact({
      contact: ContactInput.fromPartial({
        firstName: 'Mia',
        lastName: 'Matched',
        emails: [{ address: 'mia.matched@example.test', primary: true, label: '' }],
      }),
      allowDuplicates: false,
    });
    const { ticket: matched } = await agent.tickets.createTicket({
      ticket: ticketInput({ subject: 'Known requester', requesterEmail: 'mia.matched@example.test' }),
    });
    expect(matched?.requesterContactId).toBe(contact?.id);
    // The contact's owner comes along: the sales rep may read their contact's ticket.
    expect(matched?.contactOwnerId).toBe(rep1.userId);
    expect((await rep1.tickets.getTicket({ id: matched?.id ?? '', includeDeleted: false })).ticket?.id).toBe(
      matched?.id,
    );

    const newcomer = 'nora.newcomer@example.test';
    const { ticket: first } = await agent.tickets.createTicket({
      ticket: ticketInput({ subject: 'New requester', requesterEmail: newcomer, requesterName: 'Nora Newcomer' }),
    });
    const createdId = first?.requesterContactId ?? '';
    expect(createdId).not.toBe('');
    expect(createdId).not.toBe(contact?.id);
    const { contact: created } = await admin.contacts.getContact({ id: createdId, includeDeleted: false });
    expect(created?.emails.map((e) => e.address)).toEqual([newcomer]);
    expect([created?.firstName, created?.lastName]).toEqual(['Nora', 'Newcomer']);
    const { ticket: again } = await agent.tickets.createTicket({
      ticket: ticketInput({ subject: 'New requester again', requesterEmail: newcomer }),
    });
    expect(again?.requesterContactId).toBe(createdId);
  });

  it('applies changed ticket fields and group assignment to the next ticket at once; a refused ticket makes no contact', async () => {
    const field = (key: string, archived: boolean) => ({
      key,
      label: key,
      type: 'text',
      required: false,
      archived,
      description: '',
      options: [],
      integer: false,
    });
    const withPlan = (subject: string, requesterEmail: string) =>
      agent.tickets.createTicket({ ticket: ticketInput({ subject, requesterEmail, customFields: { plan: 'gold' } }) });
    const before = await admin.support.getTicketFieldDefinitions({});
    // Unknown field: refused before the contact service is asked, so no contact is made for the email.
    const refusedEmail = 'refused.requester@example.test';
    const unknown = await refusal(withPlan('Plan unknown', refusedEmail));
    expect(unknown.violations.map((v) => v.field)).toEqual(['customFields.plan']);
    expect((await admin.contacts.searchContacts({ query: refusedEmail, limit: 10 })).hits).toEqual([]);
    // The definitions just read are kept for a moment, yet a change on this service applies to the next ticket.
    const saved = await admin.support.setTicketFieldDefinitions({
      definitions: [...before.definitions, field('plan', false)],
      expectedVersion: before.version,
    });
    const { ticket: planned } = await withPlan('Plan known', 'plan.requester@example.test');
    expect(planned?.customFields).toEqual({ plan: 'gold' });
    await admin.support.setTicketFieldDefinitions({
      definitions: [...before.definitions, field('plan', true)],
      expectedVersion: saved.version,
    });
    const archived = await refusal(withPlan('Plan archived', 'plan.requester@example.test'));
    expect(archived.violations.map((v) => v.field)).toEqual(['customFields.plan']);

    // A group's assignment mode, read (and kept) by a creation, changed: the next ticket follows the new mode.
    await admin.support.putAgent({ agent: { ...agentOf(agent.userId, ''), groupIds: ['acme-switch'] } });
    const inGroup = async (subject: string) =>
      (
        await admin.tickets.createTicket({
          ticket: ticketInput({ subject, requesterEmail: 'switch@example.test', groupId: 'acme-switch' }),
        })
      ).ticket as Ticket;
    expect((await inGroup('Switch 1')).assigneeId).toBe('');
    await admin.support.putGroup({
      group: { groupId: 'acme-switch', tenantId: '', assignment: 'round_robin', version: 0, updatedAt: undefined },
    });
    expect((await inGroup('Switch 2')).assigneeId).toBe(agent.userId);
    await admin.support.putGroup({
      group: { groupId: 'acme-switch', tenantId: '', assignment: 'manual', version: 0, updatedAt: undefined },
    });
    expect((await inGroup('Switch 3')).assigneeId).toBe('');
  });

  it('takes only users of the tenant, as Keycloak knows them, as support agents', async () => {
    const unknown = await refusal(admin.support.putAgent({ agent: agentOf('no-such-user', '') }));
    expect(unknown.code).toBe('INVALID_ARGUMENT');
    expect(unknown.reason).toBe('UNKNOWN_USER');
    expect(unknown.violations.map((v) => v.field)).toEqual(['userId']);
    // A real user of another tenant is no user of this one, either way round.
    const foreign = await refusal(admin.support.putAgent({ agent: agentOf(globex.userId, '') }));
    expect(foreign.violations.map((v) => v.field)).toEqual(['userId']);
    const across = await refusal(globex.support.putAgent({ agent: agentOf(rep1.userId, '') }));
    expect(across.violations.map((v) => v.field)).toEqual(['userId']);
    const { agents } = await admin.support.listAgents({ groupId: '' });
    expect(agents.map((a) => a.userId)).not.toContain('no-such-user');
    expect(agents.map((a) => a.userId)).not.toContain(globex.userId);
    // The same user again is answered from the cache, and a real one of the tenant is taken.
    expect((await refusal(admin.support.putAgent({ agent: agentOf('no-such-user', '') }))).reason).toBe('UNKNOWN_USER');
    const taken = await admin.support.putAgent({ agent: { ...agentOf(rep2.userId, ''), groupIds: ['acme-known'] } });
    expect(taken.agent?.userId).toBe(rep2.userId);
  });

  it('answers bad input with INVALID_ARGUMENT naming the field', async () => {
    const badPriority = await refusal(
      agent.tickets.createTicket({
        ticket: ticketInput({ subject: 'x', requesterEmail: 'x@example.test', priority: 'asap' }),
      }),
    );
    expect(badPriority.code).toBe('INVALID_ARGUMENT');
    expect(badPriority.violations.map((v) => v.field)).toEqual(['priority']);
    const overlapping = await refusal(
      admin.sla.createBusinessCalendar({
        calendar: {
          name: 'Overlap',
          timeZone: 'Europe/Berlin',
          hours: [
            { weekday: 1, start: '09:00', end: '13:00' },
            { weekday: 1, start: '12:00', end: '17:00' },
          ],
          holidays: [],
        },
      }),
    );
    expect(overlapping.violations.map((v) => v.field)).toEqual(['hours[1]']);
    const zone = await refusal(
      admin.sla.createBusinessCalendar({
        calendar: {
          name: 'Mars',
          timeZone: 'Mars/Olympus_Mons',
          hours: [{ weekday: 1, start: '09:00', end: '17:00' }],
          holidays: [],
        },
      }),
    );
    expect(zone.violations.map((v) => v.field)).toEqual(['timeZone']);
    const noTargets = await refusal(
      admin.sla.createSlaPolicy({
        policy: {
          name: 'Empty',
          position: 1,
          conditions: undefined,
          calendarId: '',
          targets: [],
          pauseStatuses: [],
          fulfilStatuses: [],
          warningPercent: 75,
          enabled: true,
        },
      }),
    );
    expect(noTargets.violations.map((v) => v.field)).toEqual(['targets']);
    // Only admins define calendars.
    expect(
      (
        await refusal(
          agent.sla.createBusinessCalendar({ calendar: { name: 'n', timeZone: 'UTC', hours: [], holidays: [] } }),
        )
      ).code,
    ).toBe('PERMISSION_DENIED');
  });
});

function agentOf(userId: string, calendarId: string) {
  return {
    userId,
    tenantId: '',
    name: userId,
    groupIds: ['acme-rr'],
    calendarId,
    away: false,
    capacity: 0,
    version: 0,
    updatedAt: undefined,
  };
}
