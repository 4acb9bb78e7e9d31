import http from 'k6/http';
import { KEYCLOAK_URL, PASSWORD, USERNAME } from './config.js';

/** A real access token for a dev-only demo user, fetched once in setup() and shared by every VU. */
export function login(username = USERNAME, password = PASSWORD) {
  const response = http.post(`${KEYCLOAK_URL}/realms/crm/protocol/openid-connect/token`, {
    grant_type: 'password',
    client_id: 'crm-cli',
    username,
    password,
  });
  if (response.status !== 200) throw new Error(`Keycloak refused a token for ${username}: ${response.status}`);
  return response.json('access_token');
}

export function authHeaders(token, extra = {}) {
  return { headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...extra } };
}
