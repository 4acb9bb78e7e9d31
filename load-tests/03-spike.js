// Spike: a sudden burst well above the steady load; rate limits may answer 429, but nothing may fail with 5xx.
import { check } from 'k6';
import http from 'k6/http';
import { authHeaders, login } from './lib/auth.js';
import { assertLoopback, BASE_URL } from './lib/config.js';
import { createContact } from './lib/contacts.js';

export const options = {
  stages: [
    { duration: '10s', target: 5 },
    { duration: '5s', target: 100 },
    { duration: '20s', target: 100 },
    { duration: '10s', target: 0 },
  ],
  thresholds: { 'checks{kind:no5xx}': ['rate==1'] },
};

export function setup() {
  assertLoopback(BASE_URL);
  const token = login();
  return { token, seedId: createContact(token, 0) };
}

export default function ({ token, seedId }) {
  const response = http.get(`${BASE_URL}/api/v1/contacts/${seedId}`, {
    ...authHeaders(token),
    tags: { name: 'GET /contacts/{id}' },
  });
  check(response, { 'no 5xx': (r) => r.status < 500 }, { kind: 'no5xx' });
  check(response, { 'ok or rate-limited': (r) => r.status === 200 || r.status === 429 });
}
