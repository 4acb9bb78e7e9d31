// Business-time arithmetic over a weekly calendar in an IANA time zone: adding a duration of working time to an
// instant, and measuring the working time between two instants. Local dates and times are resolved by Luxon
// (the zone database of the runtime), never by hand-written offset math, so DST changes, zones east and west of
// UTC and days of 23 or 25 hours come out right. Pure: no clock, no I/O.
import { DateTime } from 'luxon';

/** One working interval of a weekday in local time; several per day leave breaks between them. */
export interface WorkingInterval {
  /** 1 = Monday .. 7 = Sunday (ISO 8601). */
  weekday: number;
  /** "HH:MM". */
  start: string;
  /** "HH:MM" after start; "24:00" ends the day. */
  end: string;
}

/** A day off: "YYYY-MM-DD" once, or "MM-DD" every year. */
export interface Holiday {
  name: string;
  date: string;
  yearly: boolean;
}

export interface CalendarDefinition {
  timeZone: string;
  hours: readonly WorkingInterval[];
  holidays: readonly Holiday[];
}

/** How a target's time is counted: working time of a calendar, or plain elapsed time. */
export interface TimeMeasure {
  /** The instant `ms` of counted time after `from`; `from` itself for 0. */
  add(from: number, ms: number): number;
  /** Counted time in [from, to); 0 when to <= from. */
  between(from: number, to: number): number;
  /** Whether `at` is inside counted time. */
  counts(at: number): boolean;
}

/** Working time is searched this many days ahead at most (a calendar whose holidays cover everything). */
const HORIZON_DAYS = 3 * 366;
const MINUTES_PER_DAY = 24 * 60;

export const calendarTime: TimeMeasure = {
  add: (from, ms) => from + Math.max(0, ms),
  between: (from, to) => Math.max(0, to - from),
  counts: () => true,
};

interface CompiledCalendar {
  zone: string;
  /** Index 1..7: sorted [startMinute, endMinute) of local time. */
  days: Array<Array<[number, number]>>;
  oneOff: Set<string>;
  yearly: Set<string>;
  /** Windows by local day number (days since 1970-01-01); bounded, cleared when full. */
  cache: Map<number, Array<[number, number]>>;
}

const DAY_MS = 86_400_000;
const CACHE_DAYS = 4096;

export function parseClock(text: string): number | undefined {
  const match = /^([01]\d|2[0-4]):([0-5]\d)$/.exec(text);
  if (!match) return undefined;
  const minutes = Number(match[1]) * 60 + Number(match[2]);
  return minutes <= MINUTES_PER_DAY ? minutes : undefined;
}

export function isKnownTimeZone(zone: string): boolean {
  return zone.length > 0 && DateTime.now().setZone(zone).isValid;
}

const compiled = new WeakMap<CalendarDefinition, CompiledCalendar>();

function compile(calendar: CalendarDefinition): CompiledCalendar {
  const cached = compiled.get(calendar);
  if (cached) return cached;
  const days: Array<Array<[number, number]>> = Array.from({ length: 8 }, () => []);
  for (const interval of calendar.hours) {
    const start = parseClock(interval.start);
    const end = parseClock(interval.end);
    if (start === undefined || end === undefined || end <= start || interval.weekday < 1 || interval.weekday > 7)
      throw new Error(`invalid working interval ${JSON.stringify(interval)}`);
    days[interval.weekday]?.push([start, end]);
  }
  for (const day of days) day.sort((a, b) => a[0] - b[0]);
  if (!isKnownTimeZone(calendar.timeZone)) throw new Error(`unknown time zone "${calendar.timeZone}"`);
  const result: CompiledCalendar = {
    zone: calendar.timeZone,
    days,
    oneOff: new Set(calendar.holidays.filter((h) => !h.yearly).map((h) => h.date)),
    yearly: new Set(calendar.holidays.filter((h) => h.yearly).map((h) => h.date)),
    cache: new Map(),
  };
  compiled.set(calendar, result);
  return result;
}

/** The local calendar date of an instant, as a day number (days since 1970-01-01). */
function dayOf(at: number, zone: string): number {
  const local = DateTime.fromMillis(at, { zone });
  return Math.floor(Date.UTC(local.year, local.month - 1, local.day) / DAY_MS);
}

/** The working windows of one local date as UTC epoch milliseconds, in order. */
function windowsOfDay(calendar: CompiledCalendar, day: number): Array<[number, number]> {
  const cached = calendar.cache.get(day);
  if (cached) return cached;
  const date = new Date(day * DAY_MS);
  const iso = date.toISOString().slice(0, 10);
  const weekday = date.getUTCDay() === 0 ? 7 : date.getUTCDay();
  const windows: Array<[number, number]> =
    calendar.oneOff.has(iso) || calendar.yearly.has(iso.slice(5))
      ? []
      : (calendar.days[weekday] ?? []).map(([start, end]) => [
          localInstant(calendar.zone, day, start),
          localInstant(calendar.zone, day, end),
        ]);
  if (calendar.cache.size >= CACHE_DAYS) calendar.cache.clear();
  calendar.cache.set(day, windows);
  return windows;
}

/**
 * The instant of a local wall-clock time. A time that does not exist (skipped by a DST change in spring) is
 * moved forward by the gap, as Luxon does; an ambiguous one (repeated in autumn) is its first occurrence.
 */
function localInstant(zone: string, day: number, minutes: number): number {
  if (minutes === MINUTES_PER_DAY) return localInstant(zone, day + 1, 0);
  const date = new Date(day * DAY_MS);
  return DateTime.fromObject(
    {
      year: date.getUTCFullYear(),
      month: date.getUTCMonth() + 1,
      day: date.getUTCDate(),
      hour: Math.floor(minutes / 60),
      minute: minutes % 60,
    },
    { zone },
  ).toMillis();
}

/** Working windows that end after `from`, clipped to start no earlier than it, in order. */
function* windowsFrom(calendar: CompiledCalendar, from: number): Generator<[number, number]> {
  // A window of the previous local date can reach into this one only through a DST quirk; start a day early.
  const first = dayOf(from, calendar.zone) - 1;
  for (let day = first; day < first + HORIZON_DAYS; day++) {
    for (const [start, end] of windowsOfDay(calendar, day)) {
      if (end <= from) continue;
      yield [Math.max(start, from), end];
    }
  }
  throw new Error(`no working time within ${HORIZON_DAYS} days of ${new Date(from).toISOString()}`);
}

/** Working time of the calendar as a TimeMeasure. */
export function businessTime(definition: CalendarDefinition): TimeMeasure {
  const calendar = compile(definition);
  return {
    add(from, ms) {
      if (ms <= 0) return from;
      let remaining = ms;
      for (const [start, end] of windowsFrom(calendar, from)) {
        const length = end - start;
        if (remaining <= length) return start + remaining;
        remaining -= length;
      }
      /* c8 ignore next */
      throw new Error('unreachable');
    },
    between(from, to) {
      if (to <= from) return 0;
      let total = 0;
      for (const [start, end] of windowsFrom(calendar, from)) {
        if (start >= to) break;
        total += Math.min(end, to) - start;
      }
      return total;
    },
    counts(at) {
      return windowsOfDay(calendar, dayOf(at, calendar.zone)).some(([start, end]) => start <= at && at < end);
    },
  };
}

/** The measure of a target: business hours of the calendar when asked for and one is given, else calendar time. */
export function measureFor(businessHours: boolean, calendar: CalendarDefinition | undefined): TimeMeasure {
  return businessHours && calendar ? businessTime(calendar) : calendarTime;
}
