// The support screens in Debian's Chromium on the real stack with the ticket service: an agent works a ticket from
// the queue (a live SLA countdown, an internal note, a public reply, a macro, a status change), cannot open another
// group's ticket, works on a phone; an admin edits a business calendar and an SLA policy. Screenshots and an axe
// scan of each screen.
import { screenshot } from './support/artifacts';
import { seriousViolations } from './support/axe';
import { WebStack, type Session } from './support/web-stack';

jest.setTimeout(300_000);

const stack = new WebStack();
const sessions: Session[] = [];
const ids = { ticket: '', hidden: '', policy: '', macro: '' };
let agentToken = '';
let adminToken = '';

/** The little of the DOM the page functions use (the test project compiles without the DOM library). */
interface Dom {
  document: {
    querySelector(selector: string): { textContent: string | null } | null;
    documentElement: { scrollWidth: number };
  };
}

async function signIn(...args: Parameters<WebStack['signIn']>): Promise<Session> {
  const session = await stack.signIn(...args);
  sessions.push(session);
  return session;
}

async function expectAccessible(session: Session, screen: string) {
  const violations = await seriousViolations(session.page);
  expect({ screen, violations }).toEqual({ screen, violations: [] });
}

function created<T>(answer: { status: number; body: unknown; text: string }): T {
  if (answer.status !== 201) throw new Error(`API answered ${answer.status}: ${answer.text}`);
  return answer.body as T;
}

beforeAll(async () => {
  // The workflow service too: the shell asks for the user's tasks (reminders) on every screen.
  await stack.start({}, {}, { ticket: true });
  adminToken = await stack.token('acme-admin');
  agentToken = await stack.token('acme-agent1');
  const agentId = ((await stack.api.get('/api/v1/me', agentToken)).body as { userId: string }).userId;
  // Calendar time, so the countdown does not depend on the hour the suite runs at.
  ids.policy = created<{ id: string }>(
    await stack.api.post('/api/v1/sla-policies', adminToken, {
      name: 'E2E standard',
      position: 10,
      targets: [
        { priority: 'normal', metric: 'first_reply', targetSeconds: 1800, businessHours: false },
        { priority: 'normal', metric: 'resolution', targetSeconds: 8 * 3600, businessHours: false },
      ],
      warningPercent: 75,
    }),
  ).id;
  ids.macro = created<{ id: string }>(
    await stack.api.post('/api/v1/macros', adminToken, {
      name: 'Ask for logs',
      description: 'Asks the requester for the printer logs and waits',
      actions: { status: 'pending', addTags: ['logs'], reply: 'Could you send us the printer logs?' },
    }),
  ).id;
  ids.ticket = created<{ id: string }>(
    await stack.api.post('/api/v1/tickets', agentToken, {
      subject: 'Printer on fire',
      description: 'Smoke comes out of the tray since this morning.',
      requesterEmail: 'zoe.support@example.test',
      requesterName: 'Zoë Support',
      priority: 'normal',
      assigneeId: agentId,
    }),
  ).id;
  ids.hidden = created<{ id: string }>(
    await stack.api.post('/api/v1/tickets', adminToken, {
      subject: 'Billing dispute (billing group only)',
      requesterEmail: 'billing.e2e@example.test',
      groupId: 'acme-billing',
    }),
  ).id;
});

afterAll(async () => {
  await stack.stop();
});

afterEach(async () => {
  for (const session of sessions) expect(await session.problems()).toEqual([]);
});

