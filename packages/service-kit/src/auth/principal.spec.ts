import { principalFromClaims } from './principal';

describe('principalFromClaims', () => {
  it('takes tenant, roles, teams, client and resource scopes from the claims', () => {
    const principal = principalFromClaims({
      sub: 'u-1',
      azp: 'crm-cli',
      tenant: 'acme',
      scope: 'openid profile contacts:read deals:write',
      groups: ['/teams/acme-east', '/other/x'],
      realm_access: { roles: ['sales-rep', 'offline_access', 'default-roles-crm'] },
    });
    expect(principal).toEqual({
      tenantId: 'acme',
      userId: 'u-1',
      roles: ['sales-rep'],
      teamIds: ['acme-east'],
      clientId: 'crm-cli',
      scopes: ['contacts:read', 'deals:write'],
    });
  });

  it('refuses a user token without a tenant', () => {
    expect(principalFromClaims({ sub: 'u-1', realm_access: { roles: ['crm-admin'] } })).toBeUndefined();
  });

  it('accepts a service token without a tenant', () => {
    const principal = principalFromClaims({
      sub: 'svc',
      azp: 'workflow-service',
      realm_access: { roles: ['crm-service'] },
    });
    expect(principal?.roles).toEqual(['crm-service']);
    expect(principal?.tenantId).toBe('');
  });

  it('ignores malformed claim types', () => {
    const principal = principalFromClaims({
      sub: 'u',
      tenant: 'acme',
      groups: 'x',
      realm_access: { roles: [1, 'crm-admin'] },
    });
    expect(principal?.teamIds).toEqual([]);
    expect(principal?.roles).toEqual(['crm-admin']);
  });
});
