import { hasRole, scopeAllows, scopeOf, visibilityFilter, type Principal } from '@crm/service-kit';
import type { Envelope } from '@crm/proto/crm/events/v1/envelope';
import { ACCESS, isAllowed, type AccessPolicy, type Resource } from '../auth/access-policy';

// The services decide record visibility on every call; for events the gateway applies the same rules (the kit's
// visibilityFilter) to the owner and team the envelope carries, so a client sees exactly the changes to records
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
  const filter = visibilityFilter(principal, resource, 'read');
  return (
    filter !== undefined &&
    matches(filter, { tenantId: envelope.tenantId, ownerId: envelope.ownerId, teamId: envelope.teamId })
  );
}

type Fields = Record<'tenantId' | 'ownerId' | 'teamId', string>;

/** Evaluates the filter shapes visibilityFilter builds: equality, $in, and $or of those. */
export function matches(filter: Record<string, unknown>, record: Fields): boolean {
  return Object.entries(filter).every(([key, condition]) => {
    if (key === '$or')
      return Array.isArray(condition) && condition.some((clause: Record<string, unknown>) => matches(clause, record));
    const value = record[key as keyof Fields];
    if (typeof condition === 'object' && condition !== null && '$in' in condition) {
      const options = (condition as { $in: unknown }).$in;
      return Array.isArray(options) && options.includes(value);
    }
    return condition === value;
  });
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
