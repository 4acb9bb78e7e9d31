import { connect } from 'node:net';
import { userToken } from '@crm/testkit';
import { GatewayStack } from './support/gateway-stack';
import { SseClient, type SseFrame } from './support/sse-client';

const stack = new GatewayStack();
const open: SseClient[] = [];
let rep1: string;
let rep3: string;
let manager: string;
let globex: string;

beforeAll(async () => {
  await stack.start({ pipeline: true });
  [rep1, rep3, manager, globex] = await Promise.all([
    userToken('acme-rep1'),
    userToken('acme-rep3'),
    userToken('acme-manager'),
    userToken('globex-admin'),
  ]);
}, 90_000);
afterAll(async () => {
  await Promise.all(open.map((c) => c.close()));
  await stack.stop();
});

async function subscribe(token: string, lastEventId?: string): Promise<SseClient> {
  const headers: Record<string, string> = { authorization: `Bearer ${token}` };
  if (lastEventId) headers['last-event-id'] = lastEventId;
  const client = await new SseClient(`${stack.api.baseUrl}/api/v1/events`, headers).open();
  open.push(client);
  await client.waitFor((f) => f.event === 'ready');
  return client;
}

const unique = () => Math.random().toString(36).slice(2, 10);
const dataOf = (frame: SseFrame) =>
  JSON.parse(frame.data) as {
    id: string;
    type: string;
    tenantId: string;
    aggregateId: string;
    ownerId: string;
    data: Record<string, unknown>;
  };

async function createContact(token: string, lastName = unique()): Promise<string> {
  const res = await stack.api.post('/api/v1/contacts', token, { firstName: 'Ev', lastName });
  expect(res.status).toBe(201);
  return (res.body as { id: string }).id;
}

describe('GET /api/v1/events', () => {
  it('is an authenticated event stream', async () => {
    expect((await stack.api.get('/api/v1/events')).status).toBe(401);
    const client = await subscribe(rep1);
    expect(client.status).toBe(200);
    expect(client.contentType).toMatch(/^text\/event-stream/);
    expect(client.frames[0]?.id).toMatch(/^CONTACT:\d+,PIPELINE:\d+$/);
  });

  it('delivers deal.stage_changed within 1 s of the move', async () => {
    const client = await subscribe(rep1);
    const pipeline = (await stack.api.get('/api/v1/pipelines/default', rep1)).body as {
      stages: Array<{ id: string; kind: string }>;
    };
    const open = pipeline.stages.filter((s) => s.kind === 'open');
    const deal = (
      await stack.api.post('/api/v1/deals', rep1, {
        title: `Deal ${unique()}`,
        amount: { amountMinor: 100_000, currency: 'EUR' },
      })
    ).body as { id: string; stageId: string };
    const target = open.find((s) => s.id !== deal.stageId);
    if (!target) throw new Error('the default pipeline has one open stage');

    const moved = await stack.api.post(`/api/v1/deals/${deal.id}/move`, rep1, { stageId: target.id });
    expect(moved.status).toBe(200);
    const movedAt = Date.now();
    const frame = await client.waitFor(
      (f) => f.event === 'deal.stage_changed' && dataOf(f).aggregateId === deal.id,
      5_000,
    );
    expect(frame.receivedAt - movedAt).toBeLessThan(1_000);
    expect(dataOf(frame).tenantId).toBe('acme');
    expect(dataOf(frame).data).toBeTruthy();
  });

  it("sends nothing from another tenant, nor records outside the caller's visibility", async () => {
    const acmeRep1 = await subscribe(rep1);
    const acmeRep3 = await subscribe(rep3);
    const acmeManager = await subscribe(manager);
    const globexContact = await createContact(globex);
    const rep3Contact = await createContact(rep3);
    const rep1Contact = await createContact(rep1);
    // Events of one stream arrive in order, so once rep1's (the last) is in, the earlier ones would have been too.
    await acmeRep1.waitFor((f) => f.event === 'contact.created' && dataOf(f).aggregateId === rep1Contact);
    await acmeManager.waitFor((f) => f.event === 'contact.created' && dataOf(f).aggregateId === rep1Contact);
    await acmeRep3.waitFor((f) => f.event === 'contact.created' && dataOf(f).aggregateId === rep3Contact);
    const seen = (client: SseClient) => client.events().map((f) => dataOf(f).aggregateId);
    expect(seen(acmeRep1)).not.toContain(globexContact);
    expect(seen(acmeRep1)).not.toContain(rep3Contact);
    expect(seen(acmeManager)).not.toContain(globexContact);
    expect(seen(acmeManager)).not.toContain(rep3Contact);
    expect(acmeRep1.events().every((f) => dataOf(f).tenantId === 'acme')).toBe(true);
  });

  it('resumes after a reconnect with Last-Event-ID, without gaps or repeats', async () => {
    const first = await subscribe(rep1);
    const before = await createContact(rep1);
    const last = await first.waitFor((f) => dataOf(f).aggregateId === before && f.event === 'contact.created');
    await first.close();

    const missed = [await createContact(rep1), await createContact(rep1), await createContact(rep1)];
    const resumed = await subscribe(rep1, last.id);
    await resumed.waitFor((f) => f.event === 'contact.created' && dataOf(f).aggregateId === missed[2]);
    const created = resumed
      .events()
      .filter((f) => f.event === 'contact.created')
      .map((f) => dataOf(f).aggregateId);
    expect(created).toEqual(missed);

    const ids = resumed.events().map((f) => dataOf(f).id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).not.toContain(dataOf(last).id);
  });

  it('starts a new client at the present, and sends heartbeats', async () => {
    await createContact(rep1);
    const client = await subscribe(rep1);
    const after = await createContact(rep1);
    await client.waitFor((f) => dataOf(f).aggregateId === after);
    expect(client.events().map((f) => dataOf(f).aggregateId)).toEqual([after]);
    await client.waitForHeartbeat();
    expect(client.heartbeats).toBeGreaterThan(0);
  });

  it('a client that stops reading does not hold up the others', async () => {
    // A raw socket that sends the request and then never reads. (Its buffer bound, SSE_MAX_BUFFER_BYTES, only
    // bites once the kernel's socket buffers are full, several MB on loopback: more than a test should push.)
    const socket = connect(stack.gateway.port, '127.0.0.1');
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    socket.write(
      `GET /api/v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${rep1}\r\nAccept: text/event-stream\r\n\r\n`,
    );
    socket.pause();
    const reader = await subscribe(rep1);
    const created: string[] = [];
    for (let i = 0; i < 10; i++) created.push(await createContact(rep1));
    await reader.waitFor((f) => f.event === 'contact.created' && dataOf(f).aggregateId === created[9]);
    expect(
      reader
        .events()
        .filter((f) => f.event === 'contact.created')
        .map((f) => dataOf(f).aggregateId),
    ).toEqual(created);
    socket.destroy();
  });
});
