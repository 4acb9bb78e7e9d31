// Support agents working a queue: each agent opens the queue (breaching soonest first by default), takes a ticket
// (assigns it to themselves with If-Match; a 412 means a colleague was faster and is fine), replies, and sets it
// pending or solved; meanwhile requesters keep writing in. Bounded: up to 8 agents for about 1.5 minutes.
//   QUEUE_VIEW (breaching: open tickets with a running SLA clock; group_open when the tenant has no SLA policy)
import http from 'k6/http';
import { sleep } from 'k6';
import { login } from './lib/auth.js';
import { assertLoopback, BASE_URL } from './lib/config.js';
import { createTicket, patchTicket, queuePage, readTicket, reply } from './lib/tickets.js';

const AGENT = __ENV.CRM_AGENT || 'acme-agent1';
const VIEW = __ENV.QUEUE_VIEW || 'breaching';

export const options = {
  scenarios: {
    agents: {
      executor: 'ramping-vus',
      exec: 'agent',
      stages: [
        { duration: '15s', target: 8 },
        { duration: '1m', target: 8 },
        { duration: '10s', target: 0 },
      ],
    },
    requesters: {
      executor: 'constant-arrival-rate',
      exec: 'requester',
      rate: 2,
      timeUnit: '1s',
      duration: '85s',
      preAllocatedVUs: 4,
    },
  },
  thresholds: {
    http_req_failed: ['rate<0.01'],
    'http_req_duration{name:GET /tickets?view}': ['p(95)<500'],
    'http_req_duration{name:POST /tickets}': ['p(95)<1000'],
    checks: ['rate>0.99'],
  },
};

// A 412 on a contended If-Match is the protocol working, not a failure.
http.setResponseCallback(http.expectedStatuses({ min: 200, max: 399 }, 412));

export function setup() {
  assertLoopback(BASE_URL);
  const token = login(AGENT);
  for (let n = 0; n < 20; n++) createTicket(token, n);
  const me = http.get(`${BASE_URL}/api/v1/me`, { headers: { authorization: `Bearer ${token}` } }).json('userId');
  return { token, me };
}

export function agent({ token, me }) {
  const queue = queuePage(token, VIEW).filter((t) => t.assigneeId === '' || t.assigneeId === me);
  if (queue.length === 0) return sleep(1);
  const pick = queue[Math.floor(Math.random() * Math.min(queue.length, 5))];
  const current = readTicket(token, pick.id);
  if (current.status !== 200) return;
  const taken = patchTicket(token, pick.id, current.headers.Etag, { assigneeId: me });
  if (taken.status !== 200) return sleep(0.2);
  sleep(0.5); // reading the ticket
  const replied = reply(token, pick.id, 'Thanks for writing in. We are looking into it.');
  if (replied.status !== 201) return;
  const after = readTicket(token, pick.id);
  patchTicket(token, pick.id, after.headers.Etag, { status: Math.random() < 0.5 ? 'solved' : 'pending' });
  sleep(0.5);
}

export function requester({ token }) {
  createTicket(token, __ITER);
}