test('an agent works a ticket from the queue: live SLA countdown, note, reply, macro, status', async () => {
  const agent = await signIn('acme-agent1', { path: '/tickets' });
  const { page } = agent;
  // Support roles see the queues; only admins see the SLA settings.
  await expect(page.getByRole('link', { name: 'SLA policies' }).count()).resolves.toBe(0);
  const row = page.locator(`[data-ticket-id="${ids.ticket}"]`);
  const badge = row.locator('.sla-badge');
  await badge.waitFor();
  const first = await badge.innerText();
  expect(first).toMatch(/^First reply \d+m \d{2}s$/);
  await expect(badge.getAttribute('data-sla-state')).resolves.toBe('ok');
  // The badge counts down by itself, without a reload.
  await page.waitForFunction(
    ([selector, before]) => (globalThis as unknown as Dom).document.querySelector(selector)?.textContent !== before,
    [`[data-ticket-id="${ids.ticket}"] .sla-badge`, first] as const,
  );
  await screenshot(page, 'ticket-queue');
  await expectAccessible(agent, 'ticket queue');

  await row.click();
  await page.getByRole('heading', { name: 'Printer on fire', exact: true }).waitFor();
  const conversation = page.getByRole('list', { name: 'Conversation' });

  await page.getByRole('button', { name: 'Internal note' }).click();
  await page.getByRole('textbox', { name: 'Internal note' }).fill('Checked the warranty: still covered.');
  await page.getByRole('button', { name: 'Add note' }).click();
  await page.getByText('Internal note added').first().waitFor();
  await conversation.locator('[data-comment-kind="note"]', { hasText: 'still covered' }).waitFor();

  await page.getByRole('button', { name: 'Public reply' }).click();
  await page.getByRole('textbox', { name: 'Reply to the requester' }).fill('Please unplug it; we are on our way.');
  await page.getByRole('button', { name: 'Send reply' }).click();
  await page.getByText('Reply sent').first().waitFor();
  await conversation.locator('[data-comment-kind="public"]', { hasText: 'unplug it' }).waitFor();
  // The reply met the first-reply target.
  await page.getByRole('list', { name: 'SLA targets' }).getByText('First reply met').waitFor();

  await page.getByRole('combobox', { name: 'Macro' }).selectOption({ label: 'Ask for logs' });
  await page.getByRole('button', { name: 'Apply', exact: true }).click();
  await page.getByText('Macro applied').first().waitFor();
  await page.getByTestId('ticket-status').getByText('Pending').waitFor();
  await conversation.getByText('Could you send us the printer logs?').waitFor();

  await page.getByRole('combobox', { name: 'Status', exact: true }).selectOption('solved');
  await page.getByText('Status: Solved').first().waitFor();
  await page.getByTestId('ticket-status').getByText('Solved').waitFor();
  await screenshot(page, 'ticket-view');
  await expectAccessible(agent, 'ticket view');

  const ticket = (await stack.api.get(`/api/v1/tickets/${ids.ticket}`, agentToken)).body as Record<string, unknown>;
  expect(ticket).toMatchObject({ status: 'solved', tags: ['logs'] });
  const comments = (await stack.api.get(`/api/v1/tickets/${ids.ticket}/comments`, agentToken)).body as {
    data: { public: boolean; body: string }[];
  };
  expect(comments.data.map((c) => [c.public, c.body])).toEqual([
    [false, 'Checked the warranty: still covered.'],
    [true, 'Please unplug it; we are on our way.'],
    [true, 'Could you send us the printer logs?'],
  ]);
});

test('a change made on a stale ticket shows what changed meanwhile and re-applies on top', async () => {
  const agent = await signIn('acme-agent1', { path: `/tickets/${ids.ticket}` });
  const { page } = agent;
  agent.expectStatus(412);
  // The live stream is cut, so the page keeps the version it loaded.
  await page.route('**/api/v1/events', (route) => route.abort());
  await page.reload();
  await page.getByRole('heading', { name: 'Printer on fire', exact: true }).waitFor();
  await page.waitForLoadState('networkidle');
  const before = (await stack.api.get(`/api/v1/tickets/${ids.ticket}`, agentToken)).body as { version: number };
  const changed = await stack.api.patch(
    `/api/v1/tickets/${ids.ticket}`,
    adminToken,
    { tags: ['logs', 'warranty'] },
    { 'content-type': 'application/merge-patch+json', 'if-match': `"${before.version}"` },
  );
  expect(changed.status).toBe(200);

  await page.getByRole('combobox', { name: 'Priority', exact: true }).selectOption('urgent');
  const dialog = page.getByRole('dialog', { name: 'Someone else changed this meanwhile' });
  await dialog.getByText('Tags').first().waitFor();
  await screenshot(page, 'ticket-conflict');
  await dialog.getByRole('button', { name: 'Re-apply my change' }).click();
  // The header shows the saved ticket once the re-applied change is answered.
  await page.locator('.record-header').getByText('Urgent', { exact: true }).waitFor();
  await expect(page.getByRole('combobox', { name: 'Priority', exact: true }).inputValue()).resolves.toBe('urgent');
  await page.getByText('#logs #warranty').waitFor();
  const ticket = (await stack.api.get(`/api/v1/tickets/${ids.ticket}`, agentToken)).body;
  expect(ticket).toMatchObject({ priority: 'urgent', tags: ['logs', 'warranty'] });
  await page.unroute('**/api/v1/events');
});

