import { dayOf, descendingWithin, hourOf, slotMarkers, slotOf, yearOf } from './list-slots';

describe('list slots', () => {
  const at = new Date('2026-11-22T20:15:42.731Z');

  it('puts a write in its second, hour, day and year', () => {
    const second = slotOf(at);
    expect(second).toBe(Math.floor(at.getTime() / 1000));
    expect(hourOf(second)).toBe(Math.floor(at.getTime() / 3_600_000));
    expect(dayOf(second)).toBe(Math.floor(at.getTime() / 86_400_000));
    expect(yearOf(second)).toBe(2026);
    expect(yearOf(slotOf(new Date('2026-12-31T23:59:59.999Z')))).toBe(2026);
    expect(yearOf(slotOf(new Date('2027-01-01T00:00:00.000Z')))).toBe(2027);
  });

  it('leaves one marker per level, each naming its parent, and none twice', () => {
    const sameSecond = new Date(at.getTime() + 100);
    const nextHour = new Date(at.getTime() + 3_600_000);
    const markers = slotMarkers('acme', [at, sameSecond, nextHour]);
    const second = slotOf(at);
    expect(markers.filter((m) => m.yearMark)).toEqual([
      { _id: 'y:acme:2026', tenantId: 'acme', yearMark: true, year: 2026 },
    ]);
    expect(markers.filter((m) => m.inYear !== undefined)).toHaveLength(1);
    expect(markers.filter((m) => m.inDay !== undefined).map((m) => m.hour)).toEqual([
      hourOf(second),
      hourOf(second) + 1,
    ]);
    expect(markers.filter((m) => m.inHour !== undefined)).toEqual([
      { _id: `s:acme:${second}`, tenantId: 'acme', inHour: hourOf(second), second },
      { _id: `s:acme:${second + 3600}`, tenantId: 'acme', inHour: hourOf(second) + 1, second: second + 3600 },
    ]);
  });

  it('walks values within a range, highest first, once each', () => {
    expect(descendingWithin([3, 9, 1, 7, 9, 5], 3, 8)).toEqual([7, 5, 3]);
  });
});
