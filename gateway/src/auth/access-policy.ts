import { hasRole, hasScope, type CrmRole, type Principal } from '@crm/service-kit/edge';

// Authorisation by function: which roles (and, for partners, which scopes) may call a route. Which records they
// then see is the services' business (a record outside their visibility is 404 there).

export type Resource = 'contacts' | 'deals' | 'reports' | 'tickets' | 'workflows' | 'tasks' | 'webhooks' | 'forms';

export interface AccessPolicy {
  /** Shown in the OpenAPI operation description. */
  name: string;
  roles: readonly CrmRole[];
  /** The partner scope that admits an `integration` client (write scopes imply read). */
  scope?: { resource: Resource; access: 'read' | 'write' };
}

const PEOPLE: readonly CrmRole[] = ['crm-admin', 'sales-manager', 'sales-rep', 'support-manager', 'support-agent'];
const SALES: readonly CrmRole[] = ['crm-admin', 'sales-manager', 'sales-rep'];
const SUPPORT: readonly CrmRole[] = ['crm-admin', 'support-manager', 'support-agent'];

export const ACCESS = {
  /** Any user of the tenant and any partner: /me, /events, reading custom-field definitions. */
  anyone: { name: 'any authenticated user or partner', roles: [...PEOPLE, 'integration'] },
  contactsRead: {
    name: 'users; partners with contacts:read',
    roles: [...PEOPLE, 'integration'],
    scope: { resource: 'contacts', access: 'read' },
  },
  contactsWrite: {
    name: 'users; partners with contacts:write',
    roles: [...PEOPLE, 'integration'],
    scope: { resource: 'contacts', access: 'write' },
  },
  /** Merging and restoring are people's decisions, not a partner sync's. */
  contactsCurate: { name: 'crm-admin, sales-manager, sales-rep', roles: SALES },
  /** GDPR export and erasure, bulk import and export. */
  privacyAndBulk: { name: 'crm-admin, sales-manager', roles: ['crm-admin', 'sales-manager'] },
  erase: { name: 'crm-admin', roles: ['crm-admin'] },
  admin: { name: 'crm-admin', roles: ['crm-admin'] },
  dealsRead: {
    name: 'sales roles; partners with deals:read',
    roles: [...SALES, 'integration'],
    scope: { resource: 'deals', access: 'read' },
  },
  dealsWrite: {
    name: 'sales roles; partners with deals:write',
    roles: [...SALES, 'integration'],
    scope: { resource: 'deals', access: 'write' },
  },
  forecast: { name: 'crm-admin, sales-manager, sales-rep', roles: SALES },
  /** Dashboards and the metric catalogue: each person sees the figures of what they may see; partners the tenant's. */
  reportsRead: {
    name: 'users; partners with reports:read',
    roles: [...PEOPLE, 'integration'],
    scope: { resource: 'reports', access: 'read' },
  },
  /** Sales people read the tickets of the contacts they own; the service decides which. */
  ticketsRead: {
    name: 'users; partners with tickets:read',
    roles: [...PEOPLE, 'integration'],
    scope: { resource: 'tickets', access: 'read' },
  },
  ticketsWrite: {
    name: 'support roles; partners with tickets:write',
    roles: [...SUPPORT, 'integration'],
    scope: { resource: 'tickets', access: 'write' },
  },
  /** Merging duplicates and applying macros are agents' decisions, not a partner sync's. */
  ticketsCurate: { name: 'crm-admin, support-manager, support-agent', roles: SUPPORT },
  /** SLA policies, calendars, macros and agents: readable by support roles, changed by admins (macros: managers too). */
  supportConfigRead: { name: 'crm-admin, support-manager, support-agent', roles: SUPPORT },
  macrosManage: { name: 'crm-admin, support-manager', roles: ['crm-admin', 'support-manager'] },
  /** Automation rules are the tenant's configuration: admins, and partners that deploy rules as code. */
  workflowsRead: {
    name: 'crm-admin; partners with workflows:read',
    roles: ['crm-admin', 'integration'],
    scope: { resource: 'workflows', access: 'read' },
  },
  workflowsWrite: {
    name: 'crm-admin; partners with workflows:write',
    roles: ['crm-admin', 'integration'],
    scope: { resource: 'workflows', access: 'write' },
  },
  /** Runs: everyone reads the runs about what they own (the service scopes them); retrying is configuration. */
  runsRead: {
    name: 'users; partners with workflows:read',
    roles: [...PEOPLE, 'integration'],
    scope: { resource: 'workflows', access: 'read' },
  },
  tasksRead: {
    name: 'users; partners with tasks:read',
    roles: [...PEOPLE, 'integration'],
    scope: { resource: 'tasks', access: 'read' },
  },
  tasksWrite: {
    name: 'users; partners with tasks:write',
    roles: [...PEOPLE, 'integration'],
    scope: { resource: 'tasks', access: 'write' },
  },
  webhooksRead: {
    name: 'crm-admin; partners with webhooks:read',
    roles: ['crm-admin', 'integration'],
    scope: { resource: 'webhooks', access: 'read' },
  },
  webhooksWrite: {
    name: 'crm-admin; partners with webhooks:write',
    roles: ['crm-admin', 'integration'],
    scope: { resource: 'webhooks', access: 'write' },
  },
  formsRead: {
    name: 'crm-admin; partners with forms:read',
    roles: ['crm-admin', 'integration'],
    scope: { resource: 'forms', access: 'read' },
  },
  formsWrite: {
    name: 'crm-admin; partners with forms:write',
    roles: ['crm-admin', 'integration'],
    scope: { resource: 'forms', access: 'write' },
  },
} as const satisfies Record<string, AccessPolicy>;

export function isAllowed(principal: Principal, policy: AccessPolicy): boolean {
  const asPerson = policy.roles.some((role) => role !== 'integration' && hasRole(principal, role));
  if (asPerson) return true;
  if (!policy.roles.includes('integration') || !hasRole(principal, 'integration')) return false;
  return !policy.scope || hasScope(principal, policy.scope.resource, policy.scope.access);
}
