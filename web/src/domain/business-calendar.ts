// Editing business calendars and SLA targets: the weekly hours as rows per weekday (several rows leave breaks),
// checks the API would refuse (overlaps, an end before its start, bad holiday dates) shown before saving, and
// target durations in hours and minutes.

export interface WorkingInterval {
  weekday: number;
  start: string;
  end: string;
}

export interface Holiday {
  name: string;
  date: string;
  yearly: boolean;
}

export const WEEKDAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'] as const;

const CLOCK = /^(([01]\d|2[0-3]):[0-5]\d|24:00)$/;

export function minutesOf(clock: string): number {
  const [h, m] = clock.split(':').map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
}

/** The intervals of each ISO weekday (1 = Monday … 7 = Sunday), sorted by start. */
export function hoursByWeekday(hours: readonly WorkingInterval[]): Map<number, WorkingInterval[]> {
  const out = new Map<number, WorkingInterval[]>();
  for (let d = 1; d <= 7; d += 1) out.set(d, []);
  for (const h of hours) out.get(h.weekday)?.push(h);
  for (const list of out.values()) list.sort((a, b) => minutesOf(a.start) - minutesOf(b.start));
  return out;
}

/** Problems keyed by row ("hours[3]", "holidays[0]"); empty when the calendar can be saved. */
export function calendarProblems(calendar: {
  name: string;
  timeZone: string;
  hours: readonly WorkingInterval[];
  holidays: readonly Holiday[];
}): Record<string, string> {
  const problems: Record<string, string> = {};
  if (!calendar.name.trim()) problems.name = 'Give the calendar a name';
  if (!isTimeZone(calendar.timeZone)) problems.timeZone = 'Not an IANA time zone (e.g. Europe/Berlin)';
  if (calendar.hours.length === 0) problems.hours = 'Add at least one working interval';
  calendar.hours.forEach((h, i) => {
    if (!CLOCK.test(h.start) || !CLOCK.test(h.end)) problems[`hours[${i}]`] = 'Times are HH:MM';
    else if (minutesOf(h.end) <= minutesOf(h.start)) problems[`hours[${i}]`] = 'Ends before it starts';
  });
  for (const [, list] of hoursByWeekday(calendar.hours)) {
    for (let i = 1; i < list.length; i += 1) {
      const prev = list[i - 1]!;
      const cur = list[i]!;
      if (minutesOf(cur.start) < minutesOf(prev.end)) {
        const index = calendar.hours.indexOf(cur);
        problems[`hours[${index}]`] ??= `Overlaps ${prev.start}–${prev.end}`;
      }
    }
  }
  calendar.holidays.forEach((h, i) => {
    if (!h.name.trim()) problems[`holidays[${i}]`] = 'Name the holiday';
    else if (!holidayDateValid(h))
      problems[`holidays[${i}]`] = h.yearly ? 'Yearly dates are MM-DD' : 'Dates are YYYY-MM-DD';
  });
  return problems;
}

export function holidayDateValid(h: Holiday): boolean {
  const m = h.yearly ? /^(\d{2})-(\d{2})$/.exec(h.date) : /^\d{4}-(\d{2})-(\d{2})$/.exec(h.date);
  if (!m) return false;
  const month = Number(m[1]);
  const day = Number(m[2]);
  return month >= 1 && month <= 12 && day >= 1 && day <= 31;
}

export function isTimeZone(zone: string): boolean {
  if (!zone.trim()) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** Monday to Friday, 09:00–17:00: where a new calendar starts. */
export function defaultWeek(): WorkingInterval[] {
  return [1, 2, 3, 4, 5].map((weekday) => ({ weekday, start: '09:00', end: '17:00' }));
}

/** Seconds as the target editor shows them: whole hours and minutes. */
export function splitDuration(seconds: number): { hours: number; minutes: number } {
  const minutes = Math.round(seconds / 60);
  return { hours: Math.floor(minutes / 60), minutes: minutes % 60 };
}

export function joinDuration(hours: number, minutes: number): number {
  return Math.max(0, Math.round(hours)) * 3600 + Math.max(0, Math.round(minutes)) * 60;
}

/** "4h", "30m", "1h 30m", "2d 4h" for a target's length. */
export function formatDuration(seconds: number): string {
  const { hours, minutes } = splitDuration(seconds);
  const days = Math.floor(hours / 24);
  const h = hours % 24;
  const parts = [days ? `${days}d` : '', h ? `${h}h` : '', minutes ? `${minutes}m` : ''].filter(Boolean);
  return parts.join(' ') || '0m';
}

/** Policies in the order the service evaluates them (position, then name), and positions spaced by ten. */
export function orderPolicies<T extends { position: number; name: string }>(policies: readonly T[]): T[] {
  return [...policies].sort((a, b) => a.position - b.position || a.name.localeCompare(b.name));
}

/** New positions after moving the policy at `from` to `to`: 10, 20, 30… so later inserts fit between. */
export function reorderPositions<T extends { id: string }>(
  ordered: readonly T[],
  from: number,
  to: number,
): Map<string, number> {
  const list = [...ordered];
  const [moved] = list.splice(from, 1);
  if (moved) list.splice(Math.max(0, Math.min(to, list.length)), 0, moved);
  return new Map(list.map((p, i) => [p.id, (i + 1) * 10]));
}
