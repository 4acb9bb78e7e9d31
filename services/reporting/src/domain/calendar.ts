// Calendar dates ("2025-03-31") without a time or zone: the unit of reporting periods. Arithmetic runs on UTC
// midnights, where every day has 24 hours. Pure.

export type CalendarDate = string;

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DAY_MS = 86_400_000;

export function isCalendarDate(value: string): boolean {
  const match = DATE.exec(value);
  if (!match) return false;
  const [, y, m, d] = match.map(Number) as [number, number, number, number];
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}

function toUtc(date: CalendarDate): Date {
  return new Date(`${date}T00:00:00Z`);
}

function fromUtc(date: Date): CalendarDate {
  return date.toISOString().slice(0, 10);
}

export function addDays(date: CalendarDate, days: number): CalendarDate {
  return fromUtc(new Date(toUtc(date).getTime() + days * DAY_MS));
}

/** Whole months later, clamped to the month's last day (Jan 31 + 1 month = Feb 28/29). */
export function addMonths(date: CalendarDate, months: number): CalendarDate {
  const d = toUtc(date);
  const target = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + months, 1));
  const lastDay = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
  target.setUTCDate(Math.min(d.getUTCDate(), lastDay));
  return fromUtc(target);
}

export function startOfMonth(date: CalendarDate): CalendarDate {
  return `${date.slice(0, 7)}-01`;
}

export function endOfMonth(date: CalendarDate): CalendarDate {
  return addDays(addMonths(startOfMonth(date), 1), -1);
}

export function startOfQuarter(date: CalendarDate): CalendarDate {
  const month = Number(date.slice(5, 7));
  const first = Math.floor((month - 1) / 3) * 3 + 1;
  return `${date.slice(0, 4)}-${String(first).padStart(2, '0')}-01`;
}

export function startOfYear(date: CalendarDate): CalendarDate {
  return `${date.slice(0, 4)}-01-01`;
}

/** Monday of the ISO week holding the date. */
export function startOfIsoWeek(date: CalendarDate): CalendarDate {
  const weekday = (toUtc(date).getUTCDay() + 6) % 7; // Monday 0 .. Sunday 6
  return addDays(date, -weekday);
}

/** "2025-W07": the ISO 8601 week (weeks start on Monday; week 1 holds the year's first Thursday). */
export function isoWeekOf(date: CalendarDate): string {
  const thursday = addDays(startOfIsoWeek(date), 3);
  const year = Number(thursday.slice(0, 4));
  const week = Math.floor(daysBetween(`${year}-01-01`, thursday) / 7) + 1;
  return `${year}-W${String(week).padStart(2, '0')}`;
}

/** Monday of an ISO week ("2025-W07"), or undefined when the year has no such week. */
export function isoWeekStart(week: string): CalendarDate | undefined {
  const match = /^(\d{4})-W(\d{2})$/.exec(week);
  if (!match) return undefined;
  const [year, number] = [Number(match[1]), Number(match[2])];
  const week1 = startOfIsoWeek(`${match[1]}-01-04`);
  const start = addDays(week1, (number - 1) * 7);
  return number >= 1 && isoWeekOf(start) === `${year}-W${match[2]}` ? start : undefined;
}

/** "2025-03" */
export function monthOf(date: CalendarDate): string {
  return date.slice(0, 7);
}

/** Days from a to b (negative when b is earlier). */
export function daysBetween(a: CalendarDate, b: CalendarDate): number {
  return Math.round((toUtc(b).getTime() - toUtc(a).getTime()) / DAY_MS);
}
