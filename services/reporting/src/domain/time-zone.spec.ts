import { canonicalTimeZone, isTimeZone, localDateOf } from './time-zone';

describe('time zones', () => {
  it('knows IANA zones and nothing else', () => {
    expect(isTimeZone('Europe/Berlin')).toBe(true);
    expect(isTimeZone('UTC')).toBe(true);
    expect(isTimeZone('Mars/Olympus_Mons')).toBe(false);
    expect(isTimeZone('')).toBe(false);
    expect(canonicalTimeZone('europe/berlin')).toBe('Europe/Berlin');
  });

  it("dates an instant by the zone's calendar, not UTC's", () => {
    const instant = new Date('2025-03-31T22:30:00Z');
    expect(localDateOf(instant, 'UTC')).toBe('2025-03-31');
    expect(localDateOf(instant, 'Europe/Berlin')).toBe('2025-04-01');
    expect(localDateOf(instant, 'America/Los_Angeles')).toBe('2025-03-31');
  });
});
