import { hasRole, hasScope, ServiceError, type Principal } from '@crm/service-kit';

/** Rules, endpoints and forms are the tenant's configuration: admins, and partners with the resource's write scope. */
export function requireConfigurer(principal: Principal, resource: 'workflows' | 'webhooks' | 'forms'): void {
  if (hasRole(principal, 'crm-admin', 'crm-service')) return;
  if (hasRole(principal, 'integration') && hasScope(principal, resource, 'write')) return;
  throw new ServiceError('PERMISSION_DENIED', `Only admins may change ${resource}`);
}

export function requireConfigReader(principal: Principal, resource: 'workflows' | 'webhooks' | 'forms'): void {
  if (hasRole(principal, 'crm-admin', 'crm-service')) return;
  if (hasRole(principal, 'integration') && hasScope(principal, resource, 'read')) return;
  throw new ServiceError('PERMISSION_DENIED', `Only admins may read ${resource}`);
}
