// The acceptance cases for the SLA engine, on the real servers with real tokens: the Europe/Berlin case
// on a pinned clock, recomputation from the history when the group selects another policy and when that policy
// changes, a breach published on time exactly once across a restart of the service, and timers that a write
// failed to store stored again.
import { TicketSlaEvent } from '@crm/proto/crm/ticket/v1/events';
import { TicketFilter, type Ticket } from '@crm/proto/crm/ticket/v1/ticket';
import { eventually } from '@crm/testkit';
import { sql } from 'kysely';
import { ticketInput, TicketHarness, type Api } from './support/ticket-harness';

const HOUR = 3600;
const weekdays = (start: string, end: string) => [1, 2, 3, 4, 5].map((weekday) => ({ weekday, start, end }));
const firstReply = (ticket: Ticket | undefined) => ticket?.sla?.targets.find((t) => t.metric === 'first_reply');

describe('SLA acceptance on the real servers', () => {
  const h = new TicketHarness();
  let admin: Api;
  let agent: Api;

  beforeAll(async () => {
    await h.start();
    admin = await h.as('acme-admin');
    agent = await h.as('acme-agent1');
  }, 120_000);
  afterAll(() => h.stop(), 60_000);

  it('Europe/Berlin: 8 business hours from Friday 15:00, a holiday, two hours pending and a priority change', async () => {
    h.clock.pin('2027-03-26T14:00:00Z'); // Friday 15:00 CET
    const { calendar } = await admin.sla.createBusinessCalendar({
      calendar: { name: 'Berlin office', timeZone: 'Europe/Berlin', hours: weekdays('09:00', '17:00'), holidays: [] },
    });
    await admin.sla.createSlaPolicy({
      policy: {
        name: 'Standard',
        position: 10,
        conditions: { priorities: [], groupIds: [], channels: [], types: [], tags: [] },
        calendarId: calendar?.id ?? '',
        targets: [
          { priority: 'normal', metric: 'first_reply', targetSeconds: 8 * HOUR, businessHours: true },
          { priority: 'high', metric: 'first_reply', targetSeconds: 4 * HOUR, businessHours: true },
        ],
        pauseStatuses: [],
        fulfilStatuses: [],
        warningPercent: 75,
        enabled: true,
      },
    });
    const created = await agent.tickets.createTicket({
      ticket: ticketInput({
        subject: 'Printer on fire',
        requesterEmail: 'berlin.customer@example.test',
        priority: 'normal',
      }),
    });
    const id = created.ticket?.id ?? '';
    expect(firstReply(created.ticket)?.dueAt?.toISOString()).toBe('2027-03-29T13:00:00.000Z');

    // Easter Monday becomes a holiday: the open ticket is recomputed (a durable timer does it).
    await admin.sla.updateBusinessCalendar({
      id: calendar?.id ?? '',
      expectedVersion: calendar?.version ?? 0,
      calendar: {
        name: 'Berlin office',
        timeZone: 'Europe/Berlin',
        hours: weekdays('09:00', '17:00'),
        holidays: [{ name: 'Easter Monday', date: '2027-03-29', yearly: false }],
      },
    });
    const recomputed = await eventually(async () => {
      const { ticket } = await agent.tickets.getTicket({ id, includeDeleted: false });
      expect(firstReply(ticket)?.dueAt?.toISOString()).toBe('2027-03-30T13:00:00.000Z');
      return ticket;
    });
    await h.ticket.settleTimers();
    const breachTimer = (await h.ticket.timers.pending({ idPrefix: `sla:${id}:first_reply:breach` }))[0];
    expect(breachTimer?.dueAt.toISOString()).toBe('2027-03-30T13:00:00.000Z');

    // Pending from Friday 15:00 to Tuesday 09:00: two business hours (Monday is a holiday).
    const pending = await agent.tickets.updateTicket({
      id,
      expectedVersion: recomputed?.version ?? 0,
      ticket: ticketInput({ status: 'pending' }),
      updateMask: ['status'],
    });
    expect(firstReply(pending.ticket)?.status).toBe('paused');
    expect(firstReply(pending.ticket)?.dueAt).toBeUndefined();
    h.clock.pin('2027-03-30T07:00:00Z'); // Tuesday 09:00 CEST
    const reopened = await agent.tickets.updateTicket({
      id,
      expectedVersion: 0,
      ticket: ticketInput({ status: 'open' }),
      updateMask: ['status'],
    });
    expect(firstReply(reopened.ticket)?.dueAt?.toISOString()).toBe('2027-03-30T15:00:00.000Z');
    expect(firstReply(reopened.ticket)?.pausedSeconds).toBe(2 * HOUR);

    // Tuesday 10:00: one business hour has run. High priority allows 4 h: due 13:00 CEST = 11:00Z.
    h.clock.pin('2027-03-30T08:00:00Z');
    const raised = await agent.tickets.updateTicket({
      id,
      expectedVersion: 0,
      ticket: ticketInput({ priority: 'high' }),
      updateMask: ['priority'],
    });
    expect(firstReply(raised.ticket)?.elapsedSeconds).toBe(HOUR);
    expect(firstReply(raised.ticket)?.pausedSeconds).toBe(2 * HOUR);
    expect(firstReply(raised.ticket)?.targetSeconds).toBe(4 * HOUR);
    expect(firstReply(raised.ticket)?.dueAt?.toISOString()).toBe('2027-03-30T11:00:00.000Z');

    // The first public reply fulfils the target and reports the business time it took.
    h.clock.pin('2027-03-30T09:00:00Z');
    const replied = await agent.tickets.addComment({
      ticketId: id,
      public: true,
      body: 'We are on it.',
      attachments: [],
      authorKind: '',
      status: '',
      expectedVersion: 0,
    });
    expect(firstReply(replied.ticket)?.status).toBe('fulfilled');
    expect(replied.ticket?.status).toBe('open');
    expect(replied.ticket?.firstReplyBusinessSeconds).toBe(2 * HOUR);
    const fulfilled = await eventually(async () => {
      const events = (await h.events('ticket.sla_fulfilled')).filter((e) => e.aggregateId === id);
      expect(events).toHaveLength(1);
      return events;
    });
    const payload = TicketSlaEvent.decode(fulfilled?.[0]?.payload?.value ?? new Uint8Array());
    expect(payload.target?.metric).toBe('first_reply');
    expect(payload.target?.elapsedSeconds).toBe(2 * HOUR);
  });

  it('recomputes from the history when the group selects another policy and when that policy changes', async () => {
    h.clock.pin('2027-05-03T08:00:00Z'); // Monday; calendar-time targets, so only the clock matters
    const policy = (name: string, position: number, groupId: string, hours: number) => ({
      name,
      position,
      conditions: { priorities: [], groupIds: [groupId], channels: [], types: [], tags: ['recompute'] },
      calendarId: '',
      targets: [{ priority: 'normal', metric: 'first_reply', targetSeconds: hours * HOUR, businessHours: false }],
      pauseStatuses: [],
      fulfilStatuses: [],
      warningPercent: 75,
      enabled: true,
    });
    const { policy: tenHours } = await admin.sla.createSlaPolicy({
      policy: policy('Support 10 h', 2, 'acme-support', 10),
    });
    const { policy: fourHours } = await admin.sla.createSlaPolicy({
      policy: policy('Escalations 4 h', 3, 'acme-escalations', 4),
    });
    const { ticket } = await admin.tickets.createTicket({
      ticket: ticketInput({
        subject: 'Moves between groups',
        requesterEmail: 'mover@example.test',
        groupId: 'acme-support',
        tags: ['recompute'],
      }),
    });
    const id = ticket?.id ?? '';
    expect(ticket?.sla?.policyId).toBe(tenHours?.id);
    expect(firstReply(ticket)?.dueAt?.toISOString()).toBe('2027-05-03T18:00:00.000Z');
    const update = (fields: Parameters<typeof ticketInput>[0], mask: string[]) =>
      admin.tickets.updateTicket({ id, expectedVersion: 0, ticket: ticketInput(fields), updateMask: mask });

    // Pending 09:00-11:00: two hours paused, so the 10 h run out at 20:00.
    h.clock.pin('2027-05-03T09:00:00Z');
    await update({ status: 'pending' }, ['status']);
    h.clock.pin('2027-05-03T11:00:00Z');
    const reopened = await update({ status: 'open' }, ['status']);
    expect(firstReply(reopened.ticket)?.dueAt?.toISOString()).toBe('2027-05-03T20:00:00.000Z');

    // 12:00, escalated: the 4 h policy applies to the same history — 2 h elapsed, 2 h paused, due 14:00.
    h.clock.pin('2027-05-03T12:00:00Z');
    const moved = await update({ groupId: 'acme-escalations' }, ['group_id']);
    expect(moved.ticket?.sla?.policyId).toBe(fourHours?.id);
    expect(firstReply(moved.ticket)).toMatchObject({ elapsedSeconds: 2 * HOUR, pausedSeconds: 2 * HOUR });
    expect(firstReply(moved.ticket)?.targetSeconds).toBe(4 * HOUR);
    expect(firstReply(moved.ticket)?.dueAt?.toISOString()).toBe('2027-05-03T14:00:00.000Z');

    // The admin gives escalations 6 h: the open ticket is recomputed (a durable timer), due 16:00, and its breach
    // timer moves with it.
    await admin.sla.updateSlaPolicy({
      id: fourHours?.id ?? '',
      expectedVersion: fourHours?.version ?? 0,
      policy: policy('Escalations 6 h', 3, 'acme-escalations', 6),
    });
    const relaxed = await eventually(async () => {
      const { ticket: current } = await admin.tickets.getTicket({ id, includeDeleted: false });
      expect(firstReply(current)?.dueAt?.toISOString()).toBe('2027-05-03T16:00:00.000Z');
      return current;
    });
    expect(firstReply(relaxed)).toMatchObject({ targetSeconds: 6 * HOUR, pausedSeconds: 2 * HOUR });
    await h.ticket.settleTimers();
    const breachTimer = (await h.ticket.timers.pending({ idPrefix: `sla:${id}:first_reply:breach` }))[0];
    expect(breachTimer?.dueAt.toISOString()).toBe('2027-05-03T16:00:00.000Z');
    // Nothing was breached or warned on the way: 14:00 never passed on the ticket's clock.
    expect((await h.events('ticket.sla_breached')).filter((e) => e.aggregateId === id)).toHaveLength(0);
  });

  it('serves the "breaching soonest" queue by SLA due time, paused tickets left out, across keyset pages', async () => {
    h.clock.pin('2027-06-01T08:00:00Z');
    const hours = { low: 4, normal: 3, high: 2, urgent: 1 };
    await admin.sla.createSlaPolicy({
      policy: {
        name: 'Queue',
        position: 4,
        conditions: { priorities: [], groupIds: [], channels: [], types: [], tags: ['queue'] },
        calendarId: '',
        targets: Object.entries(hours).map(([priority, n]) => ({
          priority,
          metric: 'first_reply',
          targetSeconds: n * HOUR,
          businessHours: false,
        })),
        pauseStatuses: [],
        fulfilStatuses: [],
        warningPercent: 75,
        enabled: true,
      },
    });
    const ids: Record<string, string> = {};
    const plan = [
      ['low', '08:00'], // due 12:00
      ['urgent', '08:01'], // due 09:01
      ['normal', '08:02'], // due 11:02
      ['high', '08:03'], // due 10:03
      ['paused', '08:04'], // normal, then pending: no due time
    ] as const;
    for (const [name, at] of plan) {
      h.clock.pin(`2027-06-01T${at}:00Z`);
      const { ticket } = await agent.tickets.createTicket({
        ticket: ticketInput({
          subject: `Queue ${name}`,
          requesterEmail: 'queue@example.test',
          priority: name === 'paused' ? 'normal' : name,
          tags: ['queue'],
        }),
      });
      ids[name] = ticket?.id ?? '';
    }
    await agent.tickets.updateTicket({
      id: ids.paused ?? '',
      expectedVersion: 0,
      ticket: ticketInput({ status: 'pending' }),
      updateMask: ['status'],
    });
    const page = (cursor: string) =>
      agent.tickets.listTickets({
        filter: TicketFilter.fromPartial({ tags: ['queue'] }),
        orderBy: '',
        view: 'breaching',
        page: { limit: 3, cursor },
      });
    const first = await page('');
    expect(first.tickets.map((t) => t.subject)).toEqual(['Queue urgent', 'Queue high', 'Queue normal']);
    expect(first.tickets.map((t) => t.sla?.nextDueAt?.toISOString())).toEqual([
      '2027-06-01T09:01:00.000Z',
      '2027-06-01T10:03:00.000Z',
      '2027-06-01T11:02:00.000Z',
    ]);
    const second = await page(first.page?.nextCursor ?? '');
    expect(second.tickets.map((t) => t.id)).toEqual([ids.low]);
    expect(second.page?.nextCursor).toBe('');
  });

  it('publishes a breach within 2 s of the due time, exactly once, across a restart of the service', async () => {
    h.clock.real();
    await admin.sla.createSlaPolicy({
      policy: {
        name: 'Fast lane',
        position: 1,
        conditions: { priorities: [], groupIds: [], channels: [], types: [], tags: ['fastlane'] },
        calendarId: '',
        targets: [{ priority: 'urgent', metric: 'first_reply', targetSeconds: 8, businessHours: false }],
        pauseStatuses: [],
        fulfilStatuses: [],
        warningPercent: 50,
        enabled: true,
      },
    });
    const { ticket } = await agent.tickets.createTicket({
      ticket: ticketInput({
        subject: 'Down',
        requesterEmail: 'fast.customer@example.test',
        priority: 'urgent',
        tags: ['fastlane'],
      }),
    });
    const id = ticket?.id ?? '';
    const due = firstReply(ticket)?.dueAt;
    expect(due).toBeDefined();
    await h.ticket.settleTimers();
    // Stop the service before the timer is due and start it again: the new process fires what the old one left.
    await h.stopTicket();
    await h.startTicket();
    const breaches = await eventually(async () => {
      const events = (await h.events('ticket.sla_breached')).filter((e) => e.aggregateId === id);
      expect(events.length).toBeGreaterThanOrEqual(1);
      return events;
    }, 20_000);
    const first = breaches?.[0];
    const lateness = (first?.occurredAt?.getTime() ?? 0) - (due?.getTime() ?? 0);
    expect(lateness).toBeGreaterThanOrEqual(0);
    expect(lateness).toBeLessThanOrEqual(2000);
    const warnings = (await h.events('ticket.sla_warning')).filter((e) => e.aggregateId === id);
    expect(warnings).toHaveLength(1);
    // Later looks (the timer loop firing what is due, a recomputation) publish nothing more.
    await h.ticket.timers.fireDue();
    await h.ticket.tickets.recompute('acme', id);
    await h.ticket.settleTimers();
    expect((await h.events('ticket.sla_breached')).filter((e) => e.aggregateId === id)).toHaveLength(1);
    const payload = TicketSlaEvent.decode(first?.payload?.value ?? new Uint8Array());
    expect(payload.target?.metric).toBe('first_reply');
    expect(payload.target?.status).toBe('breached');
    const agentAgain = await h.as('acme-agent1');
    const { ticket: after } = await agentAgain.tickets.getTicket({ id, includeDeleted: false });
    expect(after?.sla?.breached).toBe(true);
  }, 60_000);
  it("stores a write's timers again when storing them failed (the write stays unfinished until they are)", async () => {
    const db = h.ticket.deps.readModel?.db;
    if (!db) throw new Error('the ticket service has a read model');
    const agent = await h.as('acme-agent1'); // the service was restarted by the test before
    let id = '';
    // The timers' table is gone for the write: the ticket is stored, its timers are not.
    await sql`alter table kit_timers rename to kit_timers_away`.execute(db);
    try {
      const { ticket } = await agent.tickets.createTicket({
        ticket: ticketInput({ subject: 'Lost clock?', requesterEmail: 'clock.customer@example.test' }),
      });
      id = ticket?.id ?? '';
      expect(firstReply(ticket)?.dueAt).toBeDefined();
    } finally {
      await sql`alter table kit_timers_away rename to kit_timers`.execute(db);
    }
    // The service's own stream consumer (redelivery) or the sweeper applies the write again.
    const stored = await eventually(async () => {
      const timers = await h.ticket.timers.pending({ idPrefix: `sla:${id}:first_reply:breach` });
      expect(timers).toHaveLength(1);
      return timers;
    }, 45_000);
    const { ticket } = await agent.tickets.getTicket({ id, includeDeleted: false });
    expect(stored?.[0]?.dueAt.toISOString()).toBe(firstReply(ticket)?.dueAt?.toISOString());
  }, 60_000);
});
