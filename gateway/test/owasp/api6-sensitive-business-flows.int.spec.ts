// OWASP API6:2023 Unrestricted Access to Sensitive Business Flows. The flows that move or destroy data in bulk
// (imports, exports, GDPR export and erasure, merges, custom-field and pipeline changes) are for people in the roles
// that own them, never for a partner integration, and every one of them is behind the per-client and per-tenant
// rate limits like any other call.
import { ACCESS } from '../../src/auth/access-policy';
import { GatewayStack } from '../support/gateway-stack';
import { call, tokenOf } from './support/owasp-stack';

const stack = new GatewayStack();
beforeAll(() => stack.start({ pipeline: true }), 120_000);
afterAll(() => stack.stop());

const SENSITIVE = [ACCESS.privacyAndBulk, ACCESS.erase, ACCESS.admin, ACCESS.contactsCurate, ACCESS.forecast];

it('the sensitive flows admit no partner integration, and a partner is refused on each', async () => {
  const routes = stack.gateway.routes.filter((r) => r.access && SENSITIVE.includes(r.access as never));
  expect(routes.length).toBeGreaterThan(10);
  for (const route of routes) expect(route.access?.roles).not.toContain('integration');
  const partner = await tokenOf('acme-partner');
  const answered = await Promise.all(routes.map((r) => call(stack, r, partner)));
  expect(answered.map((a, i) => `${routes[i]?.method} ${routes[i]?.path} ${a.status}`)).toEqual(
    routes.map((r) => `${r.method} ${r.path} 403`),
  );
});

it('bulk flows are rate limited like every call (the limiter runs before the role check)', async () => {
  const gateway = stack.clientOf(
    await stack.startGateway({
      RATE_LIMIT_CLIENT_BURST: '1',
      RATE_LIMIT_CLIENT_PER_SEC: '0.01',
      RATE_LIMIT_BUCKET: 'rl_api6',
    }),
  );
  const manager = await tokenOf('acme-manager');
  expect((await gateway.get('/api/v1/imports', manager)).status).toBe(200);
  const second = await gateway.get('/api/v1/exports?entity=contact', manager);
  expect(second.status).toBe(429);
  expect(second.headers.get('retry-after')).not.toBeNull();
});
