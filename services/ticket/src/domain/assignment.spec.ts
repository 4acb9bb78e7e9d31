import { businessTime } from './business-time';
import { pickAssignee, type Candidate } from './assignment';

const now = new Date('2027-01-06T10:00:00Z'); // Wednesday
const agent = (userId: string, extra: Partial<Candidate> = {}): Candidate => ({
  userId,
  away: false,
  capacity: 0,
  openTickets: 0,
  lastAssigned: 0,
  hours: undefined,
  ...extra,
});

describe('automatic assignment', () => {
  it('round-robin takes the agent assigned longest ago', () => {
    const agents = [agent('a', { lastAssigned: 3 }), agent('b', { lastAssigned: 1 }), agent('c', { lastAssigned: 2 })];
    expect(pickAssignee('round_robin', agents, now)).toBe('b');
  });

  it('least-open takes the agent with the fewest open tickets', () => {
    const agents = [
      agent('a', { openTickets: 3 }),
      agent('b', { openTickets: 5 }),
      agent('c', { openTickets: 1, lastAssigned: 9 }),
    ];
    expect(pickAssignee('least_open', agents, now)).toBe('c');
  });

  it('skips agents who are away, full, or outside their working hours', () => {
    const nights = businessTime({
      timeZone: 'UTC',
      hours: [{ weekday: 3, start: '20:00', end: '23:00' }],
      holidays: [],
    });
    const agents = [
      agent('away', { away: true }),
      agent('full', { capacity: 2, openTickets: 2 }),
      agent('night', { hours: nights }),
      agent('ok', { lastAssigned: 99 }),
    ];
    expect(pickAssignee('round_robin', agents, now)).toBe('ok');
    expect(pickAssignee('round_robin', agents.slice(0, 3), now)).toBeUndefined();
  });

  it('assigns nobody in manual mode', () => {
    expect(pickAssignee('manual', [agent('a')], now)).toBeUndefined();
  });
});
