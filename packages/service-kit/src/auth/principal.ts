// The principal is derived from verified token claims only; no header can add to it.

export type CrmRole =
  | 'crm-admin'
  | 'sales-manager'
  | 'sales-rep'
  | 'support-manager'
  | 'support-agent'
  | 'integration'
  | 'crm-service';

export const CRM_ROLES: readonly CrmRole[] = [
  'crm-admin',
  'sales-manager',
  'sales-rep',
  'support-manager',
  'support-agent',
  'integration',
  'crm-service',
];

export interface Principal {
  tenantId: string;
  userId: string;
  roles: CrmRole[];
  teamIds: string[];
  clientId: string;
  scopes: string[];
}

export interface TokenClaims {
  sub?: unknown;
  azp?: unknown;
  tenant?: unknown;
  scope?: unknown;
  groups?: unknown;
  realm_access?: unknown;
}

const TEAM_GROUP_PREFIX = '/teams/';
const RESOURCE_SCOPE = /^[a-z][a-z-]*:(read|write)$/;

/** Returns undefined when the claims lack what every CRM principal needs (a subject and, except for services, a tenant). */
export function principalFromClaims(claims: TokenClaims): Principal | undefined {
  const roles = realmRoles(claims.realm_access).filter(isCrmRole);
  const tenantId = typeof claims.tenant === 'string' ? claims.tenant : '';
  const userId = typeof claims.sub === 'string' ? claims.sub : '';
  if (!userId) return undefined;
  if (!tenantId && !roles.includes('crm-service')) return undefined;
  return {
    tenantId,
    userId,
    roles,
    teamIds: stringArray(claims.groups)
      .filter((g) => g.startsWith(TEAM_GROUP_PREFIX))
      .map((g) => g.slice(TEAM_GROUP_PREFIX.length)),
    clientId: typeof claims.azp === 'string' ? claims.azp : '',
    scopes: typeof claims.scope === 'string' ? claims.scope.split(' ').filter((s) => RESOURCE_SCOPE.test(s)) : [],
  };
}

export function hasRole(principal: Principal, ...roles: CrmRole[]): boolean {
  return roles.some((role) => principal.roles.includes(role));
}

export function isManagerOrAdmin(principal: Principal): boolean {
  return hasRole(principal, 'crm-admin', 'sales-manager', 'support-manager');
}

function isCrmRole(role: string): role is CrmRole {
  return (CRM_ROLES as readonly string[]).includes(role);
}

function realmRoles(realmAccess: unknown): string[] {
  if (typeof realmAccess !== 'object' || realmAccess === null) return [];
  return stringArray((realmAccess as { roles?: unknown }).roles);
}

function stringArray(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}
