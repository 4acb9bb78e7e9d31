// Load that measures: each scenario is a kind of user with a token of its own per VU (reps, managers, support
// agents, the partner integration), doing what that user does; thresholds are the SLOs (p95 per endpoint, errors
// below 1 % not counting deliberate 429s). A summary table is printed and written to SUMMARY_FILE.
// Rate limits must be raised by configuration for the run (see README): the test measures the platform, not them.
import http from 'k6/http';
import { check, sleep } from 'k6';
import { Rate } from 'k6/metrics';
import { assertLoopback, BASE_URL } from './lib/config.js';
import { tokensByRole, tokenOfVu } from './lib/identities.js';
import { idempotencyKey } from './lib/keys.js';
import { createTicket, queuePage, reply } from './lib/tickets.js';

const SCALE = Number(__ENV.LOAD_SCALE || 1);
const DURATION = __ENV.LOAD_DURATION || '1m';
/** Failed requests, except 429s (the rate limiter doing its job) and 404s of reads raced by deletes. */
const unexpected = new Rate('unexpected_errors');

const scenario = (exec, vus) => ({
  executor: 'constant-vus',
  exec,
  vus: Math.max(1, Math.round(vus * SCALE)),
  duration: DURATION,
});

/** The SLOs: p95 per endpoint, in ms. */
const SLO_P95_MS = {
  'GET /contacts?q': 500,
  'GET /contacts/{id}': 300,
  'POST /contacts/{id}/activities': 500,
  'POST /deals/{id}/move': 500,
  'GET /pipelines/{id}/board': 800,
  'GET /forecast': 800,
  'GET /deals': 500,
  'POST /contacts (partner upsert)': 500,
  'GET /dashboards/sales': 1000,
  'GET /dashboards/support': 1000,
  'GET /tickets?view': 500,
  'POST /tickets/{id}/comments': 500,
};

export const options = {
  scenarios: {
    reps: scenario('rep', 6),
    managers: scenario('manager', 2),
    agents: scenario('agent', 2),
    partners: scenario('partner', 1),
  },
  thresholds: {
    unexpected_errors: ['rate<0.01'],
    ...Object.fromEntries(
      Object.entries(SLO_P95_MS).map(([name, ms]) => [`http_req_duration{name:${name}}`, [`p(95)<${ms}`]]),
    ),
  },
  summaryTrendStats: ['avg', 'p(50)', 'p(95)', 'p(99)', 'max', 'count'],
};

function call(method, path, token, body, name, expected = [200, 201]) {
  const params = {
    headers: {
      authorization: `Bearer ${token}`,
      'content-type': 'application/json',
      'idempotency-key': idempotencyKey('slo'),
    },
    tags: { name },
  };
  const response = http.request(
    method,
    `${BASE_URL}/api/v1${path}`,
    body === undefined ? null : JSON.stringify(body),
    params,
  );
  unexpected.add(response.status !== 429 && !expected.includes(response.status));
  check(response, { [`${name} answered`]: (r) => expected.includes(r.status) || r.status === 429 });
  return response;
}

export function setup() {
  assertLoopback(BASE_URL);
  const tokens = tokensByRole();
  const rep = tokens.rep[0];
  const contact = call('POST', '/contacts', rep, { firstName: 'Slo', lastName: 'Seed' }, 'setup').json('id');
  const pipelines = call('GET', '/pipelines', rep, undefined, 'setup').json('data');
  const pipeline = pipelines[0];
  // The agents' queue needs tickets in it: requesters write in before the run (and the agents' replies keep them).
  for (let n = 0; n < 20; n++) createTicket(tokens.agent[0], n);
  return {
    tokens,
    contact,
    pipelineId: pipeline.id,
    quarter: nextMonths(3),
    // External ids are unique per run: a second run on the same data would otherwise get 409s for them.
    runId: crypto.randomUUID().slice(0, 8),
    stages: pipeline.stages.filter((s) => s.kind === 'open').map((s) => s.id),
  };
}

