import fc from 'fast-check';
import {
  businessTime,
  calendarTime,
  isKnownTimeZone,
  type CalendarDefinition,
  type WorkingInterval,
} from './business-time';

const HOUR = 3_600_000;
const MINUTE = 60_000;
const at = (iso: string) => Date.parse(iso);
const iso = (ms: number) => new Date(ms).toISOString();

function weekdays(start: string, end: string, days = [1, 2, 3, 4, 5]): WorkingInterval[] {
  return days.map((weekday) => ({ weekday, start, end }));
}

function calendar(timeZone: string, hours: WorkingInterval[], holidays: CalendarDefinition['holidays'] = []) {
  return { timeZone, hours, holidays };
}

const ALL_WEEK = [1, 2, 3, 4, 5, 6, 7];
const berlinOffice = calendar('Europe/Berlin', weekdays('09:00', '17:00'));

describe('business time: the Europe/Berlin acceptance case', () => {
  it('Friday 2027-03-26 15:00 local plus 8 business hours is Monday 15:00 CEST, after the DST change', () => {
    expect(iso(businessTime(berlinOffice).add(at('2027-03-26T14:00:00Z'), 8 * HOUR))).toBe('2027-03-29T13:00:00.000Z');
  });

  it('with Monday 2027-03-29 a one-off holiday it is Tuesday 15:00', () => {
    const withHoliday = calendar('Europe/Berlin', weekdays('09:00', '17:00'), [
      { name: 'Easter Monday', date: '2027-03-29', yearly: false },
    ]);
    expect(iso(businessTime(withHoliday).add(at('2027-03-26T14:00:00Z'), 8 * HOUR))).toBe('2027-03-30T13:00:00.000Z');
  });

  it('measures Friday 15:00 to Monday 15:00 as 8 business hours', () => {
    expect(businessTime(berlinOffice).between(at('2027-03-26T14:00:00Z'), at('2027-03-29T13:00:00Z'))).toBe(8 * HOUR);
  });
});