test("an agent does not see another group's ticket, in the queues or by its address", async () => {
  const agent = await signIn('acme-agent1', { path: '/tickets?view=all_open' });
  const { page } = agent;
  await page.getByRole('tab', { name: 'All open', selected: true }).waitFor();
  await page.getByRole('list', { name: 'Tickets' }).or(page.getByText('This queue is empty')).first().waitFor();
  await expect(page.getByText('Billing dispute (billing group only)').count()).resolves.toBe(0);
  agent.expectStatus(404);
  await page.goto(`${stack.baseUrl}/tickets/${ids.hidden}`);
  await page.getByRole('heading', { name: 'Ticket not found', exact: true }).waitFor();
  await expect(page.getByText('Billing dispute').count()).resolves.toBe(0);
});

test('on a phone the queue is a list of cards and a ticket can be answered', async () => {
  const phone = await signIn('acme-agent1', { path: '/contacts', phone: true });
  const { page } = phone;
  await page.getByRole('navigation', { name: 'Main (phone)' }).getByRole('link', { name: 'Tickets' }).tap();
  await page.getByRole('tab', { name: 'Solved' }).tap();
  const row = page.locator(`[data-ticket-id="${ids.ticket}"]`);
  await row.waitFor();
  const box = await row.boundingBox();
  expect(box && box.x >= 0 && box.x + box.width <= 390).toBe(true);
  await screenshot(page, 'phone-ticket-queue');
  await expectAccessible(phone, 'phone ticket queue');
  await row.tap();
  await page.getByRole('heading', { name: 'Printer on fire', exact: true }).waitFor();
  await page.getByRole('textbox', { name: 'Reply to the requester' }).fill('Any news from the printer?');
  await page.getByRole('button', { name: 'Send reply' }).tap();
  await page.getByText('Reply sent').first().waitFor();
  const width = await page.evaluate(() => (globalThis as unknown as Dom).document.documentElement.scrollWidth);
  expect(width).toBeLessThanOrEqual(390);
  await screenshot(page, 'phone-ticket-view');
  await expectAccessible(phone, 'phone ticket view');
});

