import { isCalendarDate, monthRange, monthsOf, quarterRange, utcDateOf } from './calendar-date';

describe('calendar dates', () => {
  it('accepts real dates only', () => {
    expect(isCalendarDate('2024-02-29')).toBe(true);
    expect(isCalendarDate('2025-02-29')).toBe(false);
    expect(isCalendarDate('2025-13-01')).toBe(false);
    expect(isCalendarDate('2025-1-01')).toBe(false);
    expect(isCalendarDate('')).toBe(false);
  });

  it('turns months and quarters into inclusive ranges', () => {
    expect(monthRange('2024-02')).toEqual({ start: '2024-02-01', end: '2024-02-29' });
    expect(monthRange('2025-12')).toEqual({ start: '2025-12-01', end: '2025-12-31' });
    expect(monthRange('2025-13')).toBeUndefined();
    expect(quarterRange('2025-Q1')).toEqual({ start: '2025-01-01', end: '2025-03-31' });
    expect(quarterRange('2025-Q4')).toEqual({ start: '2025-10-01', end: '2025-12-31' });
    expect(quarterRange('2025-Q5')).toBeUndefined();
  });

  it('lists the months a range touches across a year end', () => {
    expect(monthsOf({ start: '2024-11-15', end: '2025-02-01' })).toEqual(['2024-11', '2024-12', '2025-01', '2025-02']);
    expect(monthsOf({ start: '2025-03-01', end: '2025-03-31' })).toEqual(['2025-03']);
  });

  it('takes the UTC date of an instant', () => {
    expect(utcDateOf(new Date('2025-03-31T23:30:00-02:00'))).toBe('2025-04-01');
  });
});
