import { connectBus, drainBus, principalFromClaims, type Bus } from '@crm/service-kit';
import { decodeClaims, infraEnv, userToken } from '@crm/testkit';
import { requestFingerprint, scopeKey } from '../src/idempotency/idempotency.middleware';
import { IdempotencyStore } from '../src/idempotency/idempotency.store';
import { openSharedBuckets } from '../src/kv/shared-buckets';
import { GatewayStack } from './support/gateway-stack';

const stack = new GatewayStack();
let bus: Bus;
let rep1: string;

beforeAll(async () => {
  await stack.start();
  bus = await connectBus({ url: infraEnv().natsUrl, name: 'gateway-limits-test', namespace: stack.namespace });
  rep1 = await userToken('acme-rep1');
}, 90_000);
afterAll(async () => {
  await drainBus(bus);
  await stack.stop();
});

const unique = () => Math.random().toString(36).slice(2, 10);
const countContacts = async (lastName: string) => {
  const list = (await stack.api.get('/api/v1/contacts?limit=200', rep1)).body as { data: Array<{ lastName: string }> };
  return list.data.filter((c) => c.lastName === lastName).length;
};

describe('Idempotency-Key on POST', () => {
  it('replays the stored response for the same key and body, creating one record, also through another replica', async () => {
    const key = `k-${unique()}`;
    const body = { firstName: 'Idem', lastName: `Potent${unique()}` };
    const first = await stack.api.post('/api/v1/contacts', rep1, body, { 'idempotency-key': key });
    expect(first.status).toBe(201);
    const again = await stack.api.post('/api/v1/contacts', rep1, body, { 'idempotency-key': key });
    expect(again.status).toBe(201);
    expect(again.text).toBe(first.text);
    expect(again.headers.get('etag')).toBe(first.headers.get('etag'));
    expect(again.headers.get('location')).toBe(first.headers.get('location'));
    expect(again.headers.get('idempotent-replayed')).toBe('true');

    const replica = stack.clientOf(await stack.startGateway());
    const third = await replica.post('/api/v1/contacts', rep1, body, { 'idempotency-key': key });
    expect(third.text).toBe(first.text);
    expect(await countContacts(body.lastName)).toBe(1);
  });

  it('answers 422 to the same key with another body', async () => {
    const key = `k-${unique()}`;
    expect(
      (
        await stack.api.post(
          '/api/v1/contacts',
          rep1,
          { firstName: 'A', lastName: unique() },
          { 'idempotency-key': key },
        )
      ).status,
    ).toBe(201);
    const other = await stack.api.post(
      '/api/v1/contacts',
      rep1,
      { firstName: 'B', lastName: unique() },
      { 'idempotency-key': key },
    );
    expect(other.status).toBe(422);
    expect((other.body as { type: string }).type).toBe('/problems/idempotency-key-reused');
  });

  it('answers 409 while the first request with the key is in flight', async () => {
    const key = `k-${unique()}`;
    const body = { firstName: 'Flight', lastName: unique() };
    const raw = Buffer.from(JSON.stringify(body));
    // Another replica has claimed the key and is still working on it.
    const principal = principalFromClaims(decodeClaims(rep1));
    if (!principal) throw new Error('no principal');
    const store = new IdempotencyStore(
      (
        await openSharedBuckets(bus, { idempotency: 'gateway_idempotency', rateLimits: 'gateway_ratelimit' })
      ).idempotency,
      60_000,
    );
    const claim = await store.claim(scopeKey(principal, key), requestFingerprint('POST', '/api/v1/contacts', raw));
    expect(claim.kind).toBe('claimed');

    const res = await stack.api.request('POST', '/api/v1/contacts', {
      token: rep1,
      raw,
      headers: { 'content-type': 'application/json', 'idempotency-key': key },
    });
    expect(res.status).toBe(409);
    expect(res.headers.get('retry-after')).toBe('1');
    expect(await countContacts(body.lastName)).toBe(0);
  });

  it('scopes keys to the caller: another user with the same key is not replayed', async () => {
    const key = `k-${unique()}`;
    const lastName = unique();
    const a = await stack.api.post('/api/v1/contacts', rep1, { firstName: 'S', lastName }, { 'idempotency-key': key });
    const b = await stack.api.post(
      '/api/v1/contacts',
      await userToken('acme-rep2'),
      { firstName: 'S', lastName },
      { 'idempotency-key': key },
    );
    expect(a.status).toBe(201);
    expect(b.status).toBe(201);
    expect((b.body as { id: string }).id).not.toBe((a.body as { id: string }).id);
  });

  it('does not replay a failure a retry could fix: a 503 from an unavailable service', async () => {
    const broken = stack.clientOf(await stack.startGateway({ CONTACT_GRPC_URL: '127.0.0.1:1' }));
    const key = `k-${unique()}`;
    const body = { firstName: 'Retry', lastName: unique() };
    expect((await broken.post('/api/v1/contacts', rep1, body, { 'idempotency-key': key })).status).toBe(503);
    expect((await stack.api.post('/api/v1/contacts', rep1, body, { 'idempotency-key': key })).status).toBe(201);
  });
});

