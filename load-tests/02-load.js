// Load: a steady mix of reads and writes at a bounded number of users for a bounded time.
import { sleep } from 'k6';
import { login } from './lib/auth.js';
import { assertLoopback, BASE_URL } from './lib/config.js';
import { createContact, listContacts, readContact, searchContacts } from './lib/contacts.js';

export const options = {
  stages: [
    { duration: '20s', target: 20 },
    { duration: '1m', target: 20 },
    { duration: '10s', target: 0 },
  ],
  thresholds: { http_req_failed: ['rate<0.01'], 'http_req_duration{name:GET /contacts/{id}}': ['p(95)<250'] },
};

export function setup() {
  assertLoopback(BASE_URL);
  const token = login();
  return { token, seedId: createContact(token, 0) };
}

export default function ({ token, seedId }) {
  const roll = Math.random();
  if (roll < 0.5) readContact(token, seedId);
  else if (roll < 0.75) searchContacts(token, 'load');
  else if (roll < 0.9) listContacts(token);
  else createContact(token, __ITER);
  sleep(0.1);
}