export function rep(data) {
  const token = tokenOfVu(data.tokens, 'rep');
  call('GET', `/contacts?q=slo&limit=20`, token, undefined, 'GET /contacts?q');
  const own = call('POST', '/contacts', token, { firstName: 'Rep', lastName: `Vu${__VU}` }, 'POST /contacts').json(
    'id',
  );
  if (own) {
    call('GET', `/contacts/${own}`, token, undefined, 'GET /contacts/{id}');
    call(
      'POST',
      `/contacts/${own}/activities`,
      token,
      { type: 'call', body: 'Called', call: { direction: 'outbound', durationSeconds: 60 } },
      'POST /contacts/{id}/activities',
    );
  }
  const deal = call(
    'POST',
    '/deals',
    token,
    { title: `Deal ${__VU}-${__ITER}`, amount: { amountMinor: 1000, currency: 'EUR' } },
    'POST /deals',
  );
  const dealId = deal.status === 201 ? deal.json('id') : undefined;
  if (dealId && data.stages.length > 1)
    call('POST', `/deals/${dealId}/move`, token, { stageId: data.stages[1] }, 'POST /deals/{id}/move');
  sleep(0.5);
}

export function manager(data) {
  const token = tokenOfVu(data.tokens, 'manager');
  call('GET', `/pipelines/${data.pipelineId}/board`, token, undefined, 'GET /pipelines/{id}/board');
  call('GET', `/forecast?pipelineId=${data.pipelineId}&${data.quarter}`, token, undefined, 'GET /forecast');
  call('GET', '/deals?limit=50', token, undefined, 'GET /deals');
  call('GET', '/dashboards/sales?period=this_quarter&groupBy=owner', token, undefined, 'GET /dashboards/sales');
  call('GET', '/dashboards/support?period=this_quarter&groupBy=week', token, undefined, 'GET /dashboards/support');
  sleep(1);
}

export function agent(data) {
  const token = tokenOfVu(data.tokens, 'agent');
  const queue = queuePage(token, __ENV.QUEUE_VIEW || 'group_open');
  const ticket = queue[Math.floor(Math.random() * Math.min(queue.length, 5))];
  if (ticket) {
    call('GET', `/tickets/${ticket.id}`, token, undefined, 'GET /tickets/{id}');
    reply(token, ticket.id, 'Thanks for writing in. We are looking into it.');
  }
  call('GET', '/me', token, undefined, 'GET /me');
  sleep(1);
}

export function partner(data) {
  const token = tokenOfVu(data.tokens, 'partner');
  for (let i = 0; i < 5; i++)
    call(
      'POST',
      '/contacts',
      token,
      { firstName: 'Partner', lastName: `Sync${__ITER}x${i}`, externalId: `p-${data.runId}-${__VU}-${__ITER}-${i}` },
      'POST /contacts (partner upsert)',
    );
  sleep(0.5);
}

export function handleSummary(data) {
  const rows = [['endpoint', 'requests', 'p50 ms', 'p95 ms', 'p99 ms', 'SLO p95']];
  for (const [key, metric] of Object.entries(data.metrics)) {
    const match = /^http_req_duration\{name:(.+)\}$/.exec(key);
    if (!match || !metric.values) continue;
    const slo = SLO_P95_MS[match[1]] === undefined ? '' : `< ${SLO_P95_MS[match[1]]}`;
    rows.push([
      match[1],
      String(metric.values.count ?? ''),
      f(metric.values['p(50)']),
      f(metric.values['p(95)']),
      f(metric.values['p(99)']),
      slo,
    ]);
  }
  const errors = data.metrics.unexpected_errors?.values?.rate ?? 0;
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  const table = rows.map((r) => r.map((c, i) => c.padEnd(widths[i])).join('  ')).join('\n');
  const failed = Object.entries(data.metrics)
    .filter(([, m]) => m.thresholds && Object.values(m.thresholds).some((t) => !t.ok))
    .map(([k]) => k);
  const text = `${table}\n\nunexpected errors (429 excluded): ${(errors * 100).toFixed(2)} % (SLO < 1 %)\nthresholds failed: ${failed.length ? failed.join(', ') : 'none'}\n`;
  return { stdout: `\n${text}`, [__ENV.SUMMARY_FILE || 'load-tests/results/04-slo-summary.txt']: text };
}

/** from=…&to=…: this month and the next n - 1, as calendar dates. */
function nextMonths(n) {
  const from = new Date();
  from.setUTCDate(1);
  const to = new Date(Date.UTC(from.getUTCFullYear(), from.getUTCMonth() + n, 0));
  return `from=${from.toISOString().slice(0, 10)}&to=${to.toISOString().slice(0, 10)}`;
}

function f(v) {
  return v === undefined ? '-' : v.toFixed(1);
}
