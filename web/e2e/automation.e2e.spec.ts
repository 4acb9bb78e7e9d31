// Tasks and automation in a real browser on the real stack (contact, pipeline and workflow services, gateway,
// Keycloak): an admin writes a rule in the YAML editor, meets a validation error at its line, dry-runs, saves,
// meets a conflict, runs it and sees the run; creates a webhook endpoint for a receiver on 127.0.0.1, sees the
// failed delivery and replays it; creates a web form and copies its snippet; a rep is reminded of a task; the
// screens pass an accessibility scan and work on a phone.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Page } from 'playwright-core';
import { eventually } from '@crm/testkit';
import { screenshot } from './support/artifacts';
import { seriousViolations } from './support/axe';
import { WebStack, type Session } from './support/web-stack';

jest.setTimeout(420_000);

const stack = new WebStack();
const sessions: Session[] = [];

interface Received {
  id: string;
  signature: string;
  body: string;
}

/** The webhook receiver: answers 410 to the first delivery (the API gives up on it at once), 200 afterwards. */
const received: Received[] = [];
let receiver: Server;
let receiverUrl = '';

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

beforeAll(async () => {
  receiver = createServer((req, res) => {
    void readBody(req).then((body) => {
      received.push({
        id: String(req.headers['webhook-id'] ?? ''),
        signature: String(req.headers['webhook-signature'] ?? ''),
        body,
      });
      res.statusCode = received.length === 1 ? 410 : 200;
      res.end(received.length === 1 ? 'gone for now' : 'ok');
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks/crm`;
  // Development mode admits a webhook receiver on loopback over http.
  await stack.start({}, { WORKFLOW_MODE: 'development', WEBHOOK_RETRY_BASE_MS: '500' });
});

afterAll(async () => {
  await stack.stop();
  await new Promise((resolve) => receiver.close(resolve));
});

afterEach(async () => {
  for (const session of sessions.splice(0)) expect(await session.problems()).toEqual([]);
});

const editor = (page: Page) => page.getByRole('textbox', { name: 'Rule YAML' });

async function setYaml(page: Page, text: string): Promise<void> {
  const box = editor(page);
  await box.click();
  await page.keyboard.press('ControlOrMeta+a');
  await page.keyboard.press('Delete');
  await box.fill(text);
}

const RULE = (extra = '') => `key: e2e-call-back
name: Call back new customers
enabled: true
trigger:
  type: manual
actions:
  - id: call-back
    type: create_task
    title: Call the customer back
    priority: high${extra}
`;

test('an admin writes a rule in YAML, fixes what the API refuses, dry-runs, saves, runs it and sees the run', async () => {
  const admin = await stack.signIn('acme-admin', { path: '/deals' });
  sessions.push(admin);
  const { page } = admin;
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Rules' }).click();
  await page.getByRole('heading', { name: 'Rules', exact: true }).waitFor();
  await page.getByRole('link', { name: 'New rule' }).click();
  await editor(page).waitFor();

  // A field the service does not know: the API names it, the editor marks its line.
  await setYaml(page, RULE('\n    colour: blue'));
  admin.expectStatus(400);
  await page.getByRole('button', { name: 'Dry run' }).click();
  const problems = page.getByRole('list', { name: 'Problems' });
  await problems.getByText('actions[0].colour is not a known field').waitFor();
  await expect(problems.locator('li').first().innerText()).resolves.toMatch(/^Line 11/);
  await page.locator('.cm-lintRange-error').first().waitFor();
  await page.getByText('The dry run found a problem').first().waitFor();
  await screenshot(page, 'rule-editor-validation-error');

  // Fixed: the dry run shows the plan.
  await setYaml(page, RULE());
  await expect(problems.count()).resolves.toBe(0);
  await page.getByRole('button', { name: 'Dry run' }).click();
  const plan = page.getByTestId('dry-run');
  await plan.getByText('Saving creates this rule.').waitFor();
  await plan.getByText('It would match no existing record now').waitFor();

  await page.getByRole('button', { name: 'Save' }).click();
  await page.getByText('Rule created').first().waitFor();
  await page.waitForURL(/\/automation\/rules\/[^/]+$/);
  const ruleId = page.url().split('/').pop() ?? '';
  await page.getByText('v1 · enabled').waitFor();

  // An edit, dry-run against the live version: the diff names the changed line.
  await setYaml(page, RULE().replace('name: Call back new customers', 'name: Call back every new customer'));
  await page.getByRole('button', { name: 'Dry run' }).click();
  await plan.locator('.diff-del', { hasText: 'name: Call back new customers' }).waitFor();
  await plan.locator('.diff-add', { hasText: 'name: Call back every new customer' }).waitFor();
  await screenshot(page, 'rule-editor-dry-run');
  await expect(seriousViolations(page)).resolves.toEqual([]);

  // Meanwhile a colleague disables the rule: saving meets the 412 and shows what changed; re-applying keeps both.
  const token = await stack.token('acme-admin');
  const meanwhile = await stack.api.patch(
    `/api/v1/workflows/${ruleId}`,
    token,
    { description: 'Set by a colleague' },
    {
      'if-match': '"1"',
    },
  );
  expect(meanwhile.status).toBe(200);
  admin.expectStatus(412);
  await page.getByRole('button', { name: 'Save' }).click();
  const conflict = page.getByRole('dialog', { name: 'Someone else changed this meanwhile' });
  await conflict.getByText('Set by a colleague').waitFor();
  await conflict.getByRole('button', { name: 'Re-apply my change' }).click();
  await page.getByText('Rule saved').first().waitFor();
  const saved = await stack.api.get(`/api/v1/workflows/${ruleId}`, token);
  expect(saved.body).toMatchObject({ name: 'Call back every new customer', version: 3 });

  // A manual run, listed in the history with its step.
  await page.getByRole('button', { name: 'Run now' }).click();
  const runs = page.getByRole('list', { name: 'Runs' });
  const run = runs.locator('li.run-row').first();
  await run.waitFor();
  await run.locator('.badge', { hasText: 'Succeeded' }).waitFor({ timeout: 60_000 });
  await page.getByTestId('run-summary').getByText('1 run: 1 succeeded').waitFor();
  await run.getByRole('button').first().click();
  const steps = run.getByRole('list', { name: /^Steps of run/ });
  await steps.getByText('call-back').waitFor();
  await steps.locator('.badge', { hasText: 'Succeeded' }).waitFor();
  await run.getByText('1 of 1 step done').waitFor();
  await screenshot(page, 'rule-run-history');
  await expect(seriousViolations(page)).resolves.toEqual([]);
  const tasks = await stack.api.get(`/api/v1/tasks?limit=100`, token);
  expect((tasks.body as { data: { title: string; ruleId: string }[] }).data).toContainEqual(
    expect.objectContaining({ title: 'Call the customer back', ruleId }),
  );
});

test('an admin adds a webhook endpoint, sees the failed delivery with its answer and replays it', async () => {
  const admin = await stack.signIn('acme-admin', { path: '/automation/webhooks' });
  sessions.push(admin);
  const { page } = admin;
  await page.getByRole('heading', { name: 'Webhooks', exact: true }).waitFor();
  await page.getByRole('button', { name: 'New endpoint' }).click();
  const dialog = page.getByRole('dialog', { name: 'New webhook endpoint' });
  await dialog.getByLabel('URL').fill(receiverUrl);
  await dialog.getByLabel('Description').fill('Billing bridge');
  await dialog.getByLabel('Events').fill('contact.created');
  await dialog.getByRole('button', { name: 'Create endpoint' }).click();
  const secretDialog = page.getByRole('dialog', { name: "The endpoint's signing secret" });
  const secret = await secretDialog.getByTestId('secret').innerText();
  expect(secret).toMatch(/^whsec_/);
  await secretDialog.getByRole('button', { name: 'I have stored it' }).click();
  await page.waitForURL(/\/automation\/webhooks\/[^/]+$/);
  await page.getByRole('heading', { name: 'Billing bridge', exact: true }).waitFor();

  // An event the endpoint subscribes to: the receiver answers 410, so the delivery fails at once.
  const token = await stack.token('acme-admin');
  const contact = await stack.api.post(
    '/api/v1/contacts',
    token,
    { firstName: 'Hook', lastName: 'Tester', emails: [{ address: 'hook.tester@example.com' }] },
    { 'idempotency-key': `e2e-hook-${Date.now()}` },
  );
  expect(contact.status).toBe(201);
  const deliveries = page.getByRole('list', { name: 'Deliveries' });
  const delivery = deliveries.locator('li.delivery-row').first();
  await delivery.locator('.badge', { hasText: 'Failed' }).waitFor({ timeout: 60_000 });
  await delivery.getByText('1 attempt · 410').waitFor();
  await screenshot(page, 'webhook-delivery-failed');
  await expect(seriousViolations(page)).resolves.toEqual([]);

  await delivery.getByRole('button', { name: 'Replay' }).click();
  await page.getByText('Delivery sent again').first().waitFor();
  await delivery.locator('.badge', { hasText: 'Delivered' }).waitFor({ timeout: 60_000 });
  await delivery.getByText('2 attempts · 410 → 200').waitFor();
  await delivery.getByRole('button').first().click();
  await delivery.getByRole('cell', { name: '410', exact: true }).waitFor();
  await screenshot(page, 'webhook-delivery-replayed');
  // Both attempts carried the same webhook-id, signed.
  expect(received).toHaveLength(2);
  expect(received[1]!.id).toBe(received[0]!.id);
  expect(received[0]!.signature).toMatch(/^v1,/);
  expect(JSON.parse(received[0]!.body)).toMatchObject({ type: 'contact.created' });
});

test('an admin creates a web form and copies the snippet to embed', async () => {
  const admin = await stack.signIn('acme-admin', { path: '/automation/forms' });
  sessions.push(admin);
  const { page, context } = admin;
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: stack.baseUrl });
  await page.getByRole('link', { name: 'New form' }).click();
  const settings = page.getByRole('form', { name: 'Form settings' });
  await settings.getByLabel('Name', { exact: true }).fill('Website contact');
  await settings.getByLabel('Consent text').fill('We may contact you about your request.');
  await settings.getByLabel('Allowed origins').fill('https://www.acme.example');
  await settings.getByRole('button', { name: 'Add field' }).click();
  const fields = settings.getByRole('list', { name: 'Fields' }).locator('li');
  await fields.nth(3).getByLabel('Field name').fill('phone');
  await fields.nth(3).getByLabel('Label').fill('Phone');
  await fields.nth(3).getByLabel('Maps to').selectOption('phone');
  await settings.getByRole('button', { name: 'Create form' }).click();
  await page.getByText('Form created').first().waitFor();
  await page.waitForURL(/\/automation\/forms\/[^/]+$/);
  const formId = page.url().split('/').pop() ?? '';

  const snippet = await page.getByTestId('form-snippet').innerText();
  expect(snippet).toContain(`<form method="post" action="${stack.baseUrl}/api/v1/public/forms/${formId}"`);
  expect(snippet).toContain('name="phone" type="tel"');
  expect(snippet).toContain('<p>We may contact you about your request.</p>');
  await page.getByRole('button', { name: 'Copy snippet' }).click();
  await page.getByRole('button', { name: 'Copied' }).waitFor();
  const copied = await page.evaluate(() =>
    (
      globalThis as unknown as { navigator: { clipboard: { readText: () => Promise<string> } } }
    ).navigator.clipboard.readText(),
  );
  expect(copied.trim()).toBe(snippet.trim());
  await screenshot(page, 'web-form-snippet');
  await expect(seriousViolations(page)).resolves.toEqual([]);

  // What the snippet posts is what the gateway accepts: the form's own public endpoint, from an allowed origin.
  const posted = await fetch(`${stack.baseUrl}/api/v1/public/forms/${formId}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://www.acme.example' },
    body: new URLSearchParams({ email: 'lead@example.com', first_name: 'Lea', last_name: 'Lead', phone: '' }),
  });
  expect(posted.status).toBe(202);
});

test('a rep is reminded of a task in the app and by a browser notification', async () => {
  const rep = await stack.signIn('acme-rep1', { path: '/tasks' });
  sessions.push(rep);
  const { page, context } = rep;
  await context.grantPermissions(['notifications'], { origin: stack.baseUrl });
  // Records the notifications the app shows (headless Chromium displays none).
  await context.addInitScript(() => {
    const g = globalThis as unknown as { Notification: unknown; __notifications: string[] };
    const Original = g.Notification as { permission: string; requestPermission: () => Promise<string> };
    g.__notifications = [];
    const Recording = function (this: unknown, title: string) {
      g.__notifications.push(title);
    } as unknown as { permission: string; requestPermission: () => Promise<string> };
    Object.defineProperty(Recording, 'permission', { get: () => Original.permission });
    Recording.requestPermission = () => Original.requestPermission();
    g.Notification = Recording;
  });
  await page.reload();
  await page.getByRole('heading', { name: 'My tasks', exact: true }).waitFor();
  await page.getByRole('button', { name: 'Notifications' }).waitFor();

  const token = await stack.token('acme-rep1');
  const now = Date.now();
  const task = await stack.api.post('/api/v1/tasks', token, {
    title: 'Send Zoë the signed contract',
    dueAt: new Date(now + 3_600_000).toISOString(),
    reminderAt: new Date(now + 8_000).toISOString(),
  });
  expect(task.status).toBe(201);

  await page.getByText('Reminder: Send Zoë the signed contract').first().waitFor({ timeout: 60_000 });
  const bell = page.getByRole('button', { name: 'Notifications, 1 unread' });
  await bell.waitFor();
  await eventually(async () => {
    const shown = await page.evaluate(() => (globalThis as unknown as { __notifications: string[] }).__notifications);
    return shown.includes('Reminder: Send Zoë the signed contract') ? shown : undefined;
  }, 10_000);
  await bell.click();
  const centre = page.getByRole('region', { name: 'Notification centre' });
  await centre.getByRole('list', { name: 'Reminders' }).getByText('Send Zoë the signed contract').waitFor();
  await screenshot(page, 'reminder-notification');
  await expect(seriousViolations(page)).resolves.toEqual([]);
  await centre.getByRole('button', { name: 'Mark all read' }).click();
  await page.getByRole('button', { name: 'Notifications', exact: true }).waitFor();
  // Snoozed: the reminder moves on (to the due time at the latest), the task stays due when it was.
  await centre.getByRole('button', { name: 'Snooze Send Zoë the signed contract for an hour' }).click();
  await page.getByText('Snoozed for an hour').first().waitFor();
  const taskId = (task.body as { id: string }).id;
  const snoozed = (await stack.api.get(`/api/v1/tasks/${taskId}`, token)).body as {
    reminderAt: string;
    dueAt: string;
  };
  expect(Date.parse(snoozed.reminderAt)).toBeGreaterThan(now + 30 * 60_000);
  expect(snoozed.dueAt).toBe(new Date(now + 3_600_000).toISOString());
  // Told once: a reload does not remind again.
  await page.reload();
  await page.getByRole('heading', { name: 'My tasks', exact: true }).waitFor();
  await page.getByRole('button', { name: 'Notifications', exact: true }).waitFor();
  const shown = await page.evaluate(() => (globalThis as unknown as { __notifications: string[] }).__notifications);
  expect(shown).toEqual([]);
});

test('on a phone the automation screens fit the screen and pass the accessibility scan', async () => {
  // Its own rule and endpoint, so the test stands alone.
  const token = await stack.token('acme-admin');
  const rule = await stack.api.post(
    '/api/v1/workflows',
    token,
    {
      key: 'e2e-phone-rule',
      name: 'Tag won deals from the phone test',
      trigger: { type: 'manual' },
      actions: [{ id: 'todo', type: 'create_task', title: 'Check the phone layout' }],
    },
    { 'idempotency-key': `e2e-phone-rule-${Date.now()}` },
  );
  expect(rule.status).toBe(201);
  const endpoint = await stack.api.post(
    '/api/v1/webhook-endpoints',
    token,
    { url: receiverUrl, description: 'Phone test endpoint', eventTypes: ['deal.won'] },
    { 'idempotency-key': `e2e-phone-endpoint-${Date.now()}` },
  );
  expect(endpoint.status).toBe(201);
  const phone = await stack.signIn('acme-admin', { path: '/automation/rules', phone: true });
  sessions.push(phone);
  const { page } = phone;
  const rows = page.getByRole('list', { name: 'Rules' }).locator('li');
  await rows.first().waitFor();
  const fits = async () => {
    const width = await page.evaluate(
      () =>
        (globalThis as unknown as { document: { documentElement: { scrollWidth: number } } }).document.documentElement
          .scrollWidth,
    );
    expect(width).toBeLessThanOrEqual(390);
  };
  await fits();
  await screenshot(page, 'phone-rules');
  await expect(seriousViolations(page)).resolves.toEqual([]);
  await rows.filter({ hasText: 'Tag won deals from the phone test' }).getByRole('link').first().tap();
  await editor(page).waitFor();
  await page.getByRole('heading', { name: 'Run history', exact: true }).waitFor();
  await fits();
  await screenshot(page, 'phone-rule-editor');
  await expect(seriousViolations(page)).resolves.toEqual([]);
  await page.goto(`${stack.baseUrl}/automation/webhooks`);
  await page
    .getByRole('list', { name: 'Webhook endpoints' })
    .locator('li')
    .filter({ hasText: 'Phone test endpoint' })
    .getByRole('link')
    .tap();
  await page.getByRole('heading', { name: 'Delivery log', exact: true }).waitFor();
  await fits();
  await screenshot(page, 'phone-webhook');
  await expect(seriousViolations(page)).resolves.toEqual([]);
});
