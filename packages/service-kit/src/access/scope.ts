// Who may see which records of a tenant: one rule, rendered two ways — a predicate for a record read by _id
// (scopeAllows) and SQL for read models (read-model/scope-sql). Pure: safe to use from domain/.
import { hasRole, type Principal } from '../auth/principal';

export type Access = 'read' | 'write';

/** The fields every tenant-owned record and read-model row carries, on which visibility is decided. */
export interface Owned {
  tenantId: string;
  ownerId: string;
  teamId: string;
}

export interface AccessPolicy {
  /** Resource name of partner scopes, e.g. "contacts" for `contacts:read` / `contacts:write`. */
  resource: string;
  /**
   * Reps and agents see their teams' records too, not only their own (support groups work a shared queue).
   * Managers always see their teams'.
   */
  teamMembersSee?: boolean;
}

/** What a principal may see: nothing, the whole tenant, or the records of some teams plus their own. */
export type Scope =
  | { kind: 'none' }
  | { kind: 'tenant'; tenantId: string }
  | { kind: 'limited'; tenantId: string; ownerId: string; teamIds: readonly string[] };

const MANAGERS = ['sales-manager', 'support-manager'] as const;
const MEMBERS = ['sales-rep', 'support-agent'] as const;

/**
 * Admins and the services themselves see the tenant, partners per scope (`x:write` implies read), managers their
 * teams' records and their own, reps and agents their own (and their teams' where the policy says so).
 */
export function scopeOf(principal: Principal, policy: AccessPolicy | string, access: Access): Scope {
  const { resource, teamMembersSee = false } = typeof policy === 'string' ? { resource: policy } : policy;
  if (!principal.tenantId) return { kind: 'none' };
  const tenantId = principal.tenantId;
  if (hasRole(principal, 'crm-admin', 'crm-service')) return { kind: 'tenant', tenantId };
  if (hasRole(principal, 'integration') && hasScope(principal, resource, access)) return { kind: 'tenant', tenantId };
  const manager = hasRole(principal, ...MANAGERS);
  const member = hasRole(principal, ...MEMBERS);
  if (!manager && !member) return { kind: 'none' };
  const teamIds = manager || teamMembersSee ? principal.teamIds : [];
  return { kind: 'limited', tenantId, ownerId: principal.userId, teamIds };
}

export function hasScope(principal: Principal, resource: string, access: Access): boolean {
  return (
    principal.scopes.includes(`${resource}:${access}`) ||
    (access === 'read' && principal.scopes.includes(`${resource}:write`))
  );
}

export function scopeAllows(scope: Scope, record: Owned): boolean {
  if (scope.kind === 'none' || record.tenantId !== scope.tenantId) return false;
  if (scope.kind === 'tenant') return true;
  return record.ownerId === scope.ownerId || (record.teamId !== '' && scope.teamIds.includes(record.teamId));
}

/** Whether the scope can contain any record at all (a caller with none gets an empty list without a query). */
export function scopeIsEmpty(scope: Scope): boolean {
  return scope.kind === 'none';
}
