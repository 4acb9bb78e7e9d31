// OWASP API9:2023 Improper Inventory Management: every route express serves is in the OpenAPI document and every
// documented operation is served (both ways), each operation says who may call it, and one version is served.
import { GatewayStack } from '../support/gateway-stack';
import { operationsOf } from './support/owasp-stack';

const stack = new GatewayStack();
beforeAll(() => stack.start(), 120_000);
afterAll(() => stack.stop());

it('documents exactly the routes the gateway serves', () => {
  const served = stack.gateway.routes.map((r) => `${r.method} ${r.path}`).sort();
  const documented = operationsOf(stack)
    .map((op) => `${op.method} ${op.path}`)
    .sort();
  expect(documented).toEqual(served);
});

it('every documented operation answers something other than an unknown route', async () => {
  const unknown: string[] = [];
  for (const op of operationsOf(stack)) {
    if (op.path === '/api/v1/events') continue;
    const res = await stack.api.request(op.method.toUpperCase(), op.path.replace(/\{[^}]+\}/g, 'x1'));
    if (res.status === 404 && /No route/.test(res.text)) unknown.push(`${op.method} ${op.path}`);
  }
  expect(unknown).toEqual([]);
});

it('every secured operation names who may call it; the public ones are the document, health and rate-limited', () => {
  const doc = stack.gateway.document.paths as Record<
    string,
    Record<string, { description?: string; responses?: Record<string, unknown> }>
  >;
  const publicOps = operationsOf(stack)
    .filter((op) => !op.secured)
    .map((op) => `${op.method} ${op.path}`)
    .sort();
  // The CSAT survey (reached by a signed link) and web-form posts are public on purpose.
  expect(publicOps).toEqual([
    'get /api/v1/openapi.json',
    'get /api/v1/public/csat/{token}',
    'get /livez',
    'get /readyz',
    'post /api/v1/public/csat/{token}',
    'post /api/v1/public/forms/{formId}',
  ]);
  for (const op of operationsOf(stack).filter((o) => !o.secured && o.path.startsWith('/api/v1/public/'))) {
    const route = stack.gateway.routes.find((r) => r.method === op.method && r.path === op.path);
    expect({ op: op.operationId, limited: Boolean(route?.publicRateLimit) }).toEqual({
      op: op.operationId,
      limited: true,
    });
    expect(Object.keys(doc[op.path]?.[op.method]?.responses ?? {})).toContain('429');
  }
  for (const op of operationsOf(stack).filter((o) => o.secured))
    expect({ op: op.operationId, d: doc[op.path]?.[op.method]?.description ?? '' }).toEqual({
      op: op.operationId,
      d: expect.stringMatching(/\S/),
    });
});

it('serves one API version, and an old or unknown one is not quietly answered', async () => {
  const versions = new Set(
    operationsOf(stack)
      .map((op) => /^\/api\/(v\d+)\//.exec(op.path)?.[1])
      .filter(Boolean),
  );
  expect([...versions]).toEqual(['v1']);
  expect((await stack.api.get('/api/v0/contacts')).status).toBe(404);
  expect((await stack.api.get('/api/v2/contacts')).status).toBe(404);
  expect((await stack.api.get('/api/contacts')).status).toBe(404);
});
