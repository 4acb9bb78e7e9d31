// Months and ISO weeks of a period, and the count of open deals at the end of each, from running sums. Pure.
import { addDays, addMonths, isoWeekOf, isoWeekStart, monthOf, startOfIsoWeek, type CalendarDate } from './calendar';
import type { DateRange } from './period';

export type BucketUnit = 'month' | 'week';

/** Every month ("2025-03") or ISO week ("2025-W07") that overlaps the period, in order. */
export function bucketsOf(range: DateRange, unit: BucketUnit): string[] {
  const keys: string[] = [];
  if (unit === 'month') {
    for (let d = `${range.from.slice(0, 7)}-01`; d <= range.to; d = addMonths(d, 1)) keys.push(monthOf(d));
  } else {
    for (let d = startOfIsoWeek(range.from); d <= range.to; d = addDays(d, 7)) keys.push(isoWeekOf(d));
  }
  return keys;
}

/** The day after a bucket's last day, or after the period's when that comes first: the bucket's end within it. */
export function bucketEndWithin(bucket: string, unit: BucketUnit, range: DateRange): CalendarDate | undefined {
  const start = unit === 'month' ? (/^\d{4}-\d{2}$/.test(bucket) ? `${bucket}-01` : undefined) : isoWeekStart(bucket);
  if (!start) return undefined;
  const end = unit === 'month' ? addMonths(start, 1) : addDays(start, 7);
  const periodEnd = addDays(range.to, 1);
  return end < periodEnd ? end : periodEnd;
}

export interface CountByCurrency {
  group: string;
  currency: string;
  count: number;
}

/**
 * Deals open at the end of each bucket: those open at the period's start, plus those created, minus those closed,
 * up to and including the bucket. (A deal created and closed in one bucket adds nothing.)
 */
export function openAtBucketEnds(
  buckets: readonly string[],
  openAtStart: ReadonlyArray<{ currency: string; count: number }>,
  created: readonly CountByCurrency[],
  closed: readonly CountByCurrency[],
): CountByCurrency[] {
  const running = new Map<string, number>();
  for (const o of openAtStart) running.set(o.currency, (running.get(o.currency) ?? 0) + o.count);
  const out: CountByCurrency[] = [];
  for (const bucket of buckets) {
    for (const c of created) if (c.group === bucket) running.set(c.currency, (running.get(c.currency) ?? 0) + c.count);
    for (const c of closed) if (c.group === bucket) running.set(c.currency, (running.get(c.currency) ?? 0) - c.count);
    for (const [currency, count] of running) if (count !== 0) out.push({ group: bucket, currency, count });
  }
  return out;
}
