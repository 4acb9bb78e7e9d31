// Smoke: one user, a few iterations — every main read and write path answers correctly.
import { check } from 'k6';
import http from 'k6/http';
import { login } from './lib/auth.js';
import { assertLoopback, BASE_URL, KEYCLOAK_URL } from './lib/config.js';
import { createContact, listContacts, readContact, searchContacts } from './lib/contacts.js';

export const options = {
  vus: 1,
  iterations: 5,
  thresholds: { checks: ['rate==1'], http_req_failed: ['rate==0'] },
};

export function setup() {
  assertLoopback(BASE_URL);
  assertLoopback(KEYCLOAK_URL);
  check(http.get(`${BASE_URL}/readyz`), { 'gateway ready': (r) => r.status === 200 });
  return { token: login() };
}

export default function ({ token }) {
  const id = createContact(token, 1);
  if (id) readContact(token, id);
  searchContacts(token, 'load');
  listContacts(token);
}
