// The workflow API through the gateway, on the real services and servers: rules (validation naming the field,
// ETags, YAML export/apply, dry run, manual trigger with Idempotency-Key), runs with per-step status, tasks (my
// tasks overdue first, complete, snooze, a reminder reaching its owner live over SSE and nobody else), webhook
// endpoints (SSRF refusal, delivery log, dead letter and replay), web forms (public submission, CORS, per-address
// rate limit, one contact for one email) and who may do what.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { clientToken, decodeClaims, userToken } from '@crm/testkit';
import { GatewayStack, type HttpAnswer } from './support/gateway-stack';
import { SseClient } from './support/sse-client';

const stack = new GatewayStack();
const open: SseClient[] = [];
let admin: string;
let rep1: string;
let rep2: string;
let partner: string;
let rep1Id: string;
let rep2Id: string;

const unique = () => Math.random().toString(36).slice(2, 10);
const repo = join(__dirname, '..', '..');

beforeAll(async () => {
  await stack.start({
    pipeline: true,
    workflow: { WEBHOOK_RETRY_WINDOW_MS: '1500', WEBHOOK_RETRY_BASE_MS: '100', WEBHOOK_RETRY_MAX_MS: '300' },
    gatewayEnv: {
      OIDC_CLIENT_ID: 'crm-gateway',
      OIDC_CLIENT_SECRET: 'crm-gateway-secret',
      RATE_LIMIT_PUBLIC_BURST: '8',
      RATE_LIMIT_PUBLIC_PER_SEC: '0.01',
    },
  });
  [admin, rep1, rep2, partner] = await Promise.all([
    userToken('acme-admin'),
    userToken('acme-rep1'),
    userToken('acme-rep2'),
    clientToken('acme-partner'),
  ]);
  rep1Id = String(decodeClaims(rep1).sub);
  rep2Id = String(decodeClaims(rep2).sub);
}, 120_000);

afterAll(async () => {
  await Promise.all(open.map((c) => c.close()));
  await stack.stop();
});

