// Who may see a ticket: the kit's rule (admins the tenant; support managers their groups and their own; agents
// their own and their groups', policy teamMembersSee) plus one rule of this service: the owner of the requester's
// contact (a sales rep or manager) may read the tickets of their contacts. One rule, two renderings: a predicate
// for a record read by _id and SQL for the read model.
import { sql, type RawBuilder, type SqlBool } from 'kysely';
import {
  hasRole,
  scopeAllows,
  scopeOf,
  scopeSql,
  type Access,
  type AccessPolicy,
  type Principal,
  type Scope,
} from '@crm/service-kit';

export const TICKET_POLICY: AccessPolicy = { resource: 'tickets', teamMembersSee: true };

export interface TicketScope {
  base: Scope;
  /** Set when the caller may also read the tickets whose requester's contact they own. */
  contactOwnerId: string | undefined;
  tenantId: string;
}

const SUPPORT_ROLES = ['support-agent', 'support-manager'] as const;
const SALES_ROLES = ['sales-rep', 'sales-manager'] as const;

export function ticketScope(principal: Principal, access: Access): TicketScope {
  const support = hasRole(principal, 'crm-admin', 'crm-service', 'integration', ...SUPPORT_ROLES);
  // Sales people are not members of support groups: their team never opens a queue to them.
  const base: Scope = support ? scopeOf(principal, TICKET_POLICY, access) : { kind: 'none' };
  const salesReader = access === 'read' && hasRole(principal, ...SALES_ROLES) && Boolean(principal.tenantId);
  return { base, contactOwnerId: salesReader ? principal.userId : undefined, tenantId: principal.tenantId };
}

export function ticketVisible(
  principal: Principal,
  ticket: { tenantId: string; ownerId: string; teamId: string; contactOwnerId: string; deletedAt?: Date | null },
  access: Access,
  includeDeleted = false,
): boolean {
  if (ticket.deletedAt && !includeDeleted) return false;
  const scope = ticketScope(principal, access);
  if (scopeAllows(scope.base, ticket)) return true;
  return (
    scope.contactOwnerId !== undefined &&
    ticket.tenantId === principal.tenantId &&
    ticket.contactOwnerId !== '' &&
    ticket.contactOwnerId === scope.contactOwnerId
  );
}

export function ticketScopeSql(scope: TicketScope, table?: string): RawBuilder<SqlBool> {
  const base = scopeSql(scope.base, { table });
  if (scope.contactOwnerId === undefined) return base;
  const ref = (name: string) => sql.ref(table ? `${table}.${name}` : name);
  const ownContacts = sql<SqlBool>`(${ref('tenant_id')} = ${scope.tenantId} and ${ref('contact_owner_id')} = ${scope.contactOwnerId} and ${ref('contact_owner_id')} <> '')`;
  return scope.base.kind === 'none' ? ownContacts : sql<SqlBool>`(${base} or ${ownContacts})`;
}

export function ticketScopeIsEmpty(scope: TicketScope): boolean {
  return scope.base.kind === 'none' && scope.contactOwnerId === undefined;
}
