// Overload: admission control sheds what does not fit with 503 and Retry-After (the gateway keeps answering), long-
// lived streams have their own cap, and clients that send too slowly are cut off instead of holding sockets. The
// limits are set small by configuration; latency and memory at twice the capacity are measured by
// `pnpm --filter @crm/gateway bench:overload`, not asserted here.
import { connect } from 'node:net';
import { userToken } from '@crm/testkit';
import { GatewayStack, type GatewayClient } from './support/gateway-stack';

const stack = new GatewayStack();
let rep: string;
const HIGH_LIMITS = {
  RATE_LIMIT_CLIENT_BURST: '1000000',
  RATE_LIMIT_CLIENT_PER_SEC: '100000',
  RATE_LIMIT_TENANT_BURST: '1000000',
  RATE_LIMIT_TENANT_PER_SEC: '100000',
};
beforeAll(async () => {
  await stack.start();
  rep = await userToken('acme-rep1');
}, 120_000);
afterAll(() => stack.stop());

async function metric(gatewayAdminPort: number, name: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${gatewayAdminPort}/metrics`)).text();
  return text
    .split('\n')
    .filter((l) => l.startsWith(name))
    .reduce((sum, l) => sum + Number(l.split(' ').pop()), 0);
}

it('sheds a burst beyond in-flight + queue with 503 and Retry-After, answers the rest, and keeps serving', async () => {
  const gateway = await stack.startGateway({
    ...HIGH_LIMITS,
    MAX_IN_FLIGHT: '2',
    MAX_QUEUED: '2',
    QUEUE_TIMEOUT_MS: '60000',
  });
  const client = stack.clientOf(gateway);
  const answers = await Promise.all(Array.from({ length: 40 }, () => client.get('/api/v1/contacts?limit=5', rep)));
  const statuses = answers.map((a) => a.status);
  expect(statuses.filter((s) => s !== 200 && s !== 503)).toEqual([]);
  const shed = answers.filter((a) => a.status === 503);
  expect(shed.length).toBeGreaterThan(0);
  expect(statuses.filter((s) => s === 200).length).toBeGreaterThanOrEqual(4);
  for (const a of shed) {
    expect(a.headers.get('retry-after')).toBe('1');
    expect(a.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  }
  expect(await metric(gateway.adminPort, 'gateway_requests_shed_total')).toBe(shed.length);
  expect((await client.get('/api/v1/me', rep)).status).toBe(200);
  // Probes are never shed, whatever the load.
  expect((await fetch(`http://127.0.0.1:${gateway.port}/livez`)).status).toBe(200);
});

it('sheds a request that waited its whole queue time', async () => {
  const gateway = await stack.startGateway({
    ...HIGH_LIMITS,
    MAX_IN_FLIGHT: '1',
    MAX_QUEUED: '100',
    QUEUE_TIMEOUT_MS: '1',
  });
  const client = stack.clientOf(gateway);
  const answers = await Promise.all(Array.from({ length: 20 }, () => client.get('/api/v1/contacts?limit=5', rep)));
  expect(answers.some((a) => a.status === 503)).toBe(true);
  expect(answers.every((a) => a.status === 200 || a.status === 503)).toBe(true);
  const text = await (await fetch(`http://127.0.0.1:${gateway.adminPort}/metrics`)).text();
  expect(text).toMatch(/gateway_requests_shed_total\{reason="queue_timeout"[^}]*\} [1-9]/);
});

it('caps open event streams apart from ordinary requests', async () => {
  const gateway = await stack.startGateway({ ...HIGH_LIMITS, MAX_LONG_LIVED: '1' });
  const controller = new AbortController();
  const first = await fetch(`http://127.0.0.1:${gateway.port}/api/v1/events`, {
    headers: { authorization: `Bearer ${rep}` },
    signal: controller.signal,
  });
  expect(first.status).toBe(200);
  const second = await stack.clientOf(gateway).get('/api/v1/events', rep);
  expect(second.status).toBe(503);
  expect(second.headers.get('retry-after')).toBe('1');
  // Ordinary requests are not affected by the open stream.
  expect((await stack.clientOf(gateway).get('/api/v1/me', rep)).status).toBe(200);
  controller.abort();
});

/** Sends `head` (and `partialBody`), then nothing more; resolves with what the server said when it closed. */
function stall(client: GatewayClient, head: string, partialBody = ''): Promise<string> {
  const { port } = new URL(client.baseUrl);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), '127.0.0.1', () => socket.write(head + partialBody));
    let answer = '';
    socket.on('data', (d: Buffer) => (answer += d.toString()));
    socket.on('close', () => resolve(answer));
    socket.on('error', reject);
  });
}

it('cuts off an upload that trickles in, with 408', async () => {
  const gateway = stack.clientOf(
    await stack.startGateway({ REQUEST_RECEIVE_TIMEOUT_MS: '1500', HEADERS_TIMEOUT_MS: '1000' }),
  );
  const head =
    `POST /api/v1/contacts HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${rep}\r\n` +
    `Content-Type: application/json\r\nContent-Length: 100000\r\n\r\n`;
  const answer = await stall(gateway, head, '{"firstName": "Slo');
  expect(answer).toMatch(/^HTTP\/1\.1 408/);
});

it('cuts off a request head that never ends, with 408', async () => {
  const gateway = stack.clientOf(
    await stack.startGateway({ HEADERS_TIMEOUT_MS: '1000', REQUEST_RECEIVE_TIMEOUT_MS: '1500' }),
  );
  const answer = await stall(gateway, 'GET /api/v1/me HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ');
  expect(answer).toMatch(/^HTTP\/1\.1 408/);
});
