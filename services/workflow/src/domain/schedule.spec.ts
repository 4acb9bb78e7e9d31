import { nextOccurrence } from './schedule';

/** The next `count` occurrences after `from`, as ISO strings. */
function occurrences(cron: string, timezone: string, from: string, count: number): string[] {
  const out: string[] = [];
  let after = new Date(from);
  for (let i = 0; i < count; i++) {
    const next = nextOccurrence({ cron, timezone }, after);
    if (!next) break;
    out.push(next.toISOString());
    after = next;
  }
  return out;
}

describe('schedule triggers', () => {
  it('keeps the local time across a DST change (the UTC time moves)', () => {
    expect(occurrences('0 9 * * *', 'America/New_York', '2027-03-13T00:00:00Z', 3)).toEqual([
      '2027-03-13T14:00:00.000Z',
      '2027-03-14T13:00:00.000Z',
      '2027-03-15T13:00:00.000Z',
    ]);
    expect(occurrences('0 9 * * 1', 'Europe/Berlin', '2027-10-20T00:00:00Z', 2)).toEqual([
      '2027-10-25T07:00:00.000Z',
      '2027-11-01T08:00:00.000Z',
    ]);
  });

  it('fires a local time that the spring change skips once, at the shift', () => {
    expect(occurrences('30 2 * * *', 'Europe/Berlin', '2027-03-27T00:00:00Z', 3)).toEqual([
      '2027-03-27T01:30:00.000Z',
      '2027-03-28T01:00:00.000Z',
      '2027-03-29T00:30:00.000Z',
    ]);
  });

  it('fires a local time that the autumn change repeats once', () => {
    expect(occurrences('30 1 * * *', 'America/New_York', '2027-11-06T12:00:00Z', 2)).toEqual([
      '2027-11-07T05:30:00.000Z',
      '2027-11-08T06:30:00.000Z',
    ]);
    expect(occurrences('30 2 * * *', 'Europe/Berlin', '2027-10-30T12:00:00Z', 2)).toEqual([
      '2027-10-31T00:30:00.000Z',
      '2027-11-01T01:30:00.000Z',
    ]);
  });

  it('counts strictly after the given time, to the second', () => {
    const trigger = { cron: '*/2 * * * * *', timezone: 'UTC' };
    expect(nextOccurrence(trigger, new Date('2027-01-01T09:00:00.000Z'))?.toISOString()).toBe(
      '2027-01-01T09:00:02.000Z',
    );
    expect(
      nextOccurrence({ cron: '0 0 1 1 *', timezone: 'UTC' }, new Date('2027-06-01T00:00:00Z'))?.toISOString(),
    ).toBe('2028-01-01T00:00:00.000Z');
  });
});
