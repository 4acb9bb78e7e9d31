// OWASP API1:2023 Broken Object Level Authorization. For every resource with an id in the OpenAPI document, a record
// is made by its owner, and then every operation on /<resource>/{id}... is tried by callers who must not see it:
// another rep of the same team, a rep of another team, a support agent, and an admin of another tenant. Each gets
// 404 (never 403, 409, 412 or a 2xx, which would tell the record exists) and the record is unchanged afterwards.
// A resource added to the document without a way to make one here fails the suite until it gets one.
import { decodeClaims } from '@crm/testkit';
import { GatewayStack } from '../support/gateway-stack';
import {
  call,
  functionAllowed,
  operationsOf,
  tokenOf,
  unique,
  type Caller,
  type Operation,
} from './support/owasp-stack';

const stack = new GatewayStack();
beforeAll(() => stack.start({ pipeline: true, ticket: true, workflow: {} }), 180_000);
afterAll(() => stack.stop());

interface Fixture {
  owner: Caller;
  /** Who may not see the owner's record. */
  strangers: Caller[];
  /** Makes a record as the owner; resolves to its id. */
  make: (token: string) => Promise<string>;
}

const REP_STRANGERS: Caller[] = ['acme-rep2', 'acme-rep3', 'acme-agent1', 'globex-admin', 'globex-rep1'];
// Tenant configuration: everyone of the tenant may read it (or is refused by function), so another tenant is the
// stranger.
const TENANT_STRANGERS: Caller[] = ['globex-admin', 'globex-rep1'];

/** A rule run by hand that makes one task for whoever triggers it. */
const manualRule = () => ({
  key: `bola-${unique()}`,
  name: `Bola ${unique()}`,
  trigger: { type: 'manual' },
  actions: [{ id: 'task', type: 'create_task', title: 'Bola follow-up', dueIn: { amount: 1, unit: 'days' } }],
});

async function created(res: { status: number; body: unknown; text: string }, what: string): Promise<string> {
  if (res.status !== 201) throw new Error(`could not make a ${what}: ${res.status} ${res.text}`);
  return (res.body as { id: string }).id;
}

const post = (path: string, token: string, body: unknown) => call(stack, { method: 'post', path }, token, {}, body);

