// Visibility applied in memory, to records read from a projection rather than queried. It interprets the very
// filter the service kit's visibilityFilter() builds (tenant, owner, team, $or of those), so the rule has one
// source of truth.
import { visibilityFilter, type Access, type Principal } from '@crm/service-kit';

export interface Owned {
  tenantId: string;
  ownerId: string;
  teamId: string;
}

export type RecordPredicate = (record: Owned) => boolean;

export function visibilityPredicate(principal: Principal, resource: string, access: Access = 'read'): RecordPredicate {
  const filter = visibilityFilter(principal, resource, access);
  if (!filter) return () => false;
  return (record) => matches(filter, record as unknown as Record<string, unknown>);
}

/** Equality, $in, $or and $and: the operators visibility filters use. Anything else fails closed. */
export function matches(filter: Record<string, unknown>, record: Record<string, unknown>): boolean {
  return Object.entries(filter).every(([key, condition]) => {
    if (key === '$or') return Array.isArray(condition) && condition.some((c) => matches(c as Record<string, unknown>, record));
    if (key === '$and') return Array.isArray(condition) && condition.every((c) => matches(c as Record<string, unknown>, record));
    if (key.startsWith('$')) return false;
    const value = record[key];
    if (condition !== null && typeof condition === 'object' && !Array.isArray(condition)) return matchesOperators(condition as Record<string, unknown>, value);
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
