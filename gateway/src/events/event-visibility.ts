import { hasRole, scopeAllows, scopeOf, type Principal } from '@crm/service-kit/edge';
import type { Envelope } from '@crm/proto/crm/events/v1/envelope';
import { ACCESS, isAllowed, type AccessPolicy, type Resource } from '../auth/access-policy';

// The services decide record visibility on every call; for events the gateway applies the same rule (the kit's
// scopeOf/scopeAllows) to the owner and team the envelope carries, so a client sees exactly the changes to records
// it could read.

const RESOURCE_OF_ENTITY: Record<string, Resource> = {
  contact: 'contacts',
  company: 'contacts',
  activity: 'contacts',
  deal: 'deals',
  pipeline: 'deals',
  ticket: 'tickets',
  sla_policy: 'tickets',
  business_calendar: 'tickets',
  macro: 'tickets',
  ticket_agent: 'tickets',
  ticket_group: 'tickets',
  task: 'tasks',
};
const READ_POLICY: Record<Resource, AccessPolicy> = {
  contacts: ACCESS.contactsRead,
  deals: ACCESS.dealsRead,
  reports: ACCESS.reportsRead,
  tickets: ACCESS.ticketsRead,
  workflows: ACCESS.workflowsRead,
  tasks: ACCESS.tasksRead,
  webhooks: ACCESS.webhooksRead,
  forms: ACCESS.formsRead,
};
/** Tenant-wide configuration everyone who may read the resource sees (pipelines and their stages). */
const TENANT_WIDE = new Set(['pipeline', 'sla_policy', 'business_calendar', 'macro', 'ticket_agent', 'ticket_group']);

export function canSeeEvent(
  principal: Principal,
  envelope: Pick<Envelope, 'type' | 'tenantId' | 'ownerId' | 'teamId'>,
): boolean {
  if (!principal.tenantId || envelope.tenantId !== principal.tenantId) return false;
  const entity = envelope.type.split('.')[0] ?? '';
  const resource = RESOURCE_OF_ENTITY[entity];
  if (!resource) return principal.roles.includes('crm-admin');
  if (!isAllowed(principal, READ_POLICY[resource])) return false;
  if (TENANT_WIDE.has(entity)) return resource !== 'tickets' || isAllowed(principal, ACCESS.supportConfigRead);
  if (resource === 'tickets') return canSeeTicketEvent(principal, envelope);
  return scopeAllows(scopeOf(principal, resource, 'read'), envelope);
}

/**
 * The ticket service's rule for the owner (assignee) and team (group) an event carries: agents their own and
 * their groups', managers their groups', admins and partners the tenant. A sales rep reads the tickets of the
 * contacts they own through the API; the envelope does not carry the contact's owner, so their events stay out.
 */
function canSeeTicketEvent(principal: Principal, envelope: Pick<Envelope, 'tenantId' | 'ownerId' | 'teamId'>): boolean {
  if (!hasRole(principal, 'crm-admin', 'integration', 'support-manager', 'support-agent')) return false;
  return scopeAllows(scopeOf(principal, { resource: 'tickets', teamMembersSee: true }, 'read'), envelope);
}
