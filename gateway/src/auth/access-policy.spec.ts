import type { Principal } from '@crm/service-kit/edge';
import { ACCESS, isAllowed } from './access-policy';

const person = (roles: Principal['roles']): Principal => ({
  tenantId: 'acme',
  userId: 'u',
  roles,
  teamIds: [],
  clientId: 'crm-web',
  scopes: [],
});
const partner = (scopes: string[]): Principal => ({
  tenantId: 'acme',
  userId: 'sa',
  roles: ['integration'],
  teamIds: [],
  clientId: 'acme-partner',
  scopes,
});

describe('isAllowed', () => {
  it('admits people by role', () => {
    expect(isAllowed(person(['sales-rep']), ACCESS.dealsWrite)).toBe(true);
    expect(isAllowed(person(['support-agent']), ACCESS.dealsRead)).toBe(false);
    expect(isAllowed(person(['sales-manager']), ACCESS.admin)).toBe(false);
  });

  it('admits partners by scope, write implying read', () => {
    expect(isAllowed(partner(['contacts:write']), ACCESS.contactsRead)).toBe(true);
    expect(isAllowed(partner(['contacts:read']), ACCESS.contactsWrite)).toBe(false);
    expect(isAllowed(partner(['contacts:write', 'deals:write']), ACCESS.contactsCurate)).toBe(false);
  });

  it('admits every person to reports, partners only with reports:read', () => {
    for (const role of ['crm-admin', 'sales-rep', 'support-agent', 'support-manager'] as const)
      expect(isAllowed(person([role]), ACCESS.reportsRead)).toBe(true);
    expect(isAllowed(partner(['reports:read']), ACCESS.reportsRead)).toBe(true);
    expect(isAllowed(partner(['contacts:write', 'deals:write']), ACCESS.reportsRead)).toBe(false);
  });

  it('keeps rules, endpoints and forms to admins and scoped partners; tasks and runs to every person', () => {
    for (const policy of [ACCESS.workflowsWrite, ACCESS.webhooksWrite, ACCESS.formsWrite]) {
      expect(isAllowed(person(['crm-admin']), policy)).toBe(true);
      expect(isAllowed(person(['sales-manager']), policy)).toBe(false);
    }
    expect(isAllowed(partner(['workflows:write']), ACCESS.workflowsRead)).toBe(true);
    expect(isAllowed(partner(['workflows:read']), ACCESS.workflowsWrite)).toBe(false);
    expect(isAllowed(partner(['workflows:write']), ACCESS.webhooksWrite)).toBe(false);
    expect(isAllowed(partner(['contacts:write', 'deals:write']), ACCESS.tasksRead)).toBe(false);
    expect(isAllowed(partner(['tasks:write']), ACCESS.tasksWrite)).toBe(true);
    for (const role of ['sales-rep', 'support-agent'] as const) {
      expect(isAllowed(person([role]), ACCESS.tasksWrite)).toBe(true);
      expect(isAllowed(person([role]), ACCESS.runsRead)).toBe(true);
    }
  });

  it('a user token carrying a scope is still judged by role', () => {
    const rep = { ...person(['support-agent']), scopes: ['deals:read'] };
    expect(isAllowed(rep, ACCESS.dealsRead)).toBe(false);
  });
});
