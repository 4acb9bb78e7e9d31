import type { WorkingInterval } from './business-time';
import {
  computeSla,
  cyclesOf,
  replyAndResolutionSeconds,
  slaSignals,
  type SlaInput,
  type SlaLogEntry,
} from './sla-engine';
import type { SlaPolicyDefinition } from './sla-policy';
import type { Priority, TicketStatus } from './ticket-values';

const HOUR = 3600;
const d = (iso: string) => new Date(iso);
const weekdays = (start: string, end: string): WorkingInterval[] =>
  [1, 2, 3, 4, 5].map((weekday) => ({ weekday, start, end }));

const berlin = {
  id: 'cal-berlin',
  timeZone: 'Europe/Berlin',
  hours: weekdays('09:00', '17:00'),
  holidays: [{ name: 'Easter Monday', date: '2027-03-29', yearly: false }],
};

const policy: SlaPolicyDefinition = {
  id: 'p1',
  name: 'Standard',
  position: 1,
  conditions: { priorities: [], groupIds: [], channels: [], types: [], tags: [] },
  calendarId: 'cal-berlin',
  targets: [
    { priority: 'normal', metric: 'first_reply', targetSeconds: 8 * HOUR, businessHours: true },
    { priority: 'high', metric: 'first_reply', targetSeconds: 4 * HOUR, businessHours: true },
    { priority: 'normal', metric: 'resolution', targetSeconds: 40 * HOUR, businessHours: true },
    { priority: 'normal', metric: 'next_reply', targetSeconds: 2 * HOUR, businessHours: true },
    { priority: 'normal', metric: 'periodic_update', targetSeconds: 24 * HOUR, businessHours: false },
  ],
  pauseStatuses: ['pending', 'on_hold'],
  fulfilStatuses: ['solved', 'closed'],
  warningPercent: 75,
  enabled: true,
};

const status = (iso: string, s: TicketStatus): SlaLogEntry => ({ at: d(iso), kind: 'status', status: s });
const agent = (iso: string): SlaLogEntry => ({ at: d(iso), kind: 'agent_reply' });
const requester = (iso: string): SlaLogEntry => ({ at: d(iso), kind: 'requester_reply' });

function input(
  log: SlaLogEntry[],
  now: string,
  priority: Priority = 'normal',
  extra: Partial<SlaInput> = {},
): SlaInput {
  return { log, priority, policy, calendar: berlin, marks: {}, now: d(now), ...extra };
}

const target = (i: SlaInput, metric: string) => computeSla(i)?.targets.find((t) => t.metric === metric);

describe('SLA engine: the Europe/Berlin acceptance case', () => {
  const created = '2027-03-26T14:00:00Z'; // Friday 15:00 CET

  it('is due Tuesday 15:00 CEST with Monday a holiday', () => {
    const first = target(input([status(created, 'new')], created), 'first_reply');
    expect(first?.status).toBe('running');
    expect(first?.dueAt?.toISOString()).toBe('2027-03-30T13:00:00.000Z');
    expect(first?.warnAt?.toISOString()).toBe('2027-03-30T11:00:00.000Z');
  });

  it('is due Monday 15:00 without the holiday', () => {
    const noHoliday = { ...berlin, holidays: [] };
    const first = target(input([status(created, 'new')], created, 'normal', { calendar: noHoliday }), 'first_reply');
    expect(first?.dueAt?.toISOString()).toBe('2027-03-29T13:00:00.000Z');
  });

  const paused = [status(created, 'new'), status(created, 'pending'), status('2027-03-30T07:00:00Z', 'open')];

  it('stops while pending and shows no due time', () => {
    const first = target(input(paused.slice(0, 2), '2027-03-29T10:00:00Z'), 'first_reply');
    expect(first?.status).toBe('paused');
    expect(first?.dueAt).toBeNull();
    expect(first?.elapsedSeconds).toBe(0);
  });

  it('moves the due time by the two business hours spent pending', () => {
    const first = target(input(paused, '2027-03-30T07:00:00Z'), 'first_reply');
    expect(first?.dueAt?.toISOString()).toBe('2027-03-30T15:00:00.000Z');
    expect(first?.pausedSeconds).toBe(2 * HOUR);
  });

  it('keeps the elapsed time when the priority changes afterwards', () => {
    // Tuesday 10:00 CEST: one business hour has run; high priority allows 4 h, so 3 h remain: due 13:00 CEST.
    const first = target(input(paused, '2027-03-30T08:00:00Z', 'high'), 'first_reply');
    expect(first?.elapsedSeconds).toBe(HOUR);
    expect(first?.targetSeconds).toBe(4 * HOUR);
    expect(first?.dueAt?.toISOString()).toBe('2027-03-30T11:00:00.000Z');
  });
});

