import type { Principal } from '@crm/service-kit';
import { visibilityPredicate } from './scope-matcher';

const principal = (
  userId: string,
  roles: Principal['roles'],
  teamIds: string[] = [],
  scopes: string[] = [],
): Principal => ({ tenantId: 'acme', userId, roles, teamIds, clientId: 'c', scopes });
const rec = (ownerId: string, teamId: string, tenantId = 'acme') => ({ tenantId, ownerId, teamId });

describe('visibility in memory', () => {
  it('applies the kit visibility rules to owned records', () => {
    const admin = visibilityPredicate(principal('a', ['crm-admin']), 'deals');
    const manager = visibilityPredicate(principal('m', ['sales-manager'], ['east']), 'deals');
    const rep = visibilityPredicate(principal('r1', ['sales-rep'], ['east']), 'deals');
    const partner = visibilityPredicate(principal('p', ['integration'], [], ['deals:read']), 'deals');
    const partnerWithoutScope = visibilityPredicate(principal('p', ['integration'], [], ['contacts:read']), 'deals');
    const records = [
      rec('r1', 'east'),
      rec('r2', 'east'),
      rec('r3', 'west'),
      rec('m', 'west'),
      rec('r1', 'east', 'globex'),
    ];
    const seen = (p: (r: ReturnType<typeof rec>) => boolean) => records.map(p);
    expect(seen(admin)).toEqual([true, true, true, true, false]);
    expect(seen(manager)).toEqual([true, true, false, true, false]);
    expect(seen(rep)).toEqual([true, false, false, false, false]);
    expect(seen(partner)).toEqual([true, true, true, true, false]);
    expect(seen(partnerWithoutScope)).toEqual([false, false, false, false, false]);
  });
});
