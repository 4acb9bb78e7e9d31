// k6 smoke test of the API gateway: a few users log in, read who they are, create, read and list contacts.
// Run against a running stack (`pnpm stack up`): k6 run load-tests/gateway-smoke.js
// Env: GATEWAY_URL (default http://127.0.0.1:8080), KEYCLOAK_URL (default http://127.0.0.1:8180).
import http from 'k6/http';
import { check, fail } from 'k6';

const GATEWAY = __ENV.GATEWAY_URL || 'http://127.0.0.1:8080';
const KEYCLOAK = __ENV.KEYCLOAK_URL || 'http://127.0.0.1:8180';

export const options = {
  vus: 5,
  duration: '30s',
  thresholds: {
    http_req_failed: ['rate<0.01'],
    'http_req_duration{name:get-contact}': ['p(99)<500'],
  },
};

export function setup() {
  const res = http.post(`${KEYCLOAK}/realms/crm/protocol/openid-connect/token`, {
    grant_type: 'password',
    client_id: 'crm-cli',
    username: 'acme-rep1',
    password: 'demo',
  });
  if (res.status !== 200) fail(`no token: ${res.status}`);
  return { token: res.json('access_token') };
}

export default function (data) {
  const headers = { Authorization: `Bearer ${data.token}`, 'Content-Type': 'application/json' };
  check(http.get(`${GATEWAY}/api/v1/me`, { headers, tags: { name: 'me' } }), { 'me 200': (r) => r.status === 200 });
  const created = http.post(
    `${GATEWAY}/api/v1/contacts`,
    JSON.stringify({ firstName: 'K6', lastName: `Smoke${__VU}x${__ITER}` }),
    {
      headers: { ...headers, 'Idempotency-Key': `k6-${__VU}-${__ITER}-${Date.now()}` },
      tags: { name: 'create-contact' },
    },
  );
  check(created, { 'create 201': (r) => r.status === 201, 'has etag': (r) => Boolean(r.headers.Etag) });
  if (created.status !== 201) return;
  const id = created.json('id');
  check(http.get(`${GATEWAY}/api/v1/contacts/${id}`, { headers, tags: { name: 'get-contact' } }), {
    'get 200': (r) => r.status === 200,
  });
  check(http.get(`${GATEWAY}/api/v1/contacts?limit=20`, { headers, tags: { name: 'list-contacts' } }), {
    'list 200': (r) => r.status === 200,
  });
}
