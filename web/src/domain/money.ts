// Money is an integer in the currency's minor unit plus an ISO 4217 code, as the API carries it.

export interface MoneyValue {
  amountMinor: number;
  currency: string;
}

/** Digits after the decimal point for a currency (2 for EUR, 0 for JPY, 3 for KWD). */
export function minorDigits(currency: string): number {
  try {
    return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
  } catch {
    return 2;
  }
}

export function formatMoney(
  money: MoneyValue | null | undefined,
  options: { compact?: boolean; locale?: string } = {},
) {
  if (!money || !money.currency) return '—';
  const digits = minorDigits(money.currency);
  const value = money.amountMinor / 10 ** digits;
  try {
    return new Intl.NumberFormat(options.locale, {
      style: 'currency',
      currency: money.currency,
      ...(options.compact
        ? { notation: 'compact', maximumFractionDigits: 1 }
        : { minimumFractionDigits: 0, maximumFractionDigits: digits }),
    }).format(value);
  } catch {
    return `${value.toFixed(digits)} ${money.currency}`;
  }
}

export type ParsedAmount = { ok: true; amountMinor: number } | { ok: false; error: string };

/**
 * "12,500.50", "12.500,50", "12500,5" or "12 500" in major units to minor units: the last "." or "," is the
 * decimal separator when at most the currency's digits follow it; every other separator groups thousands.
 */
export function parseAmount(input: string, currency: string): ParsedAmount {
  const text = input.trim().replace(/[\s\u00a0\u202f']/g, '');
  if (text === '') return { ok: false, error: 'Enter an amount' };
  if (text.startsWith('-')) return { ok: false, error: 'The amount cannot be negative' };
  if (!/^[\d.,]+$/.test(text) || !/\d/.test(text)) return { ok: false, error: 'Use digits only, e.g. 12500.50' };
  const digits = minorDigits(currency);
  const lastSep = Math.max(text.lastIndexOf('.'), text.lastIndexOf(','));
  let whole = text;
  let fraction = '';
  if (lastSep >= 0) {
    const tail = text.slice(lastSep + 1);
    if (tail.length <= digits) {
      whole = text.slice(0, lastSep);
      fraction = tail;
    } else if (tail.length !== 3) {
      return digits === 0
        ? { ok: false, error: `${currency} has no decimal places` }
        : { ok: false, error: `At most ${digits} decimal places for ${currency}` };
    }
  }
  const magnitude = Number(`${whole.replace(/[.,]/g, '') || '0'}${fraction.padEnd(digits, '0')}`);
  if (!Number.isSafeInteger(magnitude)) return { ok: false, error: 'The amount is too large' };
  return { ok: true, amountMinor: magnitude };
}

export const COMMON_CURRENCIES = ['USD', 'EUR', 'GBP', 'CHF', 'JPY', 'CAD', 'AUD', 'SEK', 'NOK', 'DKK', 'PLN', 'INR'];