describe('business time: golden cases', () => {
  const office = businessTime(berlinOffice);

  it('ends exactly at the end of a window rather than at the start of the next', () => {
    expect(iso(office.add(at('2027-03-26T14:00:00Z'), 2 * HOUR))).toBe('2027-03-26T16:00:00.000Z');
  });

  it('carries over the weekend', () => {
    // Friday 16:30 CET + 1 h = Monday 09:30 CEST.
    expect(iso(office.add(at('2027-03-26T15:30:00Z'), HOUR))).toBe('2027-03-29T07:30:00.000Z');
  });

  it('starts counting at the next window when it starts outside working hours', () => {
    // Saturday 10:00 + 1 h = Monday 10:00; Thursday 20:00 + 30 min = Friday 09:30.
    expect(iso(office.add(at('2027-01-09T09:00:00Z'), HOUR))).toBe('2027-01-11T09:00:00.000Z');
    expect(iso(office.add(at('2027-01-07T19:00:00Z'), 30 * MINUTE))).toBe('2027-01-08T08:30:00.000Z');
  });

  it('adds nothing for zero, even outside working hours', () => {
    expect(office.add(at('2027-01-09T09:00:00Z'), 0)).toBe(at('2027-01-09T09:00:00Z'));
    expect(office.between(at('2027-01-09T09:00:00Z'), at('2027-01-09T09:00:00Z'))).toBe(0);
    expect(office.between(at('2027-01-09T09:00:00Z'), at('2027-01-08T09:00:00Z'))).toBe(0);
  });

  it('skips the break inside a day', () => {
    const split = businessTime(
      calendar('Europe/Berlin', [...weekdays('09:00', '12:00'), ...weekdays('13:00', '17:00')]),
    );
    // Wednesday 11:30 CET + 1 h = 13:30.
    expect(iso(split.add(at('2027-01-06T10:30:00Z'), HOUR))).toBe('2027-01-06T12:30:00.000Z');
    expect(split.between(at('2027-01-06T08:00:00Z'), at('2027-01-06T16:00:00Z'))).toBe(7 * HOUR);
    expect(split.counts(at('2027-01-06T11:30:00Z'))).toBe(false);
    expect(split.counts(at('2027-01-06T12:00:00Z'))).toBe(true);
  });

  it('crosses midnight with a night shift', () => {
    // 22:00-24:00 every day and 00:00-02:00 every day, UTC.
    const night = businessTime(
      calendar('UTC', [
        ...ALL_WEEK.map((weekday) => ({ weekday, start: '22:00', end: '24:00' })),
        ...ALL_WEEK.map((weekday) => ({ weekday, start: '00:00', end: '02:00' })),
      ]),
    );
    expect(iso(night.add(at('2027-05-05T23:00:00Z'), 3 * HOUR))).toBe('2027-05-06T02:00:00.000Z');
    expect(iso(night.add(at('2027-05-05T23:00:00Z'), 3 * HOUR + MINUTE))).toBe('2027-05-06T22:01:00.000Z');
    expect(night.between(at('2027-05-05T21:00:00Z'), at('2027-05-06T03:00:00Z'))).toBe(4 * HOUR);
  });

  it('skips a yearly holiday in any year, and a one-off one only in its year', () => {
    const holidays = businessTime(
      calendar('Europe/Berlin', weekdays('09:00', '17:00'), [
        { name: 'Christmas', date: '12-25', yearly: true },
        { name: 'Company day', date: '2026-06-12', yearly: false },
      ]),
    );
    // Friday 2026-12-25 and Monday 2028-12-25 are holidays; Friday 2027-06-11 is not a holiday although
    // 2026-06-12 was a one-off one.
    expect(iso(holidays.add(at('2026-12-24T15:00:00Z'), 2 * HOUR))).toBe('2026-12-28T09:00:00.000Z');
    expect(iso(holidays.add(at('2028-12-22T15:00:00Z'), 2 * HOUR))).toBe('2028-12-26T09:00:00.000Z');
    expect(holidays.counts(at('2026-06-12T10:00:00Z'))).toBe(false);
    expect(holidays.counts(at('2027-06-11T10:00:00Z'))).toBe(true);
  });

  it('counts 23 hours on the spring-forward day and 25 on the fall-back day (Berlin, round the clock)', () => {
    const always = businessTime(
      calendar(
        'Europe/Berlin',
        ALL_WEEK.map((weekday) => ({ weekday, start: '00:00', end: '24:00' })),
      ),
    );
    // 2027-03-28 00:00 CET = 2027-03-27T23:00Z; 2027-03-29 00:00 CEST = 2027-03-28T22:00Z.
    expect(always.between(at('2027-03-27T23:00:00Z'), at('2027-03-28T22:00:00Z'))).toBe(23 * HOUR);
    // 2027-10-31 00:00 CEST = 2027-10-30T22:00Z; 2027-11-01 00:00 CET = 2027-10-31T23:00Z.
    expect(always.between(at('2027-10-30T22:00:00Z'), at('2027-10-31T23:00:00Z'))).toBe(25 * HOUR);
    expect(iso(always.add(at('2027-03-27T23:00:00Z'), 24 * HOUR))).toBe('2027-03-28T23:00:00.000Z');
  });

  it('measures a window spanning the DST change by real time: 01:00-04:00 local is 2 h in spring and 4 h in autumn', () => {
    const sundays = businessTime(calendar('Europe/Berlin', [{ weekday: 7, start: '01:00', end: '04:00' }]));
    // Spring: 01:00 CET = 00:00Z, 04:00 CEST = 02:00Z.
    expect(sundays.between(at('2027-03-28T00:00:00Z'), at('2027-03-28T03:00:00Z'))).toBe(2 * HOUR);
    // Autumn: 01:00 CEST = 2027-10-30T23:00Z, 04:00 CET = 2027-10-31T03:00Z.
    expect(sundays.between(at('2027-10-30T23:00:00Z'), at('2027-10-31T04:00:00Z'))).toBe(4 * HOUR);
    expect(iso(sundays.add(at('2027-10-30T23:00:00Z'), 4 * HOUR))).toBe('2027-10-31T03:00:00.000Z');
  });

  it('moves a working start that falls into the spring-forward gap to the end of the gap', () => {
    // Sunday 02:30-05:00 in Berlin: 02:30 does not exist on 2027-03-28, so the window is 03:30 CEST (01:30Z) .. 05:00 (03:00Z).
    const gap = businessTime(calendar('Europe/Berlin', [{ weekday: 7, start: '02:30', end: '05:00' }]));
    expect(gap.between(at('2027-03-27T23:00:00Z'), at('2027-03-28T22:00:00Z'))).toBe(90 * MINUTE);
  });

  it('works west of UTC across the US DST change (America/New_York)', () => {
    const ny = businessTime(calendar('America/New_York', weekdays('09:00', '17:00')));
    // Friday 2027-03-12 16:00 EST (21:00Z) + 2 h = Monday 2027-03-15 10:00 EDT (14:00Z).
    expect(iso(ny.add(at('2027-03-12T21:00:00Z'), 2 * HOUR))).toBe('2027-03-15T14:00:00.000Z');
    // Friday 2027-11-05 16:00 EDT (20:00Z) + 2 h = Monday 2027-11-08 10:00 EST (15:00Z).
    expect(iso(ny.add(at('2027-11-05T20:00:00Z'), 2 * HOUR))).toBe('2027-11-08T15:00:00.000Z');
  });

  it('works far west (Pacific/Honolulu, UTC-10): the local working day spans two UTC dates', () => {
    const hawaii = businessTime(calendar('Pacific/Honolulu', weekdays('09:00', '17:00')));
    // Monday 16:00 HST = Tuesday 02:00Z; + 2 h = Tuesday 10:00 HST = 20:00Z.
    expect(iso(hawaii.add(at('2027-01-05T02:00:00Z'), 2 * HOUR))).toBe('2027-01-05T20:00:00.000Z');
  });

  it('works east of UTC: Asia/Kolkata (+05:30) and Asia/Tokyo (+09:00)', () => {
    const kolkata = businessTime(calendar('Asia/Kolkata', weekdays('09:30', '18:30')));
    // Friday 2027-01-08 18:00 IST (12:30Z) + 1 h = Monday 10:00 IST (04:30Z).
    expect(iso(kolkata.add(at('2027-01-08T12:30:00Z'), HOUR))).toBe('2027-01-11T04:30:00.000Z');
    const tokyo = businessTime(calendar('Asia/Tokyo', weekdays('09:00', '18:00')));
    // Monday 2027-01-11 08:00 JST is Sunday 23:00Z; 9 business hours later is Monday 18:00 JST = 09:00Z.
    expect(iso(tokyo.add(at('2027-01-10T23:00:00Z'), 9 * HOUR))).toBe('2027-01-11T09:00:00.000Z');
  });

  it('works east of UTC across the southern-hemisphere DST end (Pacific/Auckland, 2027-04-04)', () => {
    const always = businessTime(
      calendar(
        'Pacific/Auckland',
        ALL_WEEK.map((weekday) => ({ weekday, start: '00:00', end: '24:00' })),
      ),
    );
    // 2027-04-04 00:00 NZDT (+13) = 2027-04-03T11:00Z; 2027-04-05 00:00 NZST (+12) = 2027-04-04T12:00Z.
    expect(always.between(at('2027-04-03T11:00:00Z'), at('2027-04-04T12:00:00Z'))).toBe(25 * HOUR);
    const office = businessTime(calendar('Pacific/Auckland', weekdays('09:00', '17:00')));
    // Friday 2027-04-02 16:00 NZDT (03:00Z) + 2 h = Monday 2027-04-05 10:00 NZST (2027-04-04T22:00Z).
    expect(iso(office.add(at('2027-04-02T03:00:00Z'), 2 * HOUR))).toBe('2027-04-04T22:00:00.000Z');
  });

  it('knows where working time is', () => {
    expect(office.counts(at('2027-03-26T15:59:00Z'))).toBe(true);
    expect(office.counts(at('2027-03-26T16:00:00Z'))).toBe(false);
    expect(office.counts(at('2027-03-27T10:00:00Z'))).toBe(false);
  });

  it('tells known IANA zones from unknown ones', () => {
    expect(isKnownTimeZone('Europe/Berlin')).toBe(true);
    expect(isKnownTimeZone('America/Argentina/Buenos_Aires')).toBe(true);
    expect(isKnownTimeZone('Mars/Olympus_Mons')).toBe(false);
    expect(isKnownTimeZone('')).toBe(false);
  });

  it('counts calendar time as plain elapsed time', () => {
    expect(calendarTime.add(1000, 500)).toBe(1500);
    expect(calendarTime.between(1000, 4000)).toBe(3000);
    expect(calendarTime.between(4000, 1000)).toBe(0);
  });
});

