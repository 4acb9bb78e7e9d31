// Whether a user id names a user of a tenant, as Keycloak knows it: its admin REST API, read with the service's own
// token (the service account needs realm-management `view-users`, see deploy/keycloak). Users rarely come and go,
// so answers are cached; an unknown id briefly, so a user created a moment ago is found soon after.
import { ServiceError } from '../errors/service-error';
import type { TokenSource } from './client-credentials';

export interface TenantUsers {
  /** True when the user exists and carries the tenant (its `tenant` attribute). */
  isUserOf(tenantId: string, userId: string): Promise<boolean>;
}

export interface KeycloakTenantUsersOptions {
  /** The realm's issuer, e.g. http://127.0.0.1:8180/realms/crm. */
  issuer: string;
  token: TokenSource;
  /** How long a found user's tenants are kept. */
  ttlMs?: number;
  /** How long "no such user" is kept. */
  missTtlMs?: number;
  timeoutMs?: number;
  /** Entries kept at most (the oldest go first). */
  maxEntries?: number;
  now?: () => number;
}

/** The admin API of the issuer's realm: http://host/realms/crm → http://host/admin/realms/crm. */
export function keycloakAdminUrl(issuer: string): string {
  const url = new URL(issuer.replace(/\/$/, ''));
  url.pathname = url.pathname.replace(/\/realms\//, '/admin/realms/');
  return url.toString();
}

interface KeycloakUser {
  id: string;
  attributes?: Record<string, string[]>;
}

export function keycloakTenantUsers(options: KeycloakTenantUsersOptions): TenantUsers {
  const base = keycloakAdminUrl(options.issuer);
  const now = options.now ?? Date.now;
  const ttl = options.ttlMs ?? 5 * 60_000;
  const missTtl = options.missTtlMs ?? 10_000;
  const maxEntries = options.maxEntries ?? 10_000;
  const cache = new Map<string, { at: number; tenants: Promise<string[] | undefined> }>();

  /** The user's tenants, or undefined when Keycloak has no such user. */
  const lookup = async (userId: string): Promise<string[] | undefined> => {
    let response: Response;
    try {
      response = await fetch(`${base}/users/${encodeURIComponent(userId)}`, {
        headers: { authorization: `Bearer ${await options.token.getToken()}` },
        signal: AbortSignal.timeout(options.timeoutMs ?? 5_000),
      });
    } catch {
      throw new ServiceError('UNAVAILABLE', 'The user directory is unavailable; retry shortly');
    }
    // An id Keycloak cannot parse names no user either.
    if (response.status === 404 || response.status === 400) return undefined;
    if (!response.ok)
      throw new ServiceError('UNAVAILABLE', `The user directory answered ${response.status}; retry shortly`);
    const user = (await response.json()) as KeycloakUser;
    return user.attributes?.tenant ?? [];
  };

  return {
    async isUserOf(tenantId, userId) {
      if (!tenantId || !userId) return false;
      const hit = cache.get(userId);
      if (hit) {
        const tenants = await hit.tenants;
        if (now() - hit.at < (tenants ? ttl : missTtl)) return Boolean(tenants?.includes(tenantId));
      }
      const entry = { at: now(), tenants: lookup(userId) };
      cache.delete(userId);
      cache.set(userId, entry);
      if (cache.size > maxEntries) cache.delete(cache.keys().next().value as string);
      entry.tenants.catch(() => cache.get(userId) === entry && cache.delete(userId));
      return Boolean((await entry.tenants)?.includes(tenantId));
    },
  };
}