async function eventually<T>(probe: () => Promise<T | undefined>, what: string, timeoutMs = 20_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

function problemFields(res: HttpAnswer): string[] {
  return ((res.body as { errors?: Array<{ field: string }> }).errors ?? []).map((e) => e.field);
}

const manualRule = (key: string) => ({
  key,
  name: `Manual ${key}`,
  trigger: { type: 'manual' },
  actions: [
    {
      id: 'task',
      type: 'create_task',
      title: 'Call {{payload.company}}',
      owner: '{{payload.owner}}',
      dueIn: { amount: 1, unit: 'days' },
    },
  ],
});

describe('/api/v1/workflows', () => {
  it('creates, reads, patches with If-Match and deletes a rule; bad input names the field', async () => {
    const key = `r-${unique()}`;
    const created = await stack.api.post('/api/v1/workflows', admin, manualRule(key));
    expect(created.status).toBe(201);
    const rule = created.body as { id: string; key: string; enabled: boolean; version: number };
    expect(rule).toMatchObject({ key, enabled: true, version: 1 });
    expect(created.headers.get('etag')).toBe('"1"');
    expect(created.headers.get('location')).toBe(`/api/v1/workflows/${rule.id}`);

    const unknownEvent = await stack.api.post('/api/v1/workflows', admin, {
      ...manualRule(`r-${unique()}`),
      trigger: { type: 'event', event: 'contact.exploded' },
    });
    expect(unknownEvent.status).toBe(400);
    expect(unknownEvent.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(problemFields(unknownEvent)).toContain('trigger.event');
    const badField = await stack.api.post('/api/v1/workflows', admin, {
      ...manualRule(`r-${unique()}`),
      actions: [{ id: 'x', type: 'update_record', entity: 'contact', set: { shoeSize: 42 } }],
    });
    expect(badField.status).toBe(400);
    expect(problemFields(badField).some((f) => f.startsWith('actions[0].set'))).toBe(true);
    const unknownProperty = await stack.api.post('/api/v1/workflows', admin, { ...manualRule(key), tenantId: 'x' });
    expect(unknownProperty.status).toBe(400);
    expect(problemFields(unknownProperty)).toContain('tenantId');

    const path = `/api/v1/workflows/${rule.id}`;
    expect((await stack.api.patch(path, admin, { enabled: false })).status).toBe(428);
    expect((await stack.api.patch(path, admin, { enabled: false }, { 'if-match': '"7"' })).status).toBe(412);
    const patched = await stack.api.patch(path, admin, { enabled: false }, { 'if-match': '"1"' });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ enabled: false, version: 2, name: `Manual ${key}` });
    expect(patched.headers.get('etag')).toBe('"2"');
    const fetched = await stack.api.get(path, admin);
    expect(fetched.headers.get('etag')).toBe('"2"');

    const list = await stack.api.get('/api/v1/workflows?triggerType=manual&limit=200', admin);
    expect((list.body as { data: Array<{ id: string }> }).data.map((r) => r.id)).toContain(rule.id);

    expect((await stack.api.delete(path, admin, { 'if-match': '"2"' })).status).toBe(200);
    expect((await stack.api.get(path, admin)).status).toBe(404);
  });

  it('is configuration: reps and partners without workflows scopes are refused', async () => {
    expect((await stack.api.get('/api/v1/workflows', rep1)).status).toBe(403);
    expect((await stack.api.post('/api/v1/workflows', rep1, manualRule(`r-${unique()}`))).status).toBe(403);
    expect((await stack.api.get('/api/v1/workflows', partner)).status).toBe(403);
    expect((await stack.api.get('/api/v1/webhook-endpoints', rep1)).status).toBe(403);
    expect((await stack.api.get('/api/v1/forms', partner)).status).toBe(403);
    expect((await stack.api.get('/api/v1/workflows')).status).toBe(401);
  });

  it('exports YAML, applies it as a fixed point, and a dry run changes nothing', async () => {
    const key = `yaml-${unique()}`;
    expect((await stack.api.post('/api/v1/workflows', admin, manualRule(key))).status).toBe(201);
    const exported = await stack.api.get(`/api/v1/workflows/export?keys=${key}&format=yaml`, admin);
    expect(exported.status).toBe(200);
    expect(exported.headers.get('content-type')).toMatch(/^application\/yaml/);
    expect(exported.text).toContain(`key: ${key}`);

    const applied = await stack.api.post('/api/v1/workflows/apply', admin, { yaml: exported.text });
    expect(applied.status).toBe(200);
    expect(applied.body).toMatchObject({ dryRun: false, changes: [{ key, action: 'unchanged' }] });
    const again = await stack.api.get(`/api/v1/workflows/export?keys=${key}`, admin);
    expect((again.body as { yaml: string }).yaml).toBe(exported.text);

    const renamed = exported.text.replace(`name: Manual ${key}`, `name: Renamed ${key}`);
    const plan = await stack.api.post('/api/v1/workflows/apply', admin, { yaml: renamed, dryRun: true });
    expect(plan.body).toMatchObject({ dryRun: true, changes: [{ key, action: 'update' }] });
    const diff = (plan.body as { changes: Array<{ diff: string }> }).changes[0]?.diff;
    expect(diff).toContain(`+ name: Renamed ${key}`);
    expect(diff).toContain(`- name: Manual ${key}`);
    const unchanged = await stack.api.get(`/api/v1/workflows/export?keys=${key}&format=yaml`, admin);
    expect(unchanged.text).toBe(exported.text);

    const invalid = await stack.api.post('/api/v1/workflows/apply', admin, { yaml: 'rules: [{key: 1' });
    expect(invalid.status).toBe(400);
    expect(problemFields(invalid)).toContain('yaml');
  });

  it('applies rule files with the crm CLI through the API: a dry run plans, apply creates, its export applies unchanged', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'crm-rules-'));
    const [a, b] = [`cli-a-${unique()}`, `cli-b-${unique()}`];
    const ruleYaml = (key: string) =>
      `  - key: ${key}\n    name: CLI ${key}\n    trigger: {type: manual}\n    actions:\n      - {id: task, type: create_task, title: Call}\n`;
    writeFileSync(join(dir, 'a.yaml'), `rules:\n${ruleYaml(a)}`);
    writeFileSync(join(dir, 'b.yaml'), `# a plain list works too\n${ruleYaml(b)}`);
    const crm = async (...args: string[]) => {
      const env = { ...process.env, CRM_API_URL: stack.api.baseUrl, CRM_TOKEN: admin };
      try {
        const { stdout } = await promisify(execFile)(process.execPath, ['scripts/crm.mjs', ...args], {
          env,
          cwd: repo,
        });
        return { code: 0, stdout, stderr: '' };
      } catch (error) {
        const failed = error as { code: number; stdout: string; stderr: string };
        return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
      }
    };
    const files = [join(dir, 'a.yaml'), join(dir, 'b.yaml')];
    const dry = await crm('rules', 'apply', '--dry-run', ...files);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(new RegExp(`^create +${a}$`, 'm'));
    expect(dry.stdout).toMatch(new RegExp(`^create +${b}$`, 'm'));
    expect(dry.stdout).toContain('dry run, nothing changed: 2 to create, 0 to update, 0 to delete');
    expect((await stack.api.get(`/api/v1/workflows/export?keys=${a},${b}&format=yaml`, admin)).text).not.toContain(a);

    const applied = await crm('rules', 'apply', ...files);
    expect(applied.stdout).toContain('2 to create, 0 to update, 0 to delete, 0 unchanged');
    const out = join(dir, 'exported.yaml');
    expect((await crm('rules', 'export', '--keys', `${a},${b}`, '--out', out)).code).toBe(0);
    expect(readFileSync(out, 'utf8')).toContain(`key: ${b}`);
    const again = await crm('rules', 'apply', out);
    expect(again.stdout).toContain('0 to create, 0 to update, 0 to delete, 2 unchanged');

    writeFileSync(
      join(dir, 'bad.yaml'),
      `rules:\n${ruleYaml(a).replace('{type: manual}', '{type: event, event: deal.exploded}')}`,
    );
    const bad = await crm('rules', 'apply', join(dir, 'b.yaml'), join(dir, 'bad.yaml'));
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/HTTP 400/);
    expect(bad.stderr).toContain('rules[1].trigger.event');
  });

  it('dry-runs an unsaved rule', async () => {
    const res = await stack.api.post('/api/v1/workflows/dry-run?limit=5', admin, {
      rule: {
        key: `dry-${unique()}`,
        name: 'Dry',
        trigger: { type: 'event', event: 'contact.created' },
        actions: [{ id: 'vip', type: 'update_record', entity: 'contact', set: { tier: 'vip' } }],
      },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ matches: expect.any(Array), examined: expect.any(Number) });
  });

  it('triggers a manual rule once per Idempotency-Key and shows the run step by step', async () => {
    const created = await stack.api.post('/api/v1/workflows', admin, manualRule(`m-${unique()}`));
    const ruleId = (created.body as { id: string }).id;
    const company = `Initech ${unique()}`;
    const headers = { 'idempotency-key': unique() };
    const body = { payload: { company, owner: rep1Id } };
    const first = await stack.api.post(`/api/v1/workflows/${ruleId}/trigger`, admin, body, headers);
    expect(first.status).toBe(202);
    const { runId } = first.body as { runId: string };
    const replay = await stack.api.post(`/api/v1/workflows/${ruleId}/trigger`, admin, body, headers);
    expect((replay.body as { runId: string }).runId).toBe(runId);

    const run = await eventually(async () => {
      const res = await stack.api.get(`/api/v1/workflow-runs/${runId}`, admin);
      const value = res.body as { status: string; steps: Array<{ id: string; status: string; output: unknown }> };
      return value.status === 'succeeded' ? value : undefined;
    }, 'the run to succeed');
    expect(run.steps).toEqual([expect.objectContaining({ id: 'task', status: 'succeeded' })]);
    const runs = await stack.api.get(`/api/v1/workflow-runs?ruleId=${ruleId}`, admin);
    expect((runs.body as { data: Array<{ id: string }> }).data.map((r) => r.id)).toEqual([runId]);
    expect((await stack.api.get('/api/v1/workflow-runs?status=exploded', admin)).status).toBe(400);

    const taskId = (run.steps[0]?.output as { taskId: string }).taskId;
    const task = await stack.api.get(`/api/v1/tasks/${taskId}`, rep1);
    expect(task.body).toMatchObject({ title: `Call ${company}`, ownerId: rep1Id, status: 'open' });
    expect((await stack.api.get(`/api/v1/tasks/${taskId}`, rep2)).status).toBe(404);
  });
});

