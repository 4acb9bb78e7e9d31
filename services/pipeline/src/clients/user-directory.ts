// The tenant's people as Keycloak knows them, read through its admin REST API with the service's own token (its
// service account holds realm-management `view-users`; deploy/keycloak): who an email or username is, and which
// teams (groups under /teams) they are in. Imports resolve deal owners with it.
import { keycloakAdminUrl, type TokenSource } from '@crm/service-kit';

export interface DirectoryEntry {
  userId: string;
  username: string;
  email: string;
  teamIds: string[];
}

export interface TenantDirectory {
  /** By lower-case email or username. */
  find(emailOrUsername: string): DirectoryEntry | undefined;
  byId(userId: string): DirectoryEntry | undefined;
}

export interface UserDirectory {
  load(tenantId: string): Promise<TenantDirectory>;
}

interface KeycloakUser {
  id: string;
  username: string;
  email?: string;
}

interface KeycloakGroup {
  id: string;
  name: string;
  path?: string;
}

const PAGE = 200;

export function keycloakUserDirectory(options: {
  issuer: string;
  token: TokenSource;
  timeoutMs?: number;
}): UserDirectory {
  const base = keycloakAdminUrl(options.issuer);
  const get = async <T>(path: string): Promise<T> => {
    const response = await fetch(`${base}${path}`, {
      headers: { authorization: `Bearer ${await options.token.getToken()}` },
      signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
    });
    if (!response.ok) throw new Error(`the user directory answered ${response.status} for ${path.split('?')[0]}`);
    return (await response.json()) as T;
  };
  const all = async <T>(path: string): Promise<T[]> => {
    const items: T[] = [];
    for (let first = 0; ; first += PAGE) {
      const page = await get<T[]>(`${path}${path.includes('?') ? '&' : '?'}first=${first}&max=${PAGE}`);
      items.push(...page);
      if (page.length < PAGE) return items;
    }
  };
  return {
    async load(tenantId) {
      const users = await all<KeycloakUser>(
        `/users?q=${encodeURIComponent(`tenant:${tenantId}`)}&briefRepresentation=true`,
      );
      const teamsRoot = (await get<KeycloakGroup[]>('/groups?search=teams&exact=true&briefRepresentation=true')).find(
        (g) => g.name === 'teams',
      );
      const teams = teamsRoot
        ? await all<KeycloakGroup>(`/groups/${teamsRoot.id}/children?briefRepresentation=true`)
        : [];
      const teamsOf = new Map<string, string[]>();
      for (const team of teams) {
        for (const member of await all<KeycloakUser>(`/groups/${team.id}/members?briefRepresentation=true`))
          teamsOf.set(member.id, [...(teamsOf.get(member.id) ?? []), team.name]);
      }
      const entries = users.map((u) => ({
        userId: u.id,
        username: u.username,
        email: (u.email ?? '').toLowerCase(),
        teamIds: (teamsOf.get(u.id) ?? []).sort(),
      }));
      const byKey = new Map<string, DirectoryEntry>();
      for (const entry of entries) {
        byKey.set(entry.username.toLowerCase(), entry);
        if (entry.email) byKey.set(entry.email, entry);
      }
      const byId = new Map(entries.map((e) => [e.userId, e]));
      return { find: (key) => byKey.get(key.toLowerCase()), byId: (id) => byId.get(id) };
    },
  };
}
