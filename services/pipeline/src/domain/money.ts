// Money is an integer number of minor units plus an ISO 4217 currency; amounts are never converted.
import type { FieldViolation } from '@crm/service-kit';

export interface Money {
  amountMinor: number;
  currency: string;
}

const KNOWN_CURRENCIES = new Set(Intl.supportedValuesOf('currency'));

export function isCurrency(code: string): boolean {
  return /^[A-Z]{3}$/.test(code) && KNOWN_CURRENCIES.has(code);
}

export function moneyViolations(money: Money | undefined, field: string): FieldViolation[] {
  if (!money)
    return [{ field, description: 'is required (an amount in minor units and a currency; 0 when not known yet)' }];
  const violations: FieldViolation[] = [];
  if (!Number.isSafeInteger(money.amountMinor) || money.amountMinor < 0)
    violations.push({ field: `${field}.amountMinor`, description: 'must be a whole number of minor units, 0 or more' });
  if (!isCurrency(money.currency))
    violations.push({
      field: `${field}.currency`,
      description: 'must be an ISO 4217 currency code such as USD or EUR',
    });
  return violations;
}

/** Σ amount × probability / 100 over parts, rounded once at the end so that totals never drift by a cent per deal. */
export function weightedSum(parts: Iterable<{ amountMinor: number; probability: number }>): number {
  let hundredths = 0;
  for (const part of parts) hundredths += part.amountMinor * part.probability;
  return Math.round(hundredths / 100);
}
