import { hasRole, type Principal } from '../auth/principal';

export type Access = 'read' | 'write';

/** Filter clauses over the fields every record carries. */
export type ScopeFilter = { tenantId: string } & Record<string, unknown>;

/**
 * Which records of its tenant a principal may see: admins and services the whole tenant, partners per scope
 * (`contacts:write` implies read), managers their teams' records and their own, reps and agents their own.
 * Undefined means none at all.
 */
export function visibilityFilter(principal: Principal, resource: string, access: Access): ScopeFilter | undefined {
  if (!principal.tenantId) return undefined;
  const tenantId = principal.tenantId;
  if (hasRole(principal, 'crm-admin', 'crm-service')) return { tenantId };
  if (hasRole(principal, 'integration') && hasScope(principal, resource, access)) return { tenantId };
  const clauses: Array<Record<string, unknown>> = [];
  if (hasRole(principal, 'sales-manager', 'support-manager') && principal.teamIds.length > 0) {
    clauses.push({ teamId: { $in: principal.teamIds } });
  }
  if (hasRole(principal, 'sales-manager', 'support-manager', 'sales-rep', 'support-agent')) {
    clauses.push({ ownerId: principal.userId });
  }
  if (clauses.length === 0) return undefined;
  return clauses.length === 1 ? { tenantId, ...clauses[0] } : { tenantId, $or: clauses };
}

export function hasScope(principal: Principal, resource: string, access: Access): boolean {
  return principal.scopes.includes(`${resource}:${access}`) || (access === 'read' && principal.scopes.includes(`${resource}:write`));
}