describe('SLA engine: cycles, fulfilment and breach', () => {
  const created = '2027-01-04T08:00:00Z'; // Monday 09:00 CET

  it('fulfils the first reply with the first public agent reply, and starts periodic updates there', () => {
    const log = [status(created, 'new'), status(created, 'open'), agent('2027-01-04T10:00:00Z')];
    const sla = computeSla(input(log, '2027-01-04T10:00:00Z'));
    const first = sla?.targets.find((t) => t.metric === 'first_reply');
    expect(first?.status).toBe('fulfilled');
    expect(first?.elapsedSeconds).toBe(2 * HOUR);
    const periodic = sla?.targets.find((t) => t.metric === 'periodic_update');
    expect(periodic?.startedAt.toISOString()).toBe('2027-01-04T10:00:00.000Z');
    expect(periodic?.dueAt?.toISOString()).toBe('2027-01-05T10:00:00.000Z');
  });

  it('starts a next-reply cycle when the requester writes after an agent reply', () => {
    const log = [
      status(created, 'new'),
      agent('2027-01-04T09:00:00Z'),
      requester('2027-01-04T11:00:00Z'),
      requester('2027-01-04T11:30:00Z'),
    ];
    const next = target(input(log, '2027-01-04T12:00:00Z'), 'next_reply');
    expect(next?.cycle).toBe(1);
    expect(next?.startedAt.toISOString()).toBe('2027-01-04T11:00:00.000Z');
    expect(next?.dueAt?.toISOString()).toBe('2027-01-04T13:00:00.000Z');
    const cycles = cyclesOf([...log, agent('2027-01-04T12:00:00Z'), requester('2027-01-04T13:00:00Z')], ['solved']);
    expect(cycles.filter((c) => c.metric === 'next_reply').map((c) => c.cycle)).toEqual([1, 2]);
  });

  it('is breached once the due time has passed without a reply, and breached_fulfilled when the reply comes late', () => {
    const log = [status(created, 'new')];
    expect(target(input(log, '2027-01-04T15:59:59Z'), 'first_reply')?.status).toBe('running');
    expect(target(input(log, '2027-01-04T16:00:00Z'), 'first_reply')?.status).toBe('breached');
    const late = target(input([...log, agent('2027-01-05T09:00:00Z')], '2027-01-05T09:00:00Z'), 'first_reply');
    expect(late?.status).toBe('breached_fulfilled');
  });

  it('fulfils every clock when solved, and runs the resolution on after a reopen without the solved time', () => {
    const log = [status(created, 'new'), status('2027-01-04T10:00:00Z', 'solved')];
    expect(target(input(log, '2027-01-04T10:00:00Z'), 'resolution')?.status).toBe('fulfilled');
    const reopened = [...log, status('2027-01-05T08:00:00Z', 'open')];
    const resolution = target(input(reopened, '2027-01-05T09:00:00Z'), 'resolution');
    expect(resolution?.status).toBe('running');
    // 2 h on Monday + 1 h on Tuesday; Monday 11:00-17:00 was solved.
    expect(resolution?.elapsedSeconds).toBe(3 * HOUR);
  });

  it('counts calendar-time targets round the clock', () => {
    const log = [status(created, 'new'), agent('2027-01-08T16:00:00Z')]; // Friday 17:00 CET
    const periodic = target(input(log, '2027-01-09T16:00:00Z'), 'periodic_update');
    expect(periodic?.dueAt?.toISOString()).toBe('2027-01-09T16:00:00.000Z');
    expect(periodic?.status).toBe('breached');
  });

  it('has no clocks without a policy, and only the targets of the ticket priority', () => {
    expect(computeSla(input([status(created, 'new')], created, 'normal', { policy: undefined }))).toBeNull();
    const urgent = computeSla(input([status(created, 'new')], created, 'urgent'));
    expect(urgent?.targets).toEqual([]);
  });
});

describe('SLA engine: signals are published once', () => {
  const created = '2027-01-04T08:00:00Z';
  const log = [status(created, 'new')];

  it('warns at 75 %, breaches at 100 %, each once', () => {
    const warnTime = '2027-01-04T14:00:00Z'; // 6 of 8 business hours
    const warned = slaSignals(input(log, warnTime));
    expect(warned.signals.map((s) => `${s.kind}:${s.target.metric}`)).toEqual(['sla_warning:first_reply']);
    expect(slaSignals(input(log, warnTime, 'normal', { marks: warned.marks })).signals).toEqual([]);
    const breached = slaSignals(input(log, '2027-01-04T16:00:00Z', 'normal', { marks: warned.marks }));
    expect(breached.signals.map((s) => s.kind)).toEqual(['sla_breached']);
    expect(slaSignals(input(log, '2027-01-04T16:00:01Z', 'normal', { marks: breached.marks })).signals).toEqual([]);
  });

  it('publishes a fulfilment with the change that fulfils, not again on a later recomputation', () => {
    const replied = [...log, agent('2027-01-04T09:00:00Z')];
    const fulfilled = slaSignals(input(replied, '2027-01-04T09:00:00Z'));
    expect(fulfilled.signals.map((s) => `${s.kind}:${s.target.metric}`)).toEqual(['sla_fulfilled:first_reply']);
    expect(slaSignals(input(replied, '2027-01-04T09:30:00Z', 'normal', { marks: fulfilled.marks })).signals).toEqual(
      [],
    );
  });

  it('reports first-reply and resolution durations in business seconds, pauses excluded', () => {
    const full = [
      status('2027-01-08T15:00:00Z', 'new'), // Friday 16:00 CET
      agent('2027-01-11T09:00:00Z'), // Monday 10:00: 2 business hours
      status('2027-01-11T09:00:00Z', 'pending'),
      status('2027-01-11T13:00:00Z', 'open'),
      status('2027-01-11T14:00:00Z', 'solved'),
    ];
    const durations = replyAndResolutionSeconds(input(full, '2027-01-11T14:00:00Z'));
    expect(durations.firstReply).toBe(2 * HOUR);
    expect(durations.resolution).toBe(3 * HOUR);
  });
});
