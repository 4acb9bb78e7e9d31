// OWASP API3:2023 Broken Object Property Level Authorization, from the OpenAPI document:
// - mass assignment: every property a response shows but the matching request body does not take is owned by the
//   server; sending it in that body is 400 naming the property (and nothing is written);
// - ownership: a rep or a partner cannot name an owner or team;
// - excessive data: a record's JSON has only the properties its documented schema has.
import { GatewayStack } from '../support/gateway-stack';
import { call, operationsOf, tokenOf, unique } from './support/owasp-stack';

const stack = new GatewayStack();
// Limits are not what this suite is about (API4 is): it writes many times in a row as one admin.
const unlimited = { RATE_LIMIT_CLIENT_BURST: '100000', RATE_LIMIT_TENANT_BURST: '100000' };
beforeAll(() => stack.start({ pipeline: true, ticket: true, workflow: {}, gatewayEnv: unlimited }), 180_000);
afterAll(() => stack.stop());

type Schema = { $ref?: string; properties?: Record<string, unknown>; allOf?: Schema[]; anyOf?: Schema[] };

function resolve(schema: Schema | undefined): Schema | undefined {
  if (!schema?.$ref) return schema;
  const name = schema.$ref.split('/').pop() as string;
  return resolve((stack.gateway.document.components?.schemas as Record<string, Schema>)[name]);
}

function propertiesOf(schema: Schema | undefined): string[] {
  const s = resolve(schema);
  if (!s) return [];
  return [
    ...Object.keys(s.properties ?? {}),
    ...(s.allOf ?? []).flatMap(propertiesOf),
    ...(s.anyOf ?? []).flatMap(propertiesOf),
  ];
}

interface OperationDoc {
  requestBody?: { content?: Record<string, { schema?: Schema }> };
  responses?: Record<string, { content?: Record<string, { schema?: Schema }> }>;
}

function opDoc(method: string, path: string): OperationDoc {
  return (stack.gateway.document.paths as Record<string, Record<string, OperationDoc>>)[path]?.[method] ?? {};
}

/** Writes with a JSON body whose success response is a record: the properties only the server may set. */
function serverOwnedByOperation() {
  return operationsOf(stack)
    .filter((op) => op.secured && (op.method === 'post' || op.method === 'patch' || op.method === 'put'))
    .map((op) => {
      const doc = opDoc(op.method, op.path);
      const content = doc.requestBody?.content ?? {};
      const json = content['application/json'] ?? content['application/merge-patch+json'];
      const success = Object.entries(doc.responses ?? {}).find(([status]) => /^2/.test(status))?.[1];
      const responseSchema = success?.content?.['application/json']?.schema;
      if (!json?.schema || !responseSchema) return undefined;
      const takes = new Set(propertiesOf(json.schema));
      if (takes.size === 0) return undefined;
      const owned = propertiesOf(responseSchema).filter((p) => !takes.has(p) && p !== 'data' && p !== 'nextCursor');
      return owned.length > 0 ? { op, owned } : undefined;
    })
    .filter((x) => x !== undefined);
}

const SAMPLE: Record<string, unknown> = {
  id: 'x1',
  tenantId: 'globex',
  version: 99,
  createdAt: '2020-01-01T00:00:00Z',
};

it('refuses every server-owned property in every write, naming it', async () => {
  const token = await tokenOf('acme-admin');
  const cases = serverOwnedByOperation();
  expect(cases.length).toBeGreaterThan(10);
  const accepted: string[] = [];
  let tried = 0;
  for (const { op, owned } of cases) {
    for (const property of owned) {
      tried++;
      const res = await call(stack, op, token, {}, { [property]: SAMPLE[property] ?? 'x' });
      const named = ((res.body as { errors?: Array<{ field: string }> }).errors ?? []).some(
        (e) => e.field === property,
      );
      // 404 for a record that does not exist is fine only when the body was refused too (checked before lookups).
      if (res.status !== 400 || !named) accepted.push(`${op.method} ${op.path} ${property}: ${res.status}`);
    }
  }
  expect(accepted).toEqual([]);
  expect(tried).toBeGreaterThan(50);
});

it.each([
  ['acme-rep1', '/api/v1/contacts', { firstName: 'Own', lastName: 'Er' }],
  ['acme-partner', '/api/v1/contacts', { firstName: 'Own', lastName: 'Er' }],
  ['acme-rep1', '/api/v1/companies', { name: 'Owner Inc' }],
  ['acme-rep1', '/api/v1/deals', { title: 'Own', amount: { amountMinor: 1, currency: 'USD' } }],
] as const)('%s cannot name the owner or team of a new record on %s', async (caller, path, body) => {
  const token = await tokenOf(caller);
  const res = await call(
    stack,
    { method: 'post', path },
    token,
    {},
    { ...body, ownerId: 'someone-else', teamId: 'acme-west' },
  );
  expect(res.status).toBe(400);
  expect(((res.body as { errors: Array<{ field: string }> }).errors ?? []).map((e) => e.field).sort()).toEqual([
    'ownerId',
    'teamId',
  ]);
});

it('a record shows only the properties of its documented schema', async () => {
  const token = await tokenOf('acme-rep1');
  const records: Array<[string, unknown]> = [
    [
      '/api/v1/contacts',
      { firstName: 'Prop', lastName: unique(), emails: [{ address: `p-${unique()}@example.test` }] },
    ],
    ['/api/v1/companies', { name: `Prop ${unique()}` }],
    ['/api/v1/deals', { title: `Prop ${unique()}`, amount: { amountMinor: 5, currency: 'USD' } }],
  ];
  for (const [path, body] of records) {
    const created = await call(stack, { method: 'post', path }, token, {}, body);
    expect(created.status).toBe(201);
    const id = (created.body as { id: string }).id;
    const read = await stack.api.get(`${path}/${id}`, token);
    const documented = new Set(
      propertiesOf(opDoc('get', `${path}/{id}`).responses?.['200']?.content?.['application/json']?.schema),
    );
    expect(documented.size).toBeGreaterThan(3);
    const extra = Object.keys(read.body as object).filter((key) => !documented.has(key));
    expect({ path, extra }).toEqual({ path, extra: [] });
  }
});
