// Forecast periods as calendar dates (YYYY-MM-DD), computed from a given day so they are testable.

export type PeriodPreset = 'this-month' | 'next-month' | 'this-quarter' | 'next-quarter' | 'this-year';

export interface Period {
  from: string;
  to: string;
}

function iso(year: number, month: number, day: number): string {
  return `${String(year).padStart(4, '0')}-${String(month + 1).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

function lastDay(year: number, month: number): number {
  return new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
}

function monthSpan(year: number, month: number, months: number): Period {
  const start = new Date(Date.UTC(year, month, 1));
  const end = new Date(Date.UTC(year, month + months - 1, 1));
  return {
    from: iso(start.getUTCFullYear(), start.getUTCMonth(), 1),
    to: iso(end.getUTCFullYear(), end.getUTCMonth(), lastDay(end.getUTCFullYear(), end.getUTCMonth())),
  };
}

export function periodOf(preset: PeriodPreset, today: Date): Period {
  const year = today.getFullYear();
  const month = today.getMonth();
  const quarterStart = month - (month % 3);
  switch (preset) {
    case 'this-month':
      return monthSpan(year, month, 1);
    case 'next-month':
      return monthSpan(year, month + 1, 1);
    case 'this-quarter':
      return monthSpan(year, quarterStart, 3);
    case 'next-quarter':
      return monthSpan(year, quarterStart + 3, 3);
    case 'this-year':
      return monthSpan(year, 0, 12);
  }
}

export const PERIOD_LABELS: Record<PeriodPreset, string> = {
  'this-month': 'This month',
  'next-month': 'Next month',
  'this-quarter': 'This quarter',
  'next-quarter': 'Next quarter',
  'this-year': 'This year',
};
