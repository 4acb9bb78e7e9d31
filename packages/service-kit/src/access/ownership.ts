// Who may own what. One rule for every service: reps, agents and partners own what they create; managers may give
// records to anyone within their teams; admins and the services themselves to anyone.
import { hasRole, type Principal } from '../auth/principal';
import { invalidArgument, ServiceError, type FieldViolation } from '../errors/service-error';
import type { Owned } from './scope';

export type Ownership = Pick<Owned, 'ownerId' | 'teamId'>;

/**
 * The owner and team a record gets from a request: empty means "not given" (proto3 strings cannot tell the two
 * apart), which keeps the current value, or for a new record falls back to the caller and their first team. A
 * change the caller may not make is INVALID_ARGUMENT naming the field.
 */
export function resolveOwnership(principal: Principal, requested: Partial<Ownership>, current?: Ownership): Ownership {
  const ownerId = requested.ownerId || current?.ownerId || principal.userId;
  const teamId = requested.teamId || current?.teamId || principal.teamIds[0] || '';
  const admin = hasRole(principal, 'crm-admin', 'crm-service');
  const manager = hasRole(principal, 'sales-manager', 'support-manager');
  const ownerChanges = ownerId !== principal.userId && ownerId !== current?.ownerId;
  const violations: FieldViolation[] = [];
  if (ownerChanges && !admin && !manager) {
    violations.push({ field: 'ownerId', description: 'only managers and admins may give a record to someone else' });
  }
  if (teamId && teamId !== current?.teamId && !admin && !principal.teamIds.includes(teamId)) {
    violations.push({ field: 'teamId', description: 'must be one of your teams' });
  } else if (manager && !admin && ownerChanges && !principal.teamIds.includes(teamId)) {
    violations.push({
      field: 'teamId',
      description: 'a record you give to someone else must stay within one of your teams',
    });
  }
  if (violations.length > 0) throw invalidArgument(violations);
  return { ownerId, teamId };
}

export function requireAdmin(principal: Principal, what = 'change this'): void {
  if (!hasRole(principal, 'crm-admin')) throw new ServiceError('PERMISSION_DENIED', `Only admins may ${what}`);
}

/** The service acting for a tenant on its own (workers, fan-out, reactions to events). */
export function systemPrincipal(tenantId: string, serviceName: string): Principal {
  return {
    tenantId,
    userId: `service:${serviceName}`,
    roles: ['crm-service'],
    teamIds: [],
    clientId: serviceName,
    scopes: [],
  };
}