test('an admin adds a business calendar with a break and a yearly holiday, and points the SLA policy at it', async () => {
  const admin = await signIn('acme-admin', { path: '/admin/sla' });
  const { page } = admin;
  await page.getByRole('list', { name: 'SLA policies' }).getByText('E2E standard').waitFor();
  await screenshot(page, 'admin-sla-policies');
  await expectAccessible(admin, 'SLA policies');

  await page.getByRole('tab', { name: 'Business calendars' }).click();
  await page.getByRole('button', { name: 'New calendar' }).click();
  const dialog = page.getByRole('dialog', { name: 'New business calendar' });
  await dialog.getByLabel('Name').fill('Berlin support desk');
  await dialog.getByLabel('Time zone').fill('Europe/Berlin');
  // Monday: 09:00–12:00, a lunch break, then 13:00–17:00.
  await dialog.getByLabel('Monday end').fill('12:00');
  await dialog.getByRole('button', { name: 'Add a Monday interval after a break' }).click();
  await dialog.getByLabel('Monday start').nth(1).fill('13:00');
  await dialog.getByLabel('Monday end').nth(1).fill('17:00');
  await dialog.getByRole('button', { name: 'Add holiday' }).click();
  await dialog.getByRole('textbox', { name: 'Holiday 1 name' }).fill('Christmas');
  await dialog.getByRole('checkbox', { name: 'Every year' }).check();
  await dialog.getByRole('textbox', { name: 'Holiday 1 date' }).fill('12-25');
  await screenshot(page, 'admin-calendar-editor');
  await expectAccessible(admin, 'calendar editor');
  await dialog.getByRole('button', { name: 'Save calendar' }).click();
  await page.getByText('Calendar created').first().waitFor();
  await page.getByRole('list', { name: 'Business calendars' }).getByText('Berlin support desk').waitFor();

  const calendars = (await stack.api.get('/api/v1/business-calendars', adminToken)).body as {
    data: { id: string; name: string; timeZone: string; hours: unknown[]; holidays: unknown[] }[];
  };
  const calendar = calendars.data.find((c) => c.name === 'Berlin support desk');
  expect(calendar).toMatchObject({
    timeZone: 'Europe/Berlin',
    holidays: [{ name: 'Christmas', date: '12-25', yearly: true }],
  });
  expect(calendar?.hours).toEqual(
    expect.arrayContaining([
      { weekday: 1, start: '09:00', end: '12:00' },
      { weekday: 1, start: '13:00', end: '17:00' },
      { weekday: 5, start: '09:00', end: '17:00' },
    ]),
  );
  expect(calendar?.hours).toHaveLength(6);

  await page.getByRole('tab', { name: 'Policies' }).click();
  await page.getByRole('button', { name: 'Edit E2E standard' }).click();
  const policyDialog = page.getByRole('dialog', { name: 'Edit E2E standard' });
  await policyDialog.getByLabel('Business calendar').selectOption({ label: 'Berlin support desk' });
  await policyDialog.getByLabel('Warning at').fill('80');
  await policyDialog.getByLabel('Hours of target 2').fill('10');
  await screenshot(page, 'admin-policy-editor');
  await expectAccessible(admin, 'policy editor');
  await policyDialog.getByRole('button', { name: 'Save policy' }).click();
  await page.getByText('Policy saved').first().waitFor();

  const policy = (await stack.api.get(`/api/v1/sla-policies/${ids.policy}`, adminToken)).body;
  expect(policy).toMatchObject({
    calendarId: calendar?.id,
    warningPercent: 80,
    targets: [
      { priority: 'normal', metric: 'first_reply', targetSeconds: 1800, businessHours: false },
      { priority: 'normal', metric: 'resolution', targetSeconds: 10 * 3600, businessHours: false },
    ],
  });
});

test('a support manager edits a macro, and has no SLA settings', async () => {
  const lead = await signIn('acme-support-lead', { path: '/admin/macros' });
  const { page } = lead;
  await expect(page.getByRole('link', { name: 'SLA policies' }).count()).resolves.toBe(0);
  await page.getByRole('list', { name: 'Macros' }).getByText('Ask for logs').waitFor();
  await page.getByRole('button', { name: 'Edit Ask for logs' }).click();
  const dialog = page.getByRole('dialog', { name: 'Edit Ask for logs' });
  await dialog.getByLabel('Reply').fill('Could you send us the printer logs and a photo?');
  await dialog.getByLabel('Set priority').selectOption('high');
  await screenshot(page, 'admin-macro-editor');
  await expectAccessible(lead, 'macro editor');
  await dialog.getByRole('button', { name: 'Save macro' }).click();
  await page.getByText('Macro saved').first().waitFor();
  await screenshot(page, 'admin-macros');
  await expectAccessible(lead, 'macros');
  const macro = (await stack.api.get(`/api/v1/macros/${ids.macro}`, adminToken)).body;
  expect(macro).toMatchObject({
    actions: { status: 'pending', priority: 'high', reply: 'Could you send us the printer logs and a photo?' },
  });
  await page.goto(`${stack.baseUrl}/admin/sla`);
  await page.getByRole('heading', { name: 'Not available to you', exact: true }).waitFor();
});