describe('rate limits', () => {
  it('announce the policy, then answer 429 with Retry-After once the client bucket is empty, across replicas', async () => {
    const env = {
      RATE_LIMIT_CLIENT_BURST: '3',
      RATE_LIMIT_CLIENT_PER_SEC: '0.01',
      RATE_LIMIT_BUCKET: `rl_${unique()}`,
    };
    const a = stack.clientOf(await stack.startGateway(env));
    const b = stack.clientOf(await stack.startGateway(env));
    const token = await userToken('acme-rep3');
    const first = await a.get('/api/v1/me', token);
    expect(first.status).toBe(200);
    expect(first.headers.get('ratelimit-policy')).toBe('"tenant";q=600;w=6, "client";q=3;w=300');
    expect(first.headers.get('ratelimit')).toMatch(/^"client";r=2;t=\d+$/);
    expect((await b.get('/api/v1/me', token)).status).toBe(200);
    expect((await a.get('/api/v1/me', token)).status).toBe(200);
    const limited = await b.get('/api/v1/me', token);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(limited.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    // Another client of the tenant still has its own bucket.
    expect((await a.get('/api/v1/me', await userToken('acme-rep2'))).status).toBe(200);
  });

  it('limits the tenant as a whole', async () => {
    const gateway = stack.clientOf(
      await stack.startGateway({
        RATE_LIMIT_TENANT_BURST: '2',
        RATE_LIMIT_TENANT_PER_SEC: '0.01',
        RATE_LIMIT_BUCKET: `rl_${unique()}`,
      }),
    );
    expect((await gateway.get('/api/v1/me', await userToken('globex-admin'))).status).toBe(200);
    expect((await gateway.get('/api/v1/me', await userToken('globex-rep1'))).status).toBe(200);
    const limited = await gateway.get('/api/v1/me', await userToken('globex-admin'));
    expect(limited.status).toBe(429);
    expect(limited.headers.get('ratelimit')).toMatch(/^"tenant";r=0;/);
    expect((await gateway.get('/api/v1/me', rep1)).status).toBe(200);
  });
});

describe('rate limits taken ahead in leases', () => {
  it('never admit more than the shared bucket holds, across replicas serving a burst at once', async () => {
    // Capacity 40: each replica may take up to 4 tokens ahead; the refill is too slow to matter during the test.
    const env = {
      RATE_LIMIT_CLIENT_BURST: '40',
      RATE_LIMIT_CLIENT_PER_SEC: '0.01',
      RATE_LIMIT_BUCKET: `rl_${unique()}`,
    };
    const replicas = [stack.clientOf(await stack.startGateway(env)), stack.clientOf(await stack.startGateway(env))];
    const token = await userToken('acme-rep2');
    const answers = await Promise.all(
      Array.from({ length: 70 }, (_, i) => (replicas[i % 2] as (typeof replicas)[number]).get('/api/v1/me', token)),
    );
    const admitted = answers.filter((a) => a.status === 200).length;
    expect(answers.every((a) => a.status === 200 || a.status === 429)).toBe(true);
    expect(admitted).toBeLessThanOrEqual(40);
    // Tokens leased by one replica are out of the other's reach for a moment, never more than a tenth each.
    expect(admitted).toBeGreaterThanOrEqual(40 - 2 * 4);
  });
});

describe('timeouts', () => {
  it('answers 504 when the request budget runs out before the service answers', async () => {
    const hurried = stack.clientOf(await stack.startGateway({ REQUEST_TIMEOUT_MS: '1' }));
    const res = await hurried.get('/api/v1/contacts', rep1);
    expect(res.status).toBe(504);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  });
});
