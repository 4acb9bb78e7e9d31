import { addBusinessDays } from './business-calendar';
import { leastLoaded, roundRobin } from './assignment';
import { conditionHolds, conditionProblems } from './conditions';
import { cancelSubjectOf, changedMatches, crossing, thresholdContribution } from './trigger-matching';

describe('trigger matching', () => {
  it('matches changed from/to with and without the previous state', () => {
    const clause = [{ field: 'status', from: 'open', to: 'won' }];
    expect(changedMatches(clause, { record: { status: 'won' }, previous: { status: 'open' }, changedFields: [] })).toBe(
      true,
    );
    expect(changedMatches(clause, { record: { status: 'won' }, previous: { status: 'won' }, changedFields: [] })).toBe(
      false,
    );
    expect(
      changedMatches([{ field: 'tier', to: 'vip' }], {
        record: { tier: 'vip' },
        previous: null,
        changedFields: ['tier'],
      }),
    ).toBe(true);
    expect(
      changedMatches([{ field: 'tier', to: 'vip' }], {
        record: { tier: 'vip' },
        previous: null,
        changedFields: ['title'],
      }),
    ).toBe(false);
  });

  it('finds the record a cancelling event is about', () => {
    expect(cancelSubjectOf('contact', { entity: 'activity', aggregateId: 'a1', record: { contactId: 'c1' } })).toBe(
      'c1',
    );
    expect(cancelSubjectOf('contact', { entity: 'contact', aggregateId: 'c2', record: {} })).toBe('c2');
    expect(cancelSubjectOf('contact', { entity: 'activity', aggregateId: 'a1', record: {} })).toBeUndefined();
  });

  it('fires a threshold once per crossing and re-arms below', () => {
    const trigger = {
      type: 'threshold' as const,
      source: 'deal' as const,
      groupBy: 'companyId',
      measure: 'amount.amountMinor',
      above: 100,
      where: { '==': [{ var: 'status' }, 'won'] },
    };
    expect(thresholdContribution(trigger, { companyId: 'x', status: 'won', amount: { amountMinor: 60 } })).toEqual({
      groupKey: 'x',
      value: 60,
    });
    expect(thresholdContribution(trigger, { companyId: 'x', status: 'open', amount: { amountMinor: 60 } })).toEqual({
      groupKey: 'x',
      value: 0,
    });
    expect(crossing(trigger, false, 120)).toBe('fire');
    expect(crossing(trigger, true, 150)).toBe('none');
    expect(crossing(trigger, true, 90)).toBe('rearm');
    expect(crossing({ ...trigger, rearmBelow: 50 }, true, 90)).toBe('none');
  });

  it('validates and evaluates JSON Logic without eval', () => {
    expect(conditionProblems({ and: [{ '==': [{ var: 'record.tier' }, 'vip'] }] })).toEqual([]);
    expect(conditionProblems({ exec: ['rm'] })[0]).toMatch(/unknown operation/);
    expect(conditionProblems({ var: 'constructor.prototype' })[0]).toMatch(/not a variable/);
    expect(conditionHolds({ '>': [{ var: 'record.score' }, 5] }, { record: { score: 7 } })).toBe(true);
    expect(conditionHolds(null, {})).toBe(true);
  });

  it('skips yearly holidays given as month-day', () => {
    const calendar = { timezone: 'UTC', workdays: [1, 2, 3, 4, 5], holidays: ['12-25'] };
    // Thursday 2031-12-25 is off every year: one business day after Wednesday is Friday.
    expect(addBusinessDays(new Date('2031-12-24T10:00:00Z'), 1, calendar).toISOString()).toBe(
      '2031-12-26T10:00:00.000Z',
    );
  });

  it('counts business days in the calendar zone, skipping weekends and holidays', () => {
    const calendar = { timezone: 'Europe/Berlin', workdays: [1, 2, 3, 4, 5], holidays: ['2027-01-04'] };
    // Friday 2027-01-01 10:00 Berlin + 3 business days, Monday the 4th off: Thursday the 7th, 10:00 Berlin.
    expect(addBusinessDays(new Date('2027-01-01T09:00:00Z'), 3, calendar).toISOString()).toBe(
      '2027-01-07T09:00:00.000Z',
    );
  });

  it('assigns round-robin and least-loaded, skipping members who are away', () => {
    const now = new Date('2027-01-01T00:00:00Z');
    const members = [
      { userId: 'a', away: false, awayUntil: null },
      { userId: 'b', away: true, awayUntil: null },
      { userId: 'c', away: true, awayUntil: new Date('2026-12-31T00:00:00Z') },
    ];
    expect(roundRobin(members, 0, now)).toEqual({ userId: 'a', nextIndex: 1 });
    expect(roundRobin(members, 1, now)).toEqual({ userId: 'c', nextIndex: 0 });
    expect(
      leastLoaded(
        members,
        new Map([
          ['a', 3],
          ['c', 1],
        ]),
        now,
      ),
    ).toBe('c');
    expect(roundRobin([{ userId: 'b', away: true, awayUntil: null }], 0, now)).toBeUndefined();
  });
});