/** How to make one record of each resource that has an id, by the collection it lives in. */
const FIXTURES: Record<string, Fixture> = {
  '/api/v1/contacts': {
    owner: 'acme-rep1',
    strangers: REP_STRANGERS,
    make: async (t) => created(await post('/api/v1/contacts', t, { firstName: 'Bola', lastName: unique() }), 'contact'),
  },
  '/api/v1/companies': {
    owner: 'acme-rep1',
    strangers: REP_STRANGERS,
    make: async (t) => created(await post('/api/v1/companies', t, { name: `Bola ${unique()}` }), 'company'),
  },
  '/api/v1/deals': {
    owner: 'acme-rep1',
    strangers: REP_STRANGERS,
    make: async (t) =>
      created(
        await post('/api/v1/deals', t, { title: `Bola ${unique()}`, amount: { amountMinor: 0, currency: 'USD' } }),
        'deal',
      ),
  },
  '/api/v1/activities': {
    owner: 'acme-rep1',
    strangers: REP_STRANGERS,
    make: async (t) => {
      const contact = await created(
        await post('/api/v1/contacts', t, { firstName: 'Act', lastName: unique() }),
        'contact',
      );
      return created(
        await post(`/api/v1/contacts/${contact}/activities`, t, { type: 'note', body: 'bola' }),
        'activity',
      );
    },
  },
  '/api/v1/pipelines': {
    owner: 'acme-admin',
    strangers: TENANT_STRANGERS,
    make: async (t) =>
      created(
        await post('/api/v1/pipelines', t, {
          name: `Bola ${unique()}`,
          stages: [
            { name: 'Open', kind: 'open', probability: 10 },
            { name: 'Won', kind: 'won', probability: 100 },
            { name: 'Lost', kind: 'lost', probability: 0 },
          ],
        }),
        'pipeline',
      ),
  },
  '/api/v1/imports': {
    owner: 'acme-manager',
    strangers: ['globex-admin'],
    make: async (t) => {
      const res = await stack.api.request('POST', '/api/v1/imports?entity=contact', {
        token: t,
        raw: 'email,firstName\nbola@example.test,Bola\n',
        headers: { 'content-type': 'text/csv', 'idempotency-key': `bola-${unique()}` },
      });
      if (res.status !== 202) throw new Error(`could not start an import: ${res.status} ${res.text}`);
      return (res.body as { id: string }).id;
    },
  },
  // A ticket made by an agent is theirs; sales reps who do not own its requester's contact are strangers.
  '/api/v1/tickets': {
    owner: 'acme-agent1',
    strangers: ['acme-rep2', 'acme-rep3', 'globex-admin', 'globex-rep1'],
    make: async (t) =>
      created(
        await post('/api/v1/tickets', t, {
          subject: `Bola ${unique()}`,
          requesterEmail: `bola-${unique()}@example.test`,
        }),
        'ticket',
      ),
  },
  '/api/v1/business-calendars': {
    owner: 'acme-admin',
    strangers: TENANT_STRANGERS,
    make: async (t) =>
      created(
        await post('/api/v1/business-calendars', t, {
          name: `Bola ${unique()}`,
          timeZone: 'Europe/Berlin',
          hours: [{ weekday: 1, start: '09:00', end: '17:00' }],
        }),
        'business calendar',
      ),
  },
  '/api/v1/sla-policies': {
    owner: 'acme-admin',
    strangers: TENANT_STRANGERS,
    make: async (t) =>
      created(
        await post('/api/v1/sla-policies', t, {
          name: `Bola ${unique()}`,
          targets: [{ priority: 'urgent', metric: 'first_reply', targetSeconds: 3600, businessHours: false }],
        }),
        'SLA policy',
      ),
  },
  '/api/v1/macros': {
    owner: 'acme-admin',
    strangers: TENANT_STRANGERS,
    make: async (t) =>
      created(await post('/api/v1/macros', t, { name: `Bola ${unique()}`, actions: { status: 'pending' } }), 'macro'),
  },
  '/api/v1/workflows': {
    owner: 'acme-admin',
    strangers: TENANT_STRANGERS,
    make: async (t) => created(await post('/api/v1/workflows', t, manualRule()), 'workflow'),
  },
  '/api/v1/workflow-runs': {
    owner: 'acme-admin',
    strangers: TENANT_STRANGERS,
    make: async (t) => {
      const rule = await created(await post('/api/v1/workflows', t, manualRule()), 'workflow');
      const res = await post(`/api/v1/workflows/${rule}/trigger`, t, { payload: {} });
      if (res.status !== 202) throw new Error(`could not trigger a run: ${res.status} ${res.text}`);
      const { runId } = res.body as { runId: string };
      // A finished run, so that its ETag stays put while the strangers try it.
      for (let i = 0; i < 100; i++) {
        const run = await stack.api.get(`/api/v1/workflow-runs/${runId}`, t);
        if (run.status === 200 && (run.body as { status: string }).status === 'succeeded') return runId;
        await new Promise((r) => setTimeout(r, 200));
      }
      throw new Error(`run ${runId} did not finish`);
    },
  },
  '/api/v1/tasks': {
    owner: 'acme-rep1',
    strangers: REP_STRANGERS,
    make: async (t) => created(await post('/api/v1/tasks', t, { title: `Bola ${unique()}` }), 'task'),
  },
  '/api/v1/webhook-endpoints': {
    owner: 'acme-admin',
    strangers: TENANT_STRANGERS,
    make: async (t) => {
      const res = await post('/api/v1/webhook-endpoints', t, {
        url: 'https://hooks.example.com/bola',
        eventTypes: ['deal.won'],
      });
      if (res.status !== 201) throw new Error(`could not make a webhook endpoint: ${res.status} ${res.text}`);
      return (res.body as { endpoint: { id: string } }).endpoint.id;
    },
  },
  '/api/v1/forms': {
    owner: 'acme-admin',
    strangers: TENANT_STRANGERS,
    make: async (t) => {
      const res = await post('/api/v1/forms', t, {
        name: `Bola ${unique()}`,
        fields: [{ name: 'email', mapsTo: 'email', required: true }],
        allowedOrigins: ['https://www.acme.test'],
        // Leads go to the admin who made the form.
        assignment: { strategy: 'fixed', ownerId: String(decodeClaims(t).sub) },
      });
      if (res.status !== 201) throw new Error(`could not make a form: ${res.status} ${res.text}`);
      return (res.body as { form: { id: string } }).form.id;
    },
  },
};

/** Operations on one record: every path under a collection's /{id}. */
function recordOperations(): Map<string, Operation[]> {
  const byCollection = new Map<string, Operation[]>();
  for (const op of operationsOf(stack)) {
    const match = /^(\/api\/v1\/[a-z-]+)\/\{id\}/.exec(op.path);
    if (!match || !op.secured) continue;
    const list = byCollection.get(match[1] as string) ?? [];
    list.push(op);
    byCollection.set(match[1] as string, list);
  }
  return byCollection;
}

// The document exists once the gateway runs; jest needs the test list before, so the list is checked inside.
it('has a fixture for every resource with an id in the document', () => {
  expect([...recordOperations().keys()].sort()).toEqual(Object.keys(FIXTURES).sort());
});

it.each(Object.keys(FIXTURES))('%s/{id}…: strangers get 404 on every operation, and nothing changes', async (base) => {
  const fixture = FIXTURES[base] as Fixture;
  const ops = recordOperations().get(base) ?? [];
  expect(ops.length).toBeGreaterThan(0);
  const ownerToken = await tokenOf(fixture.owner);
  const id = await fixture.make(ownerToken);
  const read = () => stack.api.get(`${base}/${id}`, ownerToken);
  const before = await read();
  expect(before.status).toBe(200);

  const leaks: string[] = [];
  for (const stranger of fixture.strangers) {
    const token = await tokenOf(stranger);
    for (const op of ops) {
      const res = await call(stack, op, token, { id, stageId: 'x', entity: 'contact' });
      // A role the route is not for at all is refused by function (403) before any record is looked at. Otherwise a
      // read is 404, and a change 404 or, when its input is refused first, 400: neither tells the record exists.
      const expected = !functionAllowed(stack, op, token) ? [403] : op.method === 'get' ? [404] : [400, 404];
      if (!expected.includes(res.status))
        leaks.push(`${stranger} ${op.method.toUpperCase()} ${op.path}: ${res.status} ${res.text.slice(0, 120)}`);
    }
  }
  expect(leaks).toEqual([]);
  const after = await read();
  expect(after.status).toBe(200);
  expect(after.headers.get('etag')).toBe(before.headers.get('etag'));
});
