// Deals under contention, through the gateway with real tokens, on the real servers: the record store's event
// insert is the only compare-and-set, so of 50 moves with one If-Match exactly one wins, and creates never wait.
import { connectBus, drainBus, principalFromClaims, readStreamEvents, type Bus } from '@crm/service-kit';
import { decodeClaims, infraEnv, userToken } from '@crm/testkit';
import { scopeKey } from '../src/idempotency/idempotency.middleware';
import { openSharedBuckets } from '../src/kv/shared-buckets';
import { GatewayStack } from './support/gateway-stack';

const stack = new GatewayStack();
let bus: Bus;
let rep1: string;
let rep3: string;
let admin: string;

interface DealBody {
  id: string;
  version: number;
  stageId: string;
  pipelineId: string;
}

interface HistoryBody {
  data: Array<{
    version: number;
    type: string;
    actorUserId: string;
    changes: Array<{ field: string; from: unknown; to: unknown }>;
  }>;
}

beforeAll(async () => {
  await stack.start({
    pipeline: true,
    // 100 requests at once from one user: the limits are not what this test is about.
    gatewayEnv: { RATE_LIMIT_CLIENT_BURST: '1000', RATE_LIMIT_TENANT_BURST: '1000' },
  });
  bus = await connectBus({ url: infraEnv().natsUrl, name: 'gateway-deals-test', namespace: stack.namespace });
  [rep1, rep3, admin] = await Promise.all([userToken('acme-rep1'), userToken('acme-rep3'), userToken('acme-admin')]);
}, 90_000);

afterAll(async () => {
  await drainBus(bus);
  await stack.stop();
});

const unique = () => Math.random().toString(36).slice(2, 10);
const usd = (amountMinor: number) => ({ amountMinor, currency: 'USD' });

async function newPipeline(): Promise<{ id: string; stages: Array<{ id: string; kind: string; name: string }> }> {
  const res = await stack.api.post('/api/v1/pipelines', admin, { name: `Contention ${unique()}` });
  expect(res.status).toBe(201);
  return res.body as { id: string; stages: Array<{ id: string; kind: string; name: string }> };
}

/** The versions of one deal's events of one type on the PIPELINE stream, in stream order. */
async function streamVersions(dealId: string, type: string): Promise<number[]> {
  return (await readStreamEvents(bus, 'PIPELINE', type))
    .filter((e) => e.aggregateId === dealId)
    .map((e) => e.aggregateVersion);
}

