// OWASP API4:2023 Unrestricted Resource Consumption: page sizes, body and upload sizes, the length of every
// bounded query parameter (generated from the document), and rate limits per client and per tenant, all set for
// the test by configuration.
import { GatewayStack, type GatewayClient } from '../support/gateway-stack';
import { fill, operationsOf, tokenOf, unique } from './support/owasp-stack';

const stack = new GatewayStack();
let small: GatewayClient;
beforeAll(async () => {
  await stack.start();
  // Size limits only: its rate limits (tested below on gateways of their own) stay out of the way of ~100 writes.
  small = stack.clientOf(
    await stack.startGateway({
      BODY_LIMIT_BYTES: '2048',
      IMPORT_LIMIT_BYTES: '4096',
      RATE_LIMIT_CLIENT_BURST: '100000',
      RATE_LIMIT_TENANT_BURST: '100000',
      RATE_LIMIT_BUCKET: `rl_${unique()}`,
    }),
  );
}, 120_000);
afterAll(() => stack.stop());

interface Parameter {
  name: string;
  in: string;
  schema?: { maxLength?: number; maximum?: number; type?: string };
}

function parametersOf(method: string, path: string): Parameter[] {
  const item = (stack.gateway.document.paths as Record<string, Record<string, { parameters?: Parameter[] }>>)[path];
  return item?.[method]?.parameters ?? [];
}

const invalidFields = (body: unknown) =>
  ((body as { errors?: Array<{ field: string }> }).errors ?? []).map((e) => e.field);

it('every list refuses a page larger than 200 (and smaller than 1), naming limit', async () => {
  const token = await tokenOf('acme-admin');
  const lists = operationsOf(stack).filter(
    (op) => op.method === 'get' && parametersOf('get', op.path).some((p) => p.name === 'limit' && p.in === 'query'),
  );
  expect(lists.length).toBeGreaterThan(5);
  const wrong: string[] = [];
  for (const op of lists) {
    const max = parametersOf('get', op.path).find((p) => p.name === 'limit')?.schema?.maximum ?? 200;
    expect(max).toBeLessThanOrEqual(200);
    for (const limit of [max + 1, 0]) {
      const res = await stack.api.get(`${fill(op.path)}?limit=${limit}`, token);
      if (res.status !== 400 || !invalidFields(res.body).includes('limit'))
        wrong.push(`${op.path}?limit=${limit}: ${res.status}`);
    }
  }
  expect(wrong).toEqual([]);
});

it('every bounded query parameter refuses one character more than its maximum, naming it', async () => {
  const token = await tokenOf('acme-admin');
  const wrong: string[] = [];
  let tried = 0;
  for (const op of operationsOf(stack).filter((o) => o.method === 'get' && o.secured)) {
    for (const p of parametersOf('get', op.path).filter((x) => x.in === 'query' && x.schema?.maxLength)) {
      tried++;
      const value = 'a'.repeat((p.schema?.maxLength ?? 0) + 1);
      const res = await stack.api.get(`${fill(op.path)}?${p.name}=${value}`, token);
      if (res.status !== 400 || !invalidFields(res.body).includes(p.name))
        wrong.push(`${op.path} ${p.name}: ${res.status}`);
    }
  }
  expect(tried).toBeGreaterThan(3);
  expect(wrong).toEqual([]);
});

it('every write with a JSON body refuses a body over BODY_LIMIT_BYTES with 413', async () => {
  const token = await tokenOf('acme-admin');
  const writes = operationsOf(stack).filter(
    (op) => op.secured && op.method !== 'get' && op.method !== 'delete' && op.requestBody,
  );
  const wrong: string[] = [];
  for (const op of writes.filter((o) => o.path !== '/api/v1/imports')) {
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'if-match': '*',
      'idempotency-key': unique(),
    };
    if (op.method === 'patch') headers['content-type'] = 'application/merge-patch+json';
    const res = await small.request(op.method.toUpperCase(), fill(op.path), {
      token,
      raw: JSON.stringify({ note: 'x'.repeat(4096) }),
      headers,
    });
    if (res.status !== 413) wrong.push(`${op.method} ${op.path}: ${res.status}`);
  }
  expect(writes.length).toBeGreaterThan(15);
  expect(wrong).toEqual([]);
});

it('an upload over IMPORT_LIMIT_BYTES is 413', async () => {
  const res = await small.request('POST', '/api/v1/imports?entity=contact', {
    token: await tokenOf('acme-admin'),
    raw: `email\n${'a@example.test\n'.repeat(1000)}`,
    headers: { 'content-type': 'text/csv', 'idempotency-key': unique() },
  });
  expect(res.status).toBe(413);
});

it('rate limits per client and per tenant answer 429 with Retry-After', async () => {
  const perClient = stack.clientOf(
    await stack.startGateway({
      RATE_LIMIT_CLIENT_BURST: '2',
      RATE_LIMIT_CLIENT_PER_SEC: '0.01',
      RATE_LIMIT_BUCKET: `rl_${unique()}`,
    }),
  );
  const rep = await tokenOf('acme-rep2');
  const statuses = [];
  for (let i = 0; i < 3; i++) statuses.push((await perClient.get('/api/v1/me', rep)).status);
  expect(statuses).toEqual([200, 200, 429]);
  const perTenant = stack.clientOf(
    await stack.startGateway({
      RATE_LIMIT_TENANT_BURST: '2',
      RATE_LIMIT_TENANT_PER_SEC: '0.01',
      RATE_LIMIT_BUCKET: `rl_${unique()}`,
    }),
  );
  expect((await perTenant.get('/api/v1/me', await tokenOf('globex-admin'))).status).toBe(200);
  expect((await perTenant.get('/api/v1/me', await tokenOf('globex-rep1'))).status).toBe(200);
  const limited = await perTenant.get('/api/v1/me', await tokenOf('globex-admin'));
  expect(limited.status).toBe(429);
  expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
});
