// Outbound webhooks against a local receiver on loopback (development mode only), and the SSRF refusals, which
// never connect anywhere: refused addresses are refused before any socket opens.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { RuleInput } from '@crm/proto/crm/workflow/v1/rule';
import { DealInput, MoveDealRequest } from '@crm/proto/crm/pipeline/v1/deal';
import { RunFilter } from '@crm/proto/crm/workflow/v1/run';
import { connectBus, drainBus, readStreamEvents, type Bus } from '@crm/service-kit';
import { eventually, infraEnv } from '@crm/testkit';
import { checkedLookup, safePost } from '../src/webhooks/safe-http';
import { contactInput, failure, uniqueEmail, WorkflowHarness, type Api } from './support/workflow-harness';

interface Received {
  headers: Record<string, string>;
  body: string;
}

class Receiver {
  received: Received[] = [];
  answers: number[] = [];
  /** Headers of the answers, in step with `answers` (e.g. Retry-After). */
  answerHeaders: Array<Record<string, string>> = [];
  private server: Server | undefined;
  port = 0;

  async start(port = 0): Promise<this> {
    this.server = createServer((req: IncomingMessage, res: ServerResponse) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        this.received.push({
          headers: req.headers as Record<string, string>,
          body: Buffer.concat(chunks).toString('utf8'),
        });
        res.statusCode = this.answers.shift() ?? 200;
        for (const [name, value] of Object.entries(this.answerHeaders.shift() ?? {})) res.setHeader(name, value);
        res.end('ok');
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(port, '127.0.0.1', resolve));
    this.port = (this.server!.address() as AddressInfo).port;
    return this;
  }

