import http from 'k6/http';
import { check } from 'k6';
import { BASE_URL } from './config.js';
import { authHeaders } from './auth.js';
import { idempotencyKey } from './keys.js';

/** A requester writes in: a new ticket (an Idempotency-Key, as a client retrying safely would send). */
export function createTicket(token, n) {
  const body = JSON.stringify({
    subject: `Load ticket ${n}: cannot export the report`,
    description: 'The export button spins forever.',
    requesterEmail: `load-requester-${n % 50}@example.test`,
    priority: ['low', 'normal', 'normal', 'high', 'urgent'][n % 5],
    tags: ['load-test'],
    channel: 'email',
  });
  const response = http.post(`${BASE_URL}/api/v1/tickets`, body, {
    ...authHeaders(token, { 'idempotency-key': idempotencyKey(`ticket-${n}`) }),
    tags: { name: 'POST /tickets' },
  });
  check(response, { 'ticket created (201)': (r) => r.status === 201 });
  return response.status === 201 ? response.json('id') : undefined;
}

/** The first page of a queue (a `view=`), as an agent's screen shows it. */
export function queuePage(token, view, limit = 20) {
  const response = http.get(`${BASE_URL}/api/v1/tickets?view=${view}&limit=${limit}`, {
    ...authHeaders(token),
    tags: { name: 'GET /tickets?view' },
  });
  check(response, { 'queue answered (200)': (r) => r.status === 200 });
  return response.status === 200 ? response.json('data') : [];
}

export function readTicket(token, id) {
  const response = http.get(`${BASE_URL}/api/v1/tickets/${id}`, {
    ...authHeaders(token),
    tags: { name: 'GET /tickets/{id}' },
  });
  check(response, { 'ticket read (200)': (r) => r.status === 200 });
  return response;
}

/** A merge patch with If-Match: 412 when another agent changed the ticket first (expected under contention). */
export function patchTicket(token, id, etag, patch) {
  const response = http.patch(`${BASE_URL}/api/v1/tickets/${id}`, JSON.stringify(patch), {
    ...authHeaders(token, { 'content-type': 'application/merge-patch+json', 'if-match': etag }),
    tags: { name: 'PATCH /tickets/{id}' },
  });
  check(response, { 'ticket updated (200) or taken by another (412)': (r) => r.status === 200 || r.status === 412 });
  return response;
}

export function reply(token, id, body) {
  const response = http.post(`${BASE_URL}/api/v1/tickets/${id}/comments`, JSON.stringify({ body, public: true }), {
    ...authHeaders(token),
    tags: { name: 'POST /tickets/{id}/comments' },
  });
  check(response, { 'reply added (201)': (r) => r.status === 201 });
  return response;
}
