export type TimeUnit = 'seconds' | 'minutes' | 'hours' | 'days' | 'business_days';

export const TIME_UNITS: readonly TimeUnit[] = ['seconds', 'minutes', 'hours', 'days', 'business_days'];

const MS: Record<Exclude<TimeUnit, 'business_days'>, number> = {
  seconds: 1_000,
  minutes: 60_000,
  hours: 3_600_000,
  days: 86_400_000,
};

export interface Duration {
  amount: number;
  unit: TimeUnit;
}

/** Calendar time (not business days) in ms. */
export function durationMs(duration: Duration): number {
  if (duration.unit === 'business_days') throw new Error('business days need a calendar');
  return duration.amount * MS[duration.unit];
}
