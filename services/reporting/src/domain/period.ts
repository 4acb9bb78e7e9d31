// The period a dashboard covers: calendar dates in the tenant's time zone, from and to both inclusive. Pure: the
// caller passes today's date in that zone.
import { invalidArgument, type FieldViolation } from '@crm/service-kit';
import {
  addDays,
  addMonths,
  endOfMonth,
  isCalendarDate,
  isoWeekStart,
  startOfIsoWeek,
  startOfMonth,
  startOfQuarter,
  startOfYear,
  type CalendarDate,
} from './calendar';

export interface DateRange {
  from: CalendarDate;
  to: CalendarDate;
}

export interface PeriodInput {
  from: string;
  to: string;
  /** A named period; see NAMED_PERIODS and the fixed forms in resolveNamedPeriod. */
  period: string;
}

export const MAX_RANGE_YEARS = 5;

export const NAMED_PERIODS = [
  'this_week',
  'last_week',
  'this_month',
  'last_month',
  'this_quarter',
  'last_quarter',
  'this_year',
  'last_year',
] as const;

const DATE_HINT = 'must be a calendar date like 2025-03-31';

/**
 * Either from and to, or a named period; neither means the current month. A range is at most 5 years long
 * (2020-01-01 to 2024-12-31 is the longest from 2020-01-01). Violations name the field: from, to or period.
 */
export function resolvePeriod(input: PeriodInput, today: CalendarDate): DateRange {
  const violations: FieldViolation[] = [];
  if (input.period && (input.from || input.to))
    throw invalidArgument([{ field: 'period', description: 'give either period or from and to, not both' }]);
  if (input.period) {
    const range = resolveNamedPeriod(input.period, today);
    if (!range)
      throw invalidArgument([
        {
          field: 'period',
          description: `must be YYYY, YYYY-Qn, YYYY-MM, YYYY-Www or one of ${NAMED_PERIODS.join(', ')}`,
        },
      ]);
    return range;
  }
  if (!input.from && !input.to) return { from: startOfMonth(today), to: endOfMonth(today) };
  if (!input.from) violations.push({ field: 'from', description: 'is required with to' });
  else if (!isCalendarDate(input.from)) violations.push({ field: 'from', description: DATE_HINT });
  if (input.to && !isCalendarDate(input.to)) violations.push({ field: 'to', description: DATE_HINT });
  if (violations.length) throw invalidArgument(violations);
  const range = { from: input.from, to: input.to || today };
  if (range.from > range.to) throw invalidArgument([{ field: 'from', description: 'must not be after to' }]);
  if (range.to >= addMonths(range.from, 12 * MAX_RANGE_YEARS))
    throw invalidArgument([{ field: 'to', description: `must be less than ${MAX_RANGE_YEARS} years after from` }]);
  return range;
}

/** A named period as dates, or undefined when the name is not one. */
export function resolveNamedPeriod(name: string, today: CalendarDate): DateRange | undefined {
  const quarter = (start: CalendarDate) => ({ from: start, to: addDays(addMonths(start, 3), -1) });
  const year = (start: CalendarDate) => ({ from: start, to: addDays(addMonths(start, 12), -1) });
  const week = (start: CalendarDate) => ({ from: start, to: addDays(start, 6) });
  const month = (start: CalendarDate) => ({ from: start, to: endOfMonth(start) });
  switch (name) {
    case 'this_week':
      return week(startOfIsoWeek(today));
    case 'last_week':
      return week(addDays(startOfIsoWeek(today), -7));
    case 'this_month':
      return month(startOfMonth(today));
    case 'last_month':
      return month(addMonths(startOfMonth(today), -1));
    case 'this_quarter':
      return quarter(startOfQuarter(today));
    case 'last_quarter':
      return quarter(addMonths(startOfQuarter(today), -3));
    case 'this_year':
      return year(startOfYear(today));
    case 'last_year':
      return year(addMonths(startOfYear(today), -12));
  }
  if (/^\d{4}$/.test(name)) return year(`${name}-01-01`);
  const q = /^(\d{4})-Q([1-4])$/.exec(name);
  if (q) return quarter(`${q[1]}-${String((Number(q[2]) - 1) * 3 + 1).padStart(2, '0')}-01`);
  if (/^\d{4}-(0[1-9]|1[0-2])$/.test(name)) return month(`${name}-01`);
  const w = isoWeekStart(name);
  return w ? week(w) : undefined;
}