describe('business time: properties', () => {
  const zones = [
    'UTC',
    'Europe/Berlin',
    'America/New_York',
    'America/Los_Angeles',
    'Asia/Kolkata',
    'Australia/Sydney',
    'Pacific/Auckland',
    'America/Sao_Paulo',
    'Asia/Kathmandu',
  ];
  const clock = fc.integer({ min: 0, max: 24 * 4 }).map((q) => q * 15);
  const interval = fc
    .tuple(fc.integer({ min: 1, max: 7 }), clock, clock)
    .filter(([, a, b]) => Math.abs(a - b) >= 120)
    .map(([weekday, a, b]) => ({ weekday, start: hhmm(Math.min(a, b)), end: hhmm(Math.max(a, b)) }));
  const definition = fc
    .record({
      timeZone: fc.constantFrom(...zones),
      hours: fc.array(interval, { minLength: 1, maxLength: 6 }),
      holidays: fc.array(
        fc.record({
          name: fc.constant('h'),
          date: fc
            .date({ min: new Date('2026-01-01'), max: new Date('2029-12-31'), noInvalidDate: true })
            .map((d) => d.toISOString().slice(0, 10)),
          yearly: fc.constant(false),
        }),
        { maxLength: 5 },
      ),
    })
    .map((c) => ({ ...c, hours: nonOverlapping(c.hours) }));
  const instant = fc.integer({ min: at('2026-01-01T00:00:00Z'), max: at('2029-01-01T00:00:00Z') });
  // At least 2 h a week and at most 200 h: within the module's horizon of three years.
  const duration = fc.integer({ min: 0, max: 200 * HOUR });
  // Two steps that add up to a duration within the same bound (two full durations can pass the horizon).
  const half = fc.integer({ min: 0, max: 100 * HOUR });

  it('adding then measuring business time returns the input', () => {
    fc.assert(
      fc.property(definition, instant, duration, (def, from, ms) => {
        const measure = businessTime(def);
        expect(measure.between(from, measure.add(from, ms))).toBe(ms);
      }),
      { numRuns: 300 },
    );
  });

  it('adding in two steps is adding once', () => {
    fc.assert(
      fc.property(definition, instant, half, half, (def, from, a, b) => {
        const measure = businessTime(def);
        expect(measure.add(measure.add(from, a), b)).toBe(measure.add(from, a + b));
      }),
      { numRuns: 200 },
    );
  });

  it('measuring is additive and never exceeds the elapsed time', () => {
    fc.assert(
      fc.property(
        definition,
        instant,
        fc.integer({ min: 0, max: 20 * 24 * HOUR }),
        fc.integer({ min: 0, max: 20 * 24 * HOUR }),
        (def, from, x, y) => {
          const measure = businessTime(def);
          const mid = from + x;
          const to = mid + y;
          expect(measure.between(from, to)).toBe(measure.between(from, mid) + measure.between(mid, to));
          expect(measure.between(from, to)).toBeLessThanOrEqual(to - from);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('the result of adding a positive duration lies inside working time or at the end of a window', () => {
    fc.assert(
      fc.property(definition, instant, fc.integer({ min: 1, max: 100 * HOUR }), (def, from, ms) => {
        const measure = businessTime(def);
        const end = measure.add(from, ms);
        expect(measure.counts(end - 1)).toBe(true);
      }),
      { numRuns: 200 },
    );
  });
});

function hhmm(minutes: number): string {
  return `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}

/** Drops intervals that overlap an earlier one of the same weekday (calendars are validated to have none). */
function nonOverlapping(hours: WorkingInterval[]): WorkingInterval[] {
  const kept: WorkingInterval[] = [];
  for (const h of hours) {
    const overlaps = kept.some((k) => k.weekday === h.weekday && k.start < h.end && h.start < k.end);
    if (!overlaps) kept.push(h);
  }
  return kept;
}
