// Business days for relative time triggers: the ticket service's calendars when a rule names one, else the
// tenant default (config). Counting happens in the calendar's time zone and keeps the local time of day.
import { DateTime } from 'luxon';

export interface BusinessCalendar {
  timezone: string;
  /** ISO weekdays that are worked, 1 = Monday .. 7 = Sunday. */
  workdays: readonly number[];
  /** Days off in the calendar's zone: "2027-12-25" once, or "12-25" every year. */
  holidays: readonly string[];
}

export function isValidTimezone(zone: string): boolean {
  return DateTime.now().setZone(zone).isValid;
}

function isWorkday(day: DateTime, calendar: BusinessCalendar): boolean {
  const date = day.toISODate() ?? '';
  const off = calendar.holidays.some((h) => h === date || (h.length === 5 && date.endsWith(`-${h}`)));
  return calendar.workdays.includes(day.weekday) && !off;
}

/** The time `days` business days after `start`: the same local time on the days-th following workday. */
export function addBusinessDays(start: Date, days: number, calendar: BusinessCalendar): Date {
  if (calendar.workdays.length === 0) throw new Error('a business calendar needs at least one workday');
  let day = DateTime.fromJSDate(start, { zone: calendar.timezone });
  let left = Math.max(0, Math.floor(days));
  // A bounded walk: a calendar with workdays always reaches one within a year and a week.
  for (let guard = 0; left > 0 && guard < days * 7 + 400; guard++) {
    day = day.plus({ days: 1 });
    if (isWorkday(day, calendar)) left--;
  }
  return day.toJSDate();
}