describe('/api/v1/tasks', () => {
  it("lists my open tasks overdue first, completes and snoozes with the task's ETag", async () => {
    const now = Date.now();
    const make = async (title: string, dueInMs: number) => {
      const res = await stack.api.post('/api/v1/tasks', rep2, {
        title,
        dueAt: new Date(now + dueInMs).toISOString(),
        priority: 'high',
      });
      expect(res.status).toBe(201);
      return res.body as { id: string; version: number };
    };
    const later = await make(`later ${unique()}`, 2 * 86_400_000);
    const overdue = await make(`overdue ${unique()}`, -3_600_000);
    const soon = await make(`soon ${unique()}`, 3_600_000);
    const mine = await stack.api.get('/api/v1/me/tasks?limit=200', rep2);
    const listed = (mine.body as { data: Array<{ id: string; overdue: boolean }> }).data;
    const ids = listed.map((t) => t.id).filter((id) => [later.id, overdue.id, soon.id].includes(id));
    expect(ids).toEqual([overdue.id, soon.id, later.id]);
    expect(listed.find((t) => t.id === overdue.id)?.overdue).toBe(true);

    const namingOwner = await stack.api.post('/api/v1/tasks', rep2, { title: 'x', ownerId: rep1Id });
    expect(namingOwner.status).toBe(400);
    expect(problemFields(namingOwner)).toContain('ownerId');
    const badPriority = await stack.api.post('/api/v1/tasks', rep2, { title: 'x', priority: 'whenever' });
    expect(problemFields(badPriority)).toContain('priority');

    const stale = await stack.api.post(`/api/v1/tasks/${overdue.id}/complete`, rep2, {}, { 'if-match': '"9"' });
    expect(stale.status).toBe(412);
    const done = await stack.api.post(`/api/v1/tasks/${overdue.id}/complete`, rep2, {}, { 'if-match': '"1"' });
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({ status: 'completed', version: 2 });
    const after = await stack.api.get('/api/v1/me/tasks?limit=200', rep2);
    expect((after.body as { data: Array<{ id: string }> }).data.map((t) => t.id)).not.toContain(overdue.id);

    const until = new Date(now + 2 * 3_600_000).toISOString();
    const snoozed = await stack.api.post(`/api/v1/tasks/${soon.id}/snooze`, rep2, { until, moveDue: true });
    expect(snoozed.status).toBe(200);
    expect(snoozed.body).toMatchObject({ reminderAt: until, dueAt: until });
    expect((await stack.api.post(`/api/v1/tasks/${soon.id}/complete`, rep1, {})).status).toBe(404);
  });

  it("delivers a task's reminder live to its owner and to nobody else", async () => {
    const subscribe = async (token: string) => {
      const client = await new SseClient(`${stack.api.baseUrl}/api/v1/events`, {
        authorization: `Bearer ${token}`,
      }).open();
      open.push(client);
      await client.waitFor((f) => f.event === 'ready');
      return client;
    };
    const [mine, theirs] = await Promise.all([subscribe(rep1), subscribe(rep2)]);
    const res = await stack.api.post('/api/v1/tasks', rep1, {
      title: `remind me ${unique()}`,
      dueAt: new Date(Date.now() + 3_600_000).toISOString(),
      reminderAt: new Date(Date.now() + 1_500).toISOString(),
    });
    const taskId = (res.body as { id: string }).id;
    const reminder = await mine.waitFor((f) => f.event === 'task.reminder' && f.data.includes(taskId), 20_000);
    expect(JSON.parse(reminder.data)).toMatchObject({ type: 'task.reminder', aggregateId: taskId, ownerId: rep1Id });
    // rep2's stream is ordered: once rep2's own later task shows up there, rep1's reminder would have come first.
    const marker = await stack.api.post('/api/v1/tasks', rep2, { title: `marker ${unique()}` });
    const markerId = (marker.body as { id: string }).id;
    await theirs.waitFor((f) => f.event === 'task.created' && f.data.includes(markerId));
    expect(theirs.frames.some((f) => f.data.includes(taskId))).toBe(false);
  });
});

