import type { Principal } from '@crm/service-kit';
import { forecastDateOf, resolveOwnership } from './deal';
import { moneyViolations, weightedSum } from './money';

const principal = (userId: string, roles: Principal['roles'], teamIds: string[] = []): Principal => ({
  tenantId: 'acme',
  userId,
  roles,
  teamIds,
  clientId: 'crm-cli',
  scopes: [],
});
const rep = principal('rep1', ['sales-rep'], ['east']);
const manager = principal('mgr', ['sales-manager'], ['east']);
const admin = principal('admin', ['crm-admin']);

describe('deal ownership', () => {
  it('gives a rep their own deal in their first team, and nothing else', () => {
    expect(resolveOwnership(rep, {})).toEqual({ ownerId: 'rep1', teamId: 'east' });
    expect(() => resolveOwnership(rep, { ownerId: 'rep2' })).toThrow(
      expect.objectContaining({ violations: [expect.objectContaining({ field: 'ownerId' })] }),
    );
    expect(() => resolveOwnership(rep, { teamId: 'west' })).toThrow(
      expect.objectContaining({ violations: [expect.objectContaining({ field: 'teamId' })] }),
    );
  });

  it('lets a manager give deals within their teams, and an admin to anyone', () => {
    expect(resolveOwnership(manager, { ownerId: 'rep2' })).toEqual({ ownerId: 'rep2', teamId: 'east' });
    expect(() => resolveOwnership(manager, { ownerId: 'rep3', teamId: 'west' })).toThrow();
    expect(resolveOwnership(admin, { ownerId: 'rep3', teamId: 'west' })).toEqual({ ownerId: 'rep3', teamId: 'west' });
  });

  it('keeps the current owner and team on update unless changed', () => {
    expect(resolveOwnership(manager, {}, { ownerId: 'rep1', teamId: 'east' })).toEqual({
      ownerId: 'rep1',
      teamId: 'east',
    });
  });
});

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
