// OWASP API5:2023 Broken Function Level Authorization. The role × route matrix comes from the gateway's access
// policy (src/auth/access-policy.ts) and the routes of the OpenAPI document: every secured operation is called by a
// user of every role and by the partner client. A caller the policy does not admit gets 403 before anything else
// happens; one it admits never does (it may still get 400 or 404 for the made-up input). New routes join the matrix.
import { clientToken } from '@crm/testkit';
import { GatewayStack } from '../support/gateway-stack';
import { call, fill, functionAllowed, operationsOf, tokenOf, type Caller } from './support/owasp-stack';

const stack = new GatewayStack();
// Every route's service runs, so that an admitted call is answered by it (never 503); limits are API4's suite.
const unlimited = { RATE_LIMIT_CLIENT_BURST: '100000', RATE_LIMIT_TENANT_BURST: '100000' };
beforeAll(
  () => stack.start({ pipeline: true, reporting: true, ticket: true, workflow: {}, gatewayEnv: unlimited }),
  180_000,
);
afterAll(() => stack.stop());

const CALLERS: Caller[] = [
  'acme-admin',
  'acme-manager',
  'acme-rep1',
  'acme-support-lead',
  'acme-agent1',
  'acme-partner',
];

/** Status of a streaming route (SSE) without waiting for its end. */
async function streamStatus(path: string, token: string): Promise<number> {
  const controller = new AbortController();
  const res = await fetch(`${stack.api.baseUrl}${fill(path)}`, {
    headers: { authorization: `Bearer ${token}` },
    signal: controller.signal,
  });
  controller.abort();
  return res.status;
}

it.each(CALLERS)('%s: 403 exactly where the access policy says, on every secured route', async (caller) => {
  const token = await tokenOf(caller);
  const streaming = new Set(stack.gateway.routes.filter((r) => r.streaming).map((r) => `${r.method} ${r.path}`));
  const ops = operationsOf(stack).filter((op) => op.secured);
  expect(ops.length).toBeGreaterThan(40);
  const wrong: string[] = [];
  let allowed = 0;
  for (const op of ops) {
    const admitted = functionAllowed(stack, op, token);
    if (admitted) allowed++;
    const status =
      admitted && streaming.has(`${op.method} ${op.path}`) && op.path === '/api/v1/events'
        ? await streamStatus(op.path, token)
        : (await call(stack, op, token)).status;
    const ok = admitted ? status !== 403 && status !== 401 && status < 500 : status === 403;
    if (!ok) wrong.push(`${op.method.toUpperCase()} ${op.path}: ${status} (policy ${admitted ? 'admits' : 'refuses'})`);
  }
  expect(wrong).toEqual([]);
  // The matrix is not trivially all-or-nothing for anyone but the admin.
  if (caller !== 'acme-admin') expect(allowed).toBeLessThan(ops.length);
});

it("a service's own client-credentials token (no tenant) is refused at the edge", async () => {
  expect((await stack.api.get('/api/v1/me', await clientToken('contact-service'))).status).toBe(403);
});
