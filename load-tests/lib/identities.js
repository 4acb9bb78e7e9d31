import http from 'k6/http';
import { KEYCLOAK_URL, PASSWORD } from './config.js';

// Each virtual user acts as one identity of its role (dev-only demo users, the partner client): tokens are fetched
// once in setup() and handed out per VU, so the per-client rate limit applies per VU as it would per real client.
export const ROLE_USERS = {
  rep: ['acme-rep1', 'acme-rep2', 'acme-rep3'],
  manager: ['acme-manager', 'acme-admin'],
  agent: ['acme-agent1', 'acme-support-lead'],
  partner: ['acme-partner'],
};

const TOKEN_URL = `${KEYCLOAK_URL}/realms/crm/protocol/openid-connect/token`;

function tokenFor(identity) {
  const form =
    identity === 'acme-partner'
      ? { grant_type: 'client_credentials', client_id: 'acme-partner', client_secret: 'acme-partner-secret' }
      : { grant_type: 'password', client_id: 'crm-cli', username: identity, password: PASSWORD };
  const response = http.post(TOKEN_URL, form);
  if (response.status !== 200) throw new Error(`Keycloak refused a token for ${identity}: ${response.status}`);
  return response.json('access_token');
}

/** { role: [token, …] }, one per identity of each role. */
export function tokensByRole() {
  const tokens = {};
  for (const [role, identities] of Object.entries(ROLE_USERS)) tokens[role] = identities.map(tokenFor);
  return tokens;
}

/** This VU's token among its role's. */
export function tokenOfVu(tokens, role) {
  const list = tokens[role];
  return list[(__VU - 1) % list.length];
}
