// The e2e gateway listens on a port chosen at start (port 0), so the crm-web client must admit that origin as a
// redirect URI and web origin (CORS for the token endpoint) for the test's duration. The realm file is the source
// of truth at every Keycloak start; this only adds and removes one origin on the running dev Keycloak.
import { infraEnv } from '@crm/testkit';

interface ClientRepresentation {
  id: string;
  clientId: string;
  redirectUris?: string[];
  webOrigins?: string[];
  attributes?: Record<string, string>;
}

const POST_LOGOUT = 'post.logout.redirect.uris';

async function adminToken(): Promise<string> {
  const { keycloakUrl } = infraEnv();
  const response = await fetch(`${keycloakUrl}/realms/master/protocol/openid-connect/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'password',
      client_id: 'admin-cli',
      username: process.env.KC_BOOTSTRAP_ADMIN_USERNAME ?? 'admin',
      password: process.env.KC_BOOTSTRAP_ADMIN_PASSWORD ?? 'admin',
    }),
  });
  if (!response.ok) throw new Error(`Keycloak admin sign-in failed (${response.status}): ${await response.text()}`);
  return ((await response.json()) as { access_token: string }).access_token;
}

async function withClient(clientId: string, change: (client: ClientRepresentation) => void): Promise<void> {
  const { keycloakUrl } = infraEnv();
  const token = await adminToken();
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  const base = `${keycloakUrl}/admin/realms/crm/clients`;
  const found = (await (
    await fetch(`${base}?clientId=${encodeURIComponent(clientId)}`, { headers })
  ).json()) as ClientRepresentation[];
  const id = found[0]?.id;
  if (!id) throw new Error(`Keycloak has no client ${clientId} in realm crm`);
  const client = (await (await fetch(`${base}/${id}`, { headers })).json()) as ClientRepresentation;
  change(client);
  const put = await fetch(`${base}/${id}`, { method: 'PUT', headers, body: JSON.stringify(client) });
  if (!put.ok) throw new Error(`updating client ${clientId} failed (${put.status}): ${await put.text()}`);
}

export function admitOrigin(origin: string, clientId = 'crm-web'): Promise<void> {
  return withClient(clientId, (client) => {
    client.redirectUris = [...new Set([...(client.redirectUris ?? []), `${origin}/*`])];
    client.webOrigins = [...new Set([...(client.webOrigins ?? []), origin])];
    const logout = (client.attributes?.[POST_LOGOUT] ?? '').split('##').filter(Boolean);
    client.attributes = { ...client.attributes, [POST_LOGOUT]: [...new Set([...logout, `${origin}/*`])].join('##') };
  });
}

export function releaseOrigin(origin: string, clientId = 'crm-web'): Promise<void> {
  return withClient(clientId, (client) => {
    client.redirectUris = (client.redirectUris ?? []).filter((u) => u !== `${origin}/*`);
    client.webOrigins = (client.webOrigins ?? []).filter((o) => o !== origin);
    const logout = (client.attributes?.[POST_LOGOUT] ?? '').split('##').filter((u) => u && u !== `${origin}/*`);
    client.attributes = { ...client.attributes, [POST_LOGOUT]: logout.join('##') };
  });
}
