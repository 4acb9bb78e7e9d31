import { hasScope } from '../access/scope';
import { hasRole, type Principal } from '../auth/principal';

import type { Access } from '../access/scope';

export type { Access };

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

/**
 * Whether a record satisfies a filter built by visibilityFilter() and the repository's scope (equality, null,
 * $in, $or). Lets a store read a document by _id alone, which every store answers from its primary index, and
 * apply visibility in memory from the same rule. Unknown operators fail closed.
 */
export function matchesFilter(filter: Record<string, unknown>, record: Record<string, unknown>): boolean {
  return Object.entries(filter).every(([key, condition]) => {
    if (key === '$or')
      return Array.isArray(condition) && condition.some((c) => matchesFilter(c as Record<string, unknown>, record));
    if (key === '$and')
      return Array.isArray(condition) && condition.every((c) => matchesFilter(c as Record<string, unknown>, record));
    if (key.startsWith('$')) return false;
    const value = record[key];
    if (condition === null) return value === null || value === undefined;
    if (typeof condition === 'object' && !Array.isArray(condition) && !(condition instanceof Date))
      return matchesOperators(condition as Record<string, unknown>, value);
    return value === condition;
  });
}

function matchesOperators(operators: Record<string, unknown>, value: unknown): boolean {
  return Object.entries(operators).every(([op, operand]) => {
    if (op === '$in') return Array.isArray(operand) && operand.includes(value);
    if (op === '$eq') return value === operand;
    return false;
  });
}
