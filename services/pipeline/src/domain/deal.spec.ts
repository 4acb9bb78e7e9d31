import { forecastDateOf } from './deal';
import { moneyViolations, weightedSum } from './money';

describe('deal facts', () => {
  it('forecasts open deals on their expected close date and closed ones on the UTC day they closed', () => {
    expect(forecastDateOf({ status: 'open', closedAt: null, expectedCloseDate: '2025-03-31' })).toBe('2025-03-31');
    expect(
      forecastDateOf({ status: 'won', closedAt: new Date('2025-02-28T23:59:59Z'), expectedCloseDate: '2025-03-31' }),
    ).toBe('2025-02-28');
    expect(forecastDateOf({ status: 'open', closedAt: null, expectedCloseDate: '' })).toBe('');
  });

  it('checks money as whole minor units in a known currency', () => {
    expect(moneyViolations({ amountMinor: 100, currency: 'EUR' }, 'amount')).toEqual([]);
    expect(moneyViolations({ amountMinor: 1.5, currency: 'XYZ' }, 'amount').map((v) => v.field)).toEqual([
      'amount.amountMinor',
      'amount.currency',
    ]);
    expect(moneyViolations(undefined, 'amount').map((v) => v.field)).toEqual(['amount']);
  });

  it('weights once at the end, so many small deals do not lose cents', () => {
    // 3 × 1 cent at 50 % is 1.5 cents: rounding each first would give 3 (or 0).
    expect(
      weightedSum([
        { amountMinor: 1, probability: 50 },
        { amountMinor: 1, probability: 50 },
        { amountMinor: 1, probability: 50 },
      ]),
    ).toBe(2);
    expect(
      weightedSum([
        { amountMinor: 10_000, probability: 25 },
        { amountMinor: 3_333, probability: 75 },
      ]),
    ).toBe(5000);
  });
});