describe('deals under contention through the gateway', () => {
  it('lets exactly one of 50 concurrent moves with one If-Match win; 49 get 412; one new version, one event', async () => {
    const pipeline = await newPipeline();
    const open = pipeline.stages.filter((s) => s.kind === 'open');
    const created = await stack.api.post('/api/v1/deals', rep1, {
      title: 'Contested',
      pipelineId: pipeline.id,
      amount: usd(1_000),
    });
    expect(created.status).toBe(201);
    const deal = created.body as DealBody;

    const answers = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        stack.api.post(
          `/api/v1/deals/${deal.id}/move`,
          rep1,
          { stageId: (open[1 + (i % (open.length - 1))] as { id: string }).id },
          { 'if-match': `"${deal.version}"` },
        ),
      ),
    );
    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s === 412)).toHaveLength(49);
    const winner = answers.find((a) => a.status === 200)?.body as DealBody;
    expect(winner.version).toBe(2);

    const current = (await stack.api.get(`/api/v1/deals/${deal.id}`, rep1)).body as DealBody;
    expect(current).toMatchObject({ version: 2, stageId: winner.stageId });
    const history = (await stack.api.get(`/api/v1/deals/${deal.id}/history`, rep1)).body as HistoryBody;
    expect(history.data.map((h) => h.version)).toEqual([2, 1]);
    expect(history.data[0]).toMatchObject({ type: 'deal.stage_changed', actorUserId: expect.any(String) });
    expect(history.data[0]?.changes).toContainEqual({ field: 'stageId', from: deal.stageId, to: winner.stageId });

    // Every write is settled before its answer; the stream has each version once, none lost, none doubled.
    await stack.pipeline?.app.deals.drain();
    expect(await streamVersions(deal.id, 'deal.created')).toEqual([1]);
    expect(await streamVersions(deal.id, 'deal.stage_changed')).toEqual([2]);
  });

  it('creates 50 deals at once in one pipeline, every one of them, each once on the board and the stream', async () => {
    const pipeline = await newPipeline();
    const answers = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        stack.api.post('/api/v1/deals', rep1, { title: `Rush ${i}`, pipelineId: pipeline.id, amount: usd(100 * i) }),
      ),
    );
    expect(answers.map((a) => a.status)).toEqual(Array.from({ length: 50 }, () => 201));
    const ids = answers.map((a) => (a.body as DealBody).id);
    expect(new Set(ids).size).toBe(50);

    const board = (await stack.api.get(`/api/v1/pipelines/${pipeline.id}/board?dealsPerStage=100`, rep1)).body as {
      columns: Array<{ dealCount: number; deals: DealBody[] }>;
    };
    expect(board.columns.reduce((n, c) => n + c.dealCount, 0)).toBe(50);
    expect(board.columns.flatMap((c) => c.deals.map((d) => d.id)).sort()).toEqual([...ids].sort());
    await stack.pipeline?.app.deals.drain();
    const created = (await readStreamEvents(bus, 'PIPELINE', 'deal.created')).filter((e) =>
      ids.includes(e.aggregateId),
    );
    expect(created).toHaveLength(50);
  });

  it('applies a retried create and move once, even after the gateway lost its record of the key', async () => {
    const pipeline = await newPipeline();
    const open = pipeline.stages.filter((s) => s.kind === 'open');
    const buckets = await openSharedBuckets(bus, {
      idempotency: 'gateway_idempotency',
      rateLimits: 'gateway_ratelimit',
    });
    const principal = principalFromClaims(decodeClaims(rep1));
    if (!principal) throw new Error('no principal');
    // What the gateway forgets when an attempt ends in a 5xx (a timeout while the service still finished it).
    const forget = (key: string) => buckets.idempotency.purge(scopeKey(principal, key));
    const key = `retry-${unique()}`;
    const body = { title: `Retried ${unique()}`, pipelineId: pipeline.id, amount: usd(500) };
    const first = await stack.api.post('/api/v1/deals', rep1, body, { 'idempotency-key': key });
    expect(first.status).toBe(201);
    await forget(key);
    const again = await stack.api.post('/api/v1/deals', rep1, body, { 'idempotency-key': key });
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBeNull();
    const deal = first.body as DealBody;
    expect(again.body).toMatchObject({ id: deal.id, version: 1 });

    const moveKey = `move-${unique()}`;
    const move = () =>
      stack.api.post(`/api/v1/deals/${deal.id}/move`, rep1, { stageId: open[1]?.id }, { 'idempotency-key': moveKey });
    const moved = await move();
    expect(moved.status).toBe(200);
    await forget(moveKey);
    const movedAgain = await move();
    // Not "the deal is already in that stage": the answer the first attempt had.
    expect(movedAgain.status).toBe(200);
    expect(movedAgain.body).toMatchObject({ id: deal.id, version: 2, stageId: open[1]?.id });

    await stack.pipeline?.app.deals.drain();
    const listed = (await stack.api.get(`/api/v1/deals?pipelineId=${pipeline.id}&limit=50`, rep1)).body as {
      data: DealBody[];
    };
    expect(listed.data.map((d) => d.id)).toEqual([deal.id]);
    expect(await streamVersions(deal.id, 'deal.created')).toEqual([1]);
    expect(await streamVersions(deal.id, 'deal.stage_changed')).toEqual([2]);
  });

  it("shows a deal's history field by field to whoever may read it, and no one else", async () => {
    const created = await stack.api.post('/api/v1/deals', rep1, {
      title: 'Before',
      amount: { amountMinor: 100, currency: 'EUR' },
    });
    const deal = created.body as DealBody;
    const patched = await stack.api.patch(
      `/api/v1/deals/${deal.id}`,
      rep1,
      { title: 'After', nextStep: 'Call' },
      { 'if-match': `"${deal.version}"` },
    );
    expect(patched.status).toBe(200);
    const history = await stack.api.get(`/api/v1/deals/${deal.id}/history`, rep1);
    expect(history.status).toBe(200);
    const [latest, first] = (history.body as HistoryBody).data;
    expect(latest).toMatchObject({ version: 2, type: 'deal.updated' });
    expect(latest?.changes).toEqual(
      expect.arrayContaining([
        { field: 'title', from: 'Before', to: 'After' },
        { field: 'nextStep', from: '', to: 'Call' },
      ]),
    );
    expect(latest?.changes.map((c) => c.field)).not.toContain('forecastDate');
    expect(first).toMatchObject({ version: 1, type: 'deal.created' });
    expect((await stack.api.get(`/api/v1/deals/${deal.id}/history`, rep3)).status).toBe(404);
    expect((await stack.api.get(`/api/v1/deals/${deal.id}/history`, admin)).status).toBe(200);
  });
});