class Receiver {
  private server: Server | undefined;
  readonly received: Array<{ headers: Record<string, string>; body: string }> = [];
  status = 500;

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        this.received.push({
          headers: req.headers as Record<string, string>,
          body: Buffer.concat(chunks).toString('utf8'),
        });
        res.writeHead(this.status).end();
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hook`;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

describe('/api/v1/webhook-endpoints', () => {
  const receiver = new Receiver();
  afterAll(() => receiver.stop());

  it('refuses private and metadata addresses, naming url', async () => {
    for (const url of ['http://10.0.0.1/hook', 'http://169.254.169.254/latest/meta-data']) {
      const res = await stack.api.post('/api/v1/webhook-endpoints', admin, { url, eventTypes: ['deal.won'] });
      expect(res.status).toBe(400);
      expect(problemFields(res)).toContain('url');
    }
    const badFilter = await stack.api.post('/api/v1/webhook-endpoints', admin, {
      url: 'https://example.com/hook',
      eventTypes: ['not an event'],
    });
    expect(problemFields(badFilter)).toContain('eventTypes[0]');
  });

  it('logs failed attempts, dead-letters, and replays a delivery that then verifies', async () => {
    const url = await receiver.start();
    const created = await stack.api.post('/api/v1/webhook-endpoints', admin, { url, eventTypes: ['task.created'] });
    expect(created.status).toBe(201);
    const { endpoint, secret } = created.body as { endpoint: { id: string }; secret: string };
    expect(secret).toMatch(/^whsec_/);
    expect((await stack.api.get(`/api/v1/webhook-endpoints/${endpoint.id}`, admin)).body).not.toHaveProperty('secret');

    await stack.api.post('/api/v1/tasks', rep1, { title: `hooked ${unique()}` });
    const base = `/api/v1/webhook-endpoints/${endpoint.id}/deliveries`;
    const dead = await eventually(async () => {
      const res = await stack.api.get(`${base}?status=dead_lettered`, admin);
      return (res.body as { data: Array<{ id: string; attempts: Array<{ statusCode: number }> }> }).data[0];
    }, 'a dead-lettered delivery');
    expect(dead.attempts.length).toBeGreaterThanOrEqual(2);
    expect(dead.attempts.every((a) => a.statusCode === 500)).toBe(true);

    receiver.status = 204;
    const replay = await stack.api.post(`/api/v1/webhook-endpoints/${endpoint.id}/replay`, admin, {
      deliveryIds: [dead.id],
    });
    expect(replay.status).toBe(202);
    expect(replay.body).toEqual({ deliveryIds: [dead.id] });
    const delivered = await eventually(async () => {
      const res = await stack.api.get(`${base}/${dead.id}`, admin);
      const value = res.body as { status: string; attempts: Array<{ statusCode: number }> };
      return value.status === 'succeeded' ? value : undefined;
    }, 'the replayed delivery');
    expect(delivered.attempts.at(-1)?.statusCode).toBe(204);
    const last = receiver.received.at(-1);
    expect(last?.headers['webhook-id']).toBe(dead.id);
    expect(() => new Webhook(secret).verify(last?.body ?? '', last?.headers ?? {})).not.toThrow();
    expect(new Set(receiver.received.map((r) => r.headers['webhook-id']))).toEqual(new Set([dead.id]));
  });
});

describe('/api/v1/forms and the public submission', () => {
  const origin = 'https://www.acme.test';
  let formId = '';

  beforeAll(async () => {
    const team = await stack.api.request('PUT', '/api/v1/assignment-teams/acme-east', {
      token: admin,
      body: { memberIds: [rep1Id, rep2Id] },
    });
    expect(team.status).toBe(200);
    const created = await stack.api.post('/api/v1/forms', admin, {
      name: 'Contact us',
      fields: [
        { name: 'email', mapsTo: 'email', required: true },
        { name: 'first', mapsTo: 'first_name' },
        { name: 'message' },
      ],
      consentText: 'We may contact you.',
      allowedOrigins: [origin],
      honeypotField: 'website',
      assignment: { strategy: 'round_robin', teamId: 'acme-east' },
      followUpTitle: 'Follow up {{first}}',
      followUpDueMinutes: 60,
    });
    expect(created.status).toBe(201);
    formId = (created.body as { form: { id: string } }).form.id;
  });

  const submit = (body: unknown, headers: Record<string, string> = { origin }) =>
    stack.api.request('POST', `/api/v1/public/forms/${formId}`, { body, headers });

  it("answers CORS preflights with the form's own origins", async () => {
    const preflight = (from: string) =>
      stack.api.request('OPTIONS', `/api/v1/public/forms/${formId}`, {
        headers: { origin: from, 'access-control-request-method': 'POST' },
      });
    const allowed = await preflight(origin);
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get('access-control-allow-origin')).toBe(origin);
    const other = await preflight('https://evil.test');
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('takes two posts of one email as one contact with an owner by round robin and one follow-up task', async () => {
    const email = `lead-${unique()}@example.com`;
    const first = await submit({ email, first: 'Lea', message: 'Hello' });
    expect(first.status).toBe(202);
    expect(first.body).toEqual({ status: 'accepted' });
    expect(first.headers.get('access-control-allow-origin')).toBe(origin);
    const encoded = await stack.api.request('POST', `/api/v1/public/forms/${formId}`, {
      raw: new URLSearchParams({ email, first: 'Lea', message: 'Again' }).toString(),
      headers: { origin, 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(encoded.status).toBe(202);

    const runs = await eventually(async () => {
      const res = await stack.api.get('/api/v1/workflow-runs?triggerType=form&limit=200', admin);
      const data = (res.body as { data: Array<{ id: string; status: string }> }).data;
      const mine: Array<{ steps: Array<{ type: string; output: { contactId?: string; created?: boolean } }> }> = [];
      for (const run of data) {
        const detail = (await stack.api.get(`/api/v1/workflow-runs/${run.id}`, admin)).body as {
          status: string;
          input: { submission?: { values?: { email?: string } } } | null;
          steps: Array<{ type: string; output: { contactId?: string; created?: boolean } }>;
        };
        if (JSON.stringify(detail).includes(email)) {
          if (detail.status !== 'succeeded') return undefined;
          mine.push(detail);
        }
      }
      return mine.length === 2 ? mine : undefined;
    }, 'both form runs to succeed');
    const upserts = runs.map((r) => r.steps.find((s) => s.type === 'upsert_contact')?.output);
    expect(new Set(upserts.map((o) => o?.contactId)).size).toBe(1);
    expect(upserts.filter((o) => o?.created === true)).toHaveLength(1);
    const contactId = upserts[0]?.contactId ?? '';
    const contact = (await stack.api.get(`/api/v1/contacts/${contactId}`, admin)).body as { ownerId: string };
    expect([rep1Id, rep2Id]).toContain(contact.ownerId);
    const tasks = await stack.api.get(`/api/v1/tasks?contactId=${contactId}`, admin);
    expect((tasks.body as { data: Array<{ ownerId: string }> }).data).toEqual([
      expect.objectContaining({ ownerId: contact.ownerId, title: 'Follow up Lea' }),
    ]);
  });

  it('rejects bad input naming the field, unknown forms and foreign origins; then rate-limits the address', async () => {
    const missing = await submit({ first: 'No mail' });
    expect(missing.status).toBe(400);
    expect(problemFields(missing)).toContain('email');
    expect(
      (await stack.api.request('POST', `/api/v1/public/forms/${formId}`, { raw: 'x', headers: { origin } })).status,
    ).toBe(415);
    const foreign = await submit({ email: `x-${unique()}@example.com` }, { origin: 'https://evil.test' });
    expect(foreign.status).toBe(403);
    let status = 0;
    for (let i = 0; i < 6 && status !== 429; i++)
      status = (await submit({ email: `y-${unique()}@example.com` })).status;
    expect(status).toBe(429);
    const limited = await submit({ email: `z-${unique()}@example.com` });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
  });
});
