// Who may own what: reps create as themselves; managers and admins may name an owner and a team.
import { isManagerOrAdmin, hasRole, ServiceError, type Principal } from '@crm/service-kit';

export interface Ownership {
  ownerId: string;
  teamId: string;
}

/** Managers, admins and the platform's services acting on their own (workflow's assignments) may name owners. */
function mayAssign(principal: Principal): boolean {
  return isManagerOrAdmin(principal) || hasRole(principal, 'crm-service');
}

export function resolveOwnership(principal: Principal, requestedOwner: string, requestedTeam: string): Ownership {
  if (!mayAssign(principal)) {
    if (requestedOwner && requestedOwner !== principal.userId)
      throw new ServiceError('PERMISSION_DENIED', 'Only managers and admins may choose the owner of a record');
    if (requestedTeam && !principal.teamIds.includes(requestedTeam))
      throw new ServiceError('PERMISSION_DENIED', 'A record can only be put in one of your teams');
    return { ownerId: principal.userId, teamId: requestedTeam || (principal.teamIds[0] ?? '') };
  }
  const teamId = requestedTeam || (principal.teamIds[0] ?? '');
  assertTeamAllowed(principal, teamId);
  return { ownerId: requestedOwner || principal.userId, teamId };
}

/** Transfer: managers and admins only; a manager hands records within their own teams. */
export function resolveTransfer(
  principal: Principal,
  newOwnerId: string,
  newTeamId: string,
  currentTeamId: string,
): Ownership {
  if (!mayAssign(principal))
    throw new ServiceError('PERMISSION_DENIED', 'Only managers and admins may transfer ownership');
  if (!newOwnerId)
    throw new ServiceError('INVALID_ARGUMENT', 'new_owner_id is required', {
      violations: [{ field: 'newOwnerId', description: 'is required' }],
    });
  const teamId = newTeamId || currentTeamId;
  assertTeamAllowed(principal, teamId);
  return { ownerId: newOwnerId, teamId };
}

function assertTeamAllowed(principal: Principal, teamId: string): void {
  if (hasRole(principal, 'crm-admin', 'crm-service')) return;
  if (teamId && !principal.teamIds.includes(teamId))
    throw new ServiceError('PERMISSION_DENIED', 'A manager can only assign records to their own teams');
}

export function requireAdmin(principal: Principal): void {
  if (!hasRole(principal, 'crm-admin')) throw new ServiceError('PERMISSION_DENIED', 'Only admins may change this');
}

/** The service acting for a tenant on its own (import worker, fan-out of company renames). */
export function systemPrincipal(tenantId: string): Principal {
  return {
    tenantId,
    userId: 'contact-service',
    roles: ['crm-service'],
    teamIds: [],
    clientId: 'contact-service',
    scopes: [],
  };
}
