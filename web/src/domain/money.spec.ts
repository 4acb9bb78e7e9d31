import { describe, expect, it } from 'vitest';
import { formatMoney, minorDigits, parseAmount } from './money';

describe('money', () => {
  it('knows the minor digits of a currency', () => {
    expect(minorDigits('EUR')).toBe(2);
    expect(minorDigits('JPY')).toBe(0);
    expect(minorDigits('KWD')).toBe(3);
  });

  it('parses amounts written with either separator into minor units', () => {
    expect(parseAmount('12500', 'USD')).toEqual({ ok: true, amountMinor: 1_250_000 });
    expect(parseAmount('12,500.50', 'USD')).toEqual({ ok: true, amountMinor: 1_250_050 });
    expect(parseAmount('12.500,5', 'EUR')).toEqual({ ok: true, amountMinor: 1_250_050 });
    expect(parseAmount('12 500', 'EUR')).toEqual({ ok: true, amountMinor: 1_250_000 });
    expect(parseAmount('12,500', 'USD')).toEqual({ ok: true, amountMinor: 1_250_000 });
    expect(parseAmount('0.5', 'EUR')).toEqual({ ok: true, amountMinor: 50 });
    expect(parseAmount('1,500', 'JPY')).toEqual({ ok: true, amountMinor: 1500 });
    expect(parseAmount('1.250', 'KWD')).toEqual({ ok: true, amountMinor: 1250 });
  });

  it('refuses what is not an amount', () => {
    expect(parseAmount('', 'EUR').ok).toBe(false);
    expect(parseAmount('-5', 'EUR')).toEqual({ ok: false, error: 'The amount cannot be negative' });
    expect(parseAmount('12abc', 'EUR').ok).toBe(false);
    expect(parseAmount('1.2345', 'EUR')).toEqual({ ok: false, error: 'At most 2 decimal places for EUR' });
    expect(parseAmount('1.5', 'JPY')).toEqual({ ok: false, error: 'JPY has no decimal places' });
    expect(parseAmount('99999999999999999999', 'EUR').ok).toBe(false);
  });

  it('formats minor units in the currency', () => {
    expect(formatMoney({ amountMinor: 1_250_050, currency: 'USD' }, { locale: 'en-US' })).toBe('$12,500.5');
    expect(formatMoney({ amountMinor: 1500, currency: 'JPY' }, { locale: 'en-US' })).toBe('¥1,500');
    expect(formatMoney({ amountMinor: 125_000_000, currency: 'EUR' }, { locale: 'en-US', compact: true })).toBe(
      '€1.3M',
    );
    expect(formatMoney(null)).toBe('—');
  });
});
