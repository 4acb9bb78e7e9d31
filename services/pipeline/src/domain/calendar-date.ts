// Calendar dates as ISO 8601 strings ("2025-03-31"), which sort and compare as strings. Periods are in UTC.

const DATE_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;

export interface DateRange {
  /** Inclusive. */
  start: string;
  /** Inclusive. */
  end: string;
}

export function isCalendarDate(value: string): boolean {
  const match = DATE_PATTERN.exec(value);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/** The UTC calendar date of an instant. */
export function utcDateOf(instant: Date): string {
  return instant.toISOString().slice(0, 10);
}

/** "2025-03" → 2025-03-01..2025-03-31, or undefined when malformed. */
export function monthRange(month: string): DateRange | undefined {
  const match = /^(\d{4})-(\d{2})$/.exec(month);
  if (!match) return undefined;
  const year = Number(match[1]);
  const index = Number(match[2]) - 1;
  if (index < 0 || index > 11) return undefined;
  return { start: `${month}-01`, end: utcDateOf(new Date(Date.UTC(year, index + 1, 0))) };
}

/** "2025-Q1" → 2025-01-01..2025-03-31, or undefined when malformed. */
export function quarterRange(quarter: string): DateRange | undefined {
  const match = /^(\d{4})-Q([1-4])$/.exec(quarter);
  if (!match) return undefined;
  const year = Number(match[1]);
  const first = (Number(match[2]) - 1) * 3;
  return {
    start: utcDateOf(new Date(Date.UTC(year, first, 1))),
    end: utcDateOf(new Date(Date.UTC(year, first + 3, 0))),
  };
}

/** The months ("2025-03") a range touches, in order. */
export function monthsOf(range: DateRange): string[] {
  const months: string[] = [];
  let year = Number(range.start.slice(0, 4));
  let month = Number(range.start.slice(5, 7));
  const last = range.end.slice(0, 7);
  for (;;) {
    const key = `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}`;
    months.push(key);
    if (key >= last) return months;
    month += 1;
    if (month > 12) {
      month = 1;
      year += 1;
    }
  }
}
