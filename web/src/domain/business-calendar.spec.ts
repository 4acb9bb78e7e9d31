import { describe, expect, it } from 'vitest';
import {
  calendarProblems,
  defaultWeek,
  formatDuration,
  hoursByWeekday,
  joinDuration,
  orderPolicies,
  reorderPositions,
  splitDuration,
} from './business-calendar';

const base = { name: 'Berlin office', timeZone: 'Europe/Berlin', hours: defaultWeek(), holidays: [] };

describe('calendarProblems', () => {
  it('accepts a plain working week', () => {
    expect(calendarProblems(base)).toEqual({});
  });

  it('accepts a lunch break (two intervals a day) and an interval ending at midnight', () => {
    const hours = [
      { weekday: 1, start: '13:00', end: '17:00' },
      { weekday: 1, start: '09:00', end: '12:00' },
      { weekday: 6, start: '20:00', end: '24:00' },
    ];
    expect(calendarProblems({ ...base, hours })).toEqual({});
    expect(
      hoursByWeekday(hours)
        .get(1)
        ?.map((h) => h.start),
    ).toEqual(['09:00', '13:00']);
  });

  it('names the rows the API would refuse', () => {
    const problems = calendarProblems({
      name: ' ',
      timeZone: 'Mars/Olympus',
      hours: [
        { weekday: 2, start: '09:00', end: '13:00' },
        { weekday: 2, start: '12:00', end: '17:00' },
        { weekday: 3, start: '18:00', end: '09:00' },
        { weekday: 4, start: '9:00', end: '17:00' },
      ],
      holidays: [
        { name: 'New year', date: '01-01', yearly: true },
        { name: 'Launch day', date: '2026-13-01', yearly: false },
        { name: 'Christmas', date: '2026-12-25', yearly: true },
        { name: '', date: '2026-12-24', yearly: false },
      ],
    });
    expect(problems).toEqual({
      name: 'Give the calendar a name',
      timeZone: 'Not an IANA time zone (e.g. Europe/Berlin)',
      'hours[1]': 'Overlaps 09:00–13:00',
      'hours[2]': 'Ends before it starts',
      'hours[3]': 'Times are HH:MM',
      'holidays[1]': 'Dates are YYYY-MM-DD',
      'holidays[2]': 'Yearly dates are MM-DD',
      'holidays[3]': 'Name the holiday',
    });
  });
});

describe('target durations', () => {
  it('split into hours and minutes and join back', () => {
    expect(splitDuration(5400)).toEqual({ hours: 1, minutes: 30 });
    expect(joinDuration(1, 30)).toBe(5400);
    expect(joinDuration(-1, 5)).toBe(300);
    expect(formatDuration(1800)).toBe('30m');
    expect(formatDuration(4 * 3600)).toBe('4h');
    expect(formatDuration(52 * 3600 + 60)).toBe('2d 4h 1m');
  });
});

describe('policy order', () => {
  const policies = [
    { id: 'c', name: 'VIP', position: 30 },
    { id: 'a', name: 'Default', position: 100 },
    { id: 'b', name: 'Billing', position: 30 },
  ];

  it('follows position, then name, as the service evaluates them', () => {
    expect(orderPolicies(policies).map((p) => p.id)).toEqual(['b', 'c', 'a']);
  });

  it('spaces positions by ten after a move', () => {
    const ordered = orderPolicies(policies);
    expect([...reorderPositions(ordered, 2, 0)]).toEqual([
      ['a', 10],
      ['b', 20],
      ['c', 30],
    ]);
    expect([...reorderPositions(ordered, 0, 9)]).toEqual([
      ['c', 10],
      ['a', 20],
      ['b', 30],
    ]);
  });
});
