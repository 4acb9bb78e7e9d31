import type { Principal } from '../auth/principal';
import { matchesFilter, visibilityFilter } from './visibility';

const base: Principal = { tenantId: 'acme', userId: 'u1', roles: [], teamIds: [], clientId: 'crm-cli', scopes: [] };

describe('visibilityFilter', () => {
  it('gives admins the whole tenant', () => {
    expect(visibilityFilter({ ...base, roles: ['crm-admin'] }, 'contacts', 'write')).toEqual({ tenantId: 'acme' });
  });

  it('gives managers their teams and their own records', () => {
    expect(visibilityFilter({ ...base, roles: ['sales-manager'], teamIds: ['acme-east'] }, 'contacts', 'read')).toEqual(
      {
        tenantId: 'acme',
        $or: [{ teamId: { $in: ['acme-east'] } }, { ownerId: 'u1' }],
      },
    );
  });

  it('gives reps only what they own', () => {
    expect(visibilityFilter({ ...base, roles: ['sales-rep'], teamIds: ['acme-east'] }, 'contacts', 'read')).toEqual({
      tenantId: 'acme',
      ownerId: 'u1',
    });
  });

  it('gives partners the tenant only for a granted scope, write implying read', () => {
    const partner: Principal = { ...base, roles: ['integration'], scopes: ['contacts:write'] };
    expect(visibilityFilter(partner, 'contacts', 'read')).toEqual({ tenantId: 'acme' });
    expect(visibilityFilter(partner, 'deals', 'read')).toBeUndefined();
    expect(visibilityFilter({ ...partner, scopes: ['contacts:read'] }, 'contacts', 'write')).toBeUndefined();
  });

  it('gives nothing to a principal without a CRM role or tenant', () => {
    expect(visibilityFilter(base, 'contacts', 'read')).toBeUndefined();
    expect(visibilityFilter({ ...base, tenantId: '', roles: ['crm-admin'] }, 'contacts', 'read')).toBeUndefined();
  });
});

describe('matchesFilter', () => {
  const manager: Principal = { ...base, roles: ['sales-manager'], teamIds: ['acme-east'] };
  const scope = { ...visibilityFilter(manager, 'contacts', 'read'), deletedAt: null };

  it('applies a visibility filter to a record in memory', () => {
    expect(matchesFilter(scope, { tenantId: 'acme', ownerId: 'x', teamId: 'acme-east', deletedAt: null })).toBe(true);
    expect(matchesFilter(scope, { tenantId: 'acme', ownerId: 'u1', teamId: 'acme-west' })).toBe(true);
    expect(matchesFilter(scope, { tenantId: 'acme', ownerId: 'x', teamId: 'acme-west' })).toBe(false);
    expect(matchesFilter(scope, { tenantId: 'globex', ownerId: 'u1', teamId: 'acme-east' })).toBe(false);
  });

  it('treats null as missing-or-null, like the store', () => {
    expect(matchesFilter(scope, { tenantId: 'acme', ownerId: 'u1', teamId: '', deletedAt: new Date() })).toBe(false);
  });

  it('fails closed on operators it does not know', () => {
    expect(matchesFilter({ tenantId: { $ne: 'x' } }, { tenantId: 'acme' })).toBe(false);
    expect(matchesFilter({ $nor: [] }, { tenantId: 'acme' })).toBe(false);
  });
});
