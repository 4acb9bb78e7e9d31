import http from 'k6/http';
import { check } from 'k6';
import { BASE_URL } from './config.js';
import { authHeaders } from './auth.js';

export function createContact(token, n) {
  const body = JSON.stringify({
    firstName: `Load${n}`,
    lastName: `Test${__VU}x${__ITER}`,
    emails: [{ address: `load-${__VU}-${__ITER}-${n}-${Date.now()}@example.test`, primary: true }],
  });
  const response = http.post(`${BASE_URL}/api/v1/contacts`, body, {
    ...authHeaders(token),
    tags: { name: 'POST /contacts' },
  });
  check(response, { 'contact created (201)': (r) => r.status === 201 });
  return response.status === 201 ? response.json('id') : undefined;
}

export function readContact(token, id) {
  const response = http.get(`${BASE_URL}/api/v1/contacts/${id}`, {
    ...authHeaders(token),
    tags: { name: 'GET /contacts/{id}' },
  });
  check(response, { 'contact read (200)': (r) => r.status === 200 });
}

export function searchContacts(token, q) {
  const response = http.get(`${BASE_URL}/api/v1/contacts?q=${encodeURIComponent(q)}&limit=10`, {
    ...authHeaders(token),
    tags: { name: 'GET /contacts?q' },
  });
  check(response, { 'search answered (200)': (r) => r.status === 200 });
}

export function listContacts(token) {
  const response = http.get(`${BASE_URL}/api/v1/contacts?limit=50`, {
    ...authHeaders(token),
    tags: { name: 'GET /contacts' },
  });
  check(response, { 'list answered (200)': (r) => r.status === 200 });
}