  async stop(): Promise<void> {
    await new Promise((resolve) => this.server?.close(resolve));
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/hooks`;
  }
}

describe('webhooks on the real servers', () => {
  const harness = new WorkflowHarness();
  let admin: Api;
  let bus: Bus;
  const receiver = new Receiver();

  beforeAll(async () => {
    await harness.start({
      WEBHOOK_RETRY_BASE_MS: '200',
      WEBHOOK_RETRY_MAX_MS: '400',
      WEBHOOK_RETRY_WINDOW_MS: '2500',
      WEBHOOK_DISABLE_AFTER_FAILURES: '2',
    });
    admin = await harness.as('acme-admin');
    await receiver.start();
    bus = await connectBus({ url: infraEnv().natsUrl, name: 'workflow-webhooks-test', namespace: harness.namespace });
  });

  afterAll(async () => {
    await drainBus(bus);
    await receiver.stop();
    await harness.stop();
  });

  it('deal won -> one signed delivery that verifies, and the run step succeeds', async () => {
    const { endpoint, secret } = await admin.webhooks.createEndpoint({
      endpoint: { url: receiver.url, description: 'billing', eventTypes: [], status: '' },
    });
    const yaml = (await import('node:fs'))
      .readFileSync(`${__dirname}/../rules/deal-won-billing-webhook.yaml`, 'utf8')
      .replace('REPLACE-WITH-BILLING-ENDPOINT-ID', endpoint!.id);
    const applied = await admin.rules.applyRules({ yaml, dryRun: false, prune: false });
    const ruleId = applied.changes[0]!.ruleId;
    const { pipelines } = await admin.pipelines.listPipelines({});
    const won = pipelines[0]!.stages.find((s) => s.kind === 'won')!.id;
    const { deal } = await admin.deals.createDeal({
      deal: DealInput.fromPartial({ title: 'Big one', amount: { amountMinor: 100_00, currency: 'USD' } }),
    });
    await admin.deals.moveDeal(
      MoveDealRequest.fromPartial({ id: deal!.id, expectedVersion: deal!.version, stageId: won }),
    );
    const run = await eventually(async () => {
      const { runs } = await admin.runs.listRuns({ filter: RunFilter.fromPartial({ ruleId }), page: undefined });
      return runs[0]?.status === 'succeeded' ? runs[0] : undefined;
    }, 20_000);
    expect(receiver.received).toHaveLength(1);
    const delivery = receiver.received[0]!;
    const verified = new Webhook(secret).verify(delivery.body, delivery.headers) as {
      type: string;
      data: { dealId: string; amount: unknown };
    };
    expect(verified.type).toBe('deal.won');
    expect(verified.data.dealId).toBe(deal!.id);
    expect(verified.data.amount).toEqual({ amountMinor: 10000, currency: 'USD' });
    expect(run.steps[0]?.status).toBe('succeeded');
    expect(() =>
      new Webhook(`whsec_${Buffer.from('another secret, 24 bytes').toString('base64')}`).verify(
        delivery.body,
        delivery.headers,
      ),
    ).toThrow();
  });

  const subscribe = async (url: string) =>
    (
      await admin.webhooks.createEndpoint({
        endpoint: { url, description: '', eventTypes: ['contact.created'], status: '' },
      })
    ).endpoint!;
  const newContact = () =>
    admin.contacts.createContact({
      contact: contactInput({ firstName: 'Hook', emails: [{ address: uniqueEmail('h'), primary: true, label: '' }] }),
      allowDuplicates: false,
    });
  const deliveries = async (endpointId: string, status = '') =>
    (await admin.webhooks.listDeliveries({ endpointId, status, page: undefined })).deliveries;

  it('a receiver failing twice then succeeding: one success, two logged failures', async () => {
    receiver.received = [];
    receiver.answers = [500, 503, 200];
    const endpoint = await subscribe(receiver.url);
    await newContact();
    const delivery = await eventually(async () => (await deliveries(endpoint.id, 'succeeded'))[0], 20_000);
    expect(delivery.attempts.map((a) => a.statusCode)).toEqual([500, 503, 200]);
    expect(delivery.attempts.every((a) => a.latencyMs >= 0)).toBe(true);
    expect(receiver.received).toHaveLength(3);
    expect(new Set(receiver.received.map((r) => r.headers['webhook-id']))).toEqual(new Set([delivery.id]));
    expect(await deliveries(endpoint.id)).toHaveLength(1);
  });

  it('a receiver down for the whole window is dead-lettered, then replay delivers it', async () => {
    const down = await new Receiver().start();
    const port = down.port;
    await down.stop();
    const endpoint = await subscribe(`http://127.0.0.1:${port}/hooks`);
    await newContact();
    const dead = await eventually(async () => (await deliveries(endpoint.id, 'dead_lettered'))[0], 20_000);
    expect(dead.attempts.length).toBeGreaterThan(1);
    expect(dead.attempts.every((a) => a.statusCode === 0 && a.error !== '')).toBe(true);
    const back = await new Receiver().start(port);
    const { deliveryIds } = await admin.webhooks.replayDeliveries({
      endpointId: endpoint.id,
      deliveryIds: [],
      status: 'dead_lettered',
    });
    expect(deliveryIds).toEqual([dead.id]);
    await eventually(async () => (await deliveries(endpoint.id, 'succeeded'))[0], 20_000);
    expect(back.received).toHaveLength(1);
    expect(back.received[0]?.headers['webhook-id']).toBe(dead.id);
    await back.stop();
  });

  it('fails a 4xx at once, and a 429 waits for its Retry-After before the next attempt', async () => {
    const gone = await new Receiver().start();
    gone.answers = [404];
    const rejecting = await subscribe(gone.url);
    const limited = await new Receiver().start();
    limited.answers = [429, 200];
    limited.answerHeaders = [{ 'retry-after': '1' }];
    const throttled = await subscribe(limited.url);
    await newContact();
    const failed = await eventually(async () => (await deliveries(rejecting.id, 'failed'))[0], 20_000);
    expect(failed.attempts.map((a) => a.statusCode)).toEqual([404]);
    expect(failed.nextAttemptAt).toBeUndefined();
    const delivered = await eventually(async () => (await deliveries(throttled.id, 'succeeded'))[0], 20_000);
    expect(delivered.attempts.map((a) => a.statusCode)).toEqual([429, 200]);
    // The backoff alone would retry within 400 ms here; the receiver asked for a second.
    const [first, second] = delivered.attempts.map((a) => a.at!.getTime());
    expect(second! - first!).toBeGreaterThanOrEqual(1000);
    expect(gone.received).toHaveLength(1);
    await Promise.all([gone.stop(), limited.stop()]);
  });

  it('signs with both secrets during a rotation, each signature verifying with its own secret', async () => {
    const own = await new Receiver().start();
    const { endpoint, secret: before } = await admin.webhooks.createEndpoint({
      endpoint: { url: own.url, description: '', eventTypes: ['contact.created'], status: '' },
    });
    const { endpoint: rotated, secret: after } = await admin.webhooks.rotateSecret({
      id: endpoint!.id,
      overlapSeconds: 3600,
    });
    expect(rotated!.secretIds).toHaveLength(2);
    expect(after).not.toBe(before);
    await newContact();
    await eventually(async () => (await deliveries(endpoint!.id, 'succeeded'))[0], 20_000);
    const delivery = own.received[0]!;
    expect(delivery.headers['webhook-signature']?.split(' ')).toHaveLength(2);
    for (const secret of [before, after])
      expect(() => new Webhook(secret).verify(delivery.body, delivery.headers)).not.toThrow();
    await own.stop();
  });

  it('disables an endpoint whose deliveries keep failing, with an event, and sends it nothing more', async () => {
    const failing = await new Receiver().start();
    failing.answers = [400, 400, 400];
    const endpoint = await subscribe(failing.url);
    await newContact();
    await eventually(async () => ((await deliveries(endpoint.id, 'failed')).length === 1 ? true : undefined), 20_000);
    await newContact();
    const disabled = await eventually(async () => {
      const { endpoint: current } = await admin.webhooks.getEndpoint({ id: endpoint.id });
      return current?.status === 'disabled' ? current : undefined;
    }, 20_000);
    expect(disabled.disabledReason).toMatch(/2 deliveries in a row failed/);
    const events = await readStreamEvents(bus, 'WORKFLOW', 'workflow.webhook_endpoint_disabled');
    expect(events.filter((e) => e.aggregateId === endpoint.id)).toHaveLength(1);
    // A later event reaches an endpoint still enabled, and nothing reaches the disabled one.
    const control = await new Receiver().start();
    const enabled = await subscribe(control.url);
    await newContact();
    await eventually(async () => (await deliveries(enabled.id, 'succeeded'))[0], 20_000);
    expect(await deliveries(endpoint.id)).toHaveLength(2);
    expect(failing.received).toHaveLength(2);
    await control.stop();
    expect(
      (await admin.webhooks.listEndpoints({ page: undefined })).endpoints.find((e) => e.id === endpoint.id)?.status,
    ).toBe('disabled');
    await failing.stop();
  });

  it('refuses private, link-local and metadata addresses when saved, naming the url', async () => {
    for (const url of [
      'https://10.0.0.1/hook',
      'http://169.254.169.254/latest/meta-data',
      'https://[::ffff:10.0.0.1]/x',
      'https://100.64.0.1/x',
    ]) {
      const error = await failure(
        admin.webhooks.createEndpoint({ endpoint: { url, description: '', eventTypes: [], status: '' } }),
      );
      expect(error.code).toBe('INVALID_ARGUMENT');
      expect(error.violations.map((v) => v.field)).toEqual(['url']);
    }
    const bad = await failure(
      admin.rules.createRule({
        rule: RuleInput.fromPartial({
          key: 'x',
          name: 'x',
          enabled: true,
          trigger: { type: 'manual' },
          actions: [{ type: 'webhook', endpoint: 'e', eventType: 'Bad Type' }],
        }),
      }),
    );
    expect(bad.violations.map((v) => v.field)).toEqual(['actions[0].eventType']);
  });

  it('bounds each attempt: an answer within the timeout, at most the size limit read, redirects not followed', async () => {
    let redirectedTo = 0;
    const server = createServer((req, res) => {
      req.resume();
      if (req.url === '/slow') return; // never answers
      if (req.url === '/big') {
        res.writeHead(200);
        res.end('x'.repeat(1_000_000));
      } else if (req.url === '/moved') {
        res.writeHead(307, { location: '/target' });
        res.end();
      } else {
        redirectedTo++;
        res.end('ok');
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const options = { mode: 'development' as const, timeoutMs: 300, maxResponseBytes: 1000, followRedirects: false };
    const slow = await safePost(`${base}/slow`, '{}', {}, options);
    expect(slow.statusCode).toBeUndefined();
    expect(slow.error).toMatch(/300 ms/);
    const big = await safePost(`${base}/big`, '{}', {}, options);
    expect(big.body.length).toBeLessThanOrEqual(1000);
    const moved = await safePost(`${base}/moved`, '{}', {}, options);
    expect(moved.statusCode).toBe(307);
    expect(moved.error).toMatch(/not followed/);
    expect(redirectedTo).toBe(0);
    const followed = await safePost(`${base}/moved`, '{}', {}, { ...options, followRedirects: true });
    expect(followed.statusCode).toBe(200);
    expect(redirectedTo).toBe(1);
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('in production mode refuses loopback names and addresses at connect time without connecting', async () => {
    const watcher = await new Receiver().start();
    const options = { mode: 'production' as const, timeoutMs: 2000, maxResponseBytes: 1000, followRedirects: false };
    for (const url of [
      `https://localhost:${watcher.port}/x`,
      'https://10.0.0.1/x',
      'https://169.254.169.254/x',
      `http://127.0.0.1:${watcher.port}/x`,
    ]) {
      const result = await safePost(url, '{}', {}, options);
      expect(result.refused).toBe(true);
      expect(result.statusCode).toBeUndefined();
    }
    // A name that resolves to loopback (or re-resolves to it: DNS rebinding) is refused by the connect-time lookup.
    const rebinding = await safePost(
      `https://rebind.example:${watcher.port}/x`,
      '{}',
      {},
      {
        ...options,
        resolve: async () => [{ address: '127.0.0.1', family: 4 }],
      },
    );
    expect(rebinding.refused).toBe(true);
    expect(rebinding.error).toMatch(/loopback/);
    const lookup = checkedLookup('production', async () => [{ address: '10.1.2.3', family: 4 }]);
    const refusal = await new Promise<Error | null>((resolve) =>
      lookup('internal.example', {}, (error) => resolve(error)),
    );
    expect(refusal?.message).toMatch(/private/);
    expect(watcher.received).toHaveLength(0);
    await watcher.stop();
  });
});
