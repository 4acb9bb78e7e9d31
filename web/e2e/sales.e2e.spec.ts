// A rep's day, in a real browser against the real stack: sign in through Keycloak, create a contact, find it by
// part of its accented name, log a call, create a deal and move it on the board while the manager's browser
// follows live; a stale move is refused and rolled back; keyboard moves and the lost-reason dialog; the command
// palette; an accessibility scan and screenshots of the main screens in both themes.
import { screenshot } from './support/artifacts';
import { seriousViolations } from './support/axe';
import { apiAs } from './support/api';
import { WebStack, centerOf, dragTo, type Session } from './support/web-stack';

jest.setTimeout(300_000);

const stack = new WebStack();
let rep: Session;
let manager: Session;
let contactId = '';
let dealId = '';
const stageIds: Record<string, string> = {};

const card = (id: string, stageId?: string) =>
  stageId ? `section[data-stage-id="${stageId}"] li[data-deal-id="${id}"]` : `li[data-deal-id="${id}"]`;

async function expectAccessible(session: Session, screen: string) {
  const violations = await seriousViolations(session.page);
  expect({ screen, violations }).toEqual({ screen, violations: [] });
}

beforeAll(async () => {
  await stack.start();
  const api = await apiAs(stack, 'acme-rep1');
  const columns = (await api.board()).columns;
  for (const column of columns) stageIds[column.stage.name] = column.stage.id;
  // Some of the rep's pipeline closing this year, so the forecast has something to show.
  const year = new Date().getFullYear();
  for (const [title, stage, amount] of [
    ['Initech – support renewal', 'Negotiation', 2_400_000],
    ['Umbrella – pilot', 'Proposal', 900_000],
    ['Hooli – expansion', 'Qualification', 5_000_000],
  ] as const)
    await api.createDeal({
      title,
      stageId: stageIds[stage],
      amount: { amountMinor: amount, currency: 'USD' },
      expectedCloseDate: `${year}-12-15`,
    });
});

afterAll(async () => {
  await stack.stop();
});

afterEach(async () => {
  for (const session of [rep, manager]) if (session) expect(await session.problems()).toEqual([]);
});

test('a rep signs in, creates a contact, finds it by part of its accented name and logs a call', async () => {
  rep = await stack.signIn('acme-rep1', { path: '/contacts' });
  const { page } = rep;
  // The signed-in user's name, role and tenant are shown.
  await page.locator('.user-button').getByText('Sales rep · acme').waitFor();
  await expect(page.locator('.user-button').innerText()).resolves.toContain('Rita Rep');
  await page.getByRole('button', { name: 'New contact' }).first().click();
  const dialog = page.getByRole('dialog', { name: 'New contact' });
  await dialog.getByLabel('First name').fill('Zoë');
  await dialog.getByLabel('Last name').fill('Ångström');
  await dialog.getByLabel('Email').fill('zoe.angstrom@example.test');
  await dialog.getByLabel('Job title').fill('Head of Operations');
  await dialog.getByRole('button', { name: 'Create contact' }).click();
  await page.getByRole('heading', { name: 'Zoë Ångström', exact: true }).waitFor();
  contactId = page.url().split('/contacts/')[1] ?? '';
  expect(contactId).not.toBe('');

  await page.getByRole('link', { name: 'Contacts' }).first().click();
  await page.getByRole('searchbox', { name: 'Search contacts' }).fill('angstr');
  // The search has answered once the address carries it and the list is no longer updating.
  await page.waitForURL(/[?&]q=angstr/);
  await page.getByRole('status', { name: 'Updating' }).waitFor({ state: 'detached' });
  const results = page.getByRole('list', { name: 'Contacts' }).getByRole('link');
  await expect(results.allInnerTexts()).resolves.toEqual([expect.stringContaining('Zoë Ångström')]);
  await screenshot(page, 'contacts-search-light');
  await expectAccessible(rep, 'contacts list');
  await page.getByRole('link', { name: /Zoë Ångström/ }).click();

  // Two clicks: the kind, then log.
  await page.getByRole('button', { name: 'Call', exact: true }).click();
  await page.getByRole('button', { name: 'Log call' }).click();
  await page.locator('.timeline-item:not(.pending)').filter({ hasText: 'Outbound call' }).waitFor();
  const activities = await (await apiAs(stack, 'acme-rep1')).activities(contactId);
  expect(activities.data[0]).toMatchObject({ type: 'call', call: { direction: 'outbound' } });
  await screenshot(page, 'contact-detail-light');
  await expectAccessible(rep, 'contact detail');
});

test('the rep creates a deal and drags it to another stage; the manager’s board follows live', async () => {
  const { page } = rep;
  await page.goto(`${stack.baseUrl}/contacts/${contactId}`);
  await page.getByRole('button', { name: 'New deal' }).click();
  const dialog = page.getByRole('dialog', { name: 'New deal' });
  await dialog.getByLabel('Title').fill('Zoë – 40 seats');
  await dialog.getByLabel('Amount').fill('12,500');
  await dialog.getByRole('button', { name: 'Create deal' }).click();
  await page.getByRole('heading', { name: 'Deals', exact: true }).waitFor();
  const created = page
    .locator(`section[data-stage-id="${stageIds.Prospecting}"] li[data-deal-id]`)
    .filter({ hasText: 'Zoë – 40 seats' });
  await created.waitFor();
  dealId = (await created.getAttribute('data-deal-id')) ?? '';
  expect(dealId).not.toBe('');

  manager = await stack.signIn('acme-manager', { path: '/deals' });
  await manager.page.locator(card(dealId, stageIds.Prospecting)).waitFor();

  await dragTo(
    page,
    await centerOf(page, card(dealId)),
    await centerOf(page, `section[data-stage-id="${stageIds.Proposal}"] .board-cards`),
  );
  await page.locator(card(dealId, stageIds.Proposal)).waitFor();
  // The manager did nothing: the card moves on their screen through the live event stream.
  await manager.page.locator(card(dealId, stageIds.Proposal)).waitFor({ timeout: 30_000 });
  await expect(
    apiAs(stack, 'acme-rep1').then((a) => a.dealBecomes(dealId, { stageId: stageIds.Proposal })),
  ).resolves.toMatchObject({ stageId: stageIds.Proposal });
  await screenshot(page, 'board-light');
  await screenshot(manager.page, 'board-manager-live');
  await expectAccessible(rep, 'board');
});

test('a drag based on a stale version shows the conflict and puts the card back', async () => {
  const { page } = rep;
  rep.expectStatus(412);
  // The rep's live stream is cut, so their board keeps the version they loaded.
  await page.route('**/api/v1/events', (route) => route.abort());
  await page.reload();
  await page.locator(card(dealId, stageIds.Proposal)).waitFor();
  const api = await apiAs(stack, 'acme-rep1');
  const before = await api.deal(dealId);
  await api.patchDeal(dealId, before.version, { nextStep: 'Send the order form' });

  await dragTo(
    page,
    await centerOf(page, card(dealId)),
    await centerOf(page, `section[data-stage-id="${stageIds.Qualification}"] .board-cards`),
  );
  await page.getByText('Someone else changed “Zoë – 40 seats” meanwhile').waitFor();
  await screenshot(page, 'board-conflict');
  await page.locator(card(dealId, stageIds.Proposal)).waitFor();
  await expect(page.locator(card(dealId, stageIds.Qualification)).count()).resolves.toBe(0);
  await expect(api.deal(dealId)).resolves.toMatchObject({ stageId: stageIds.Proposal });
  await page.unroute('**/api/v1/events');
});

test('a deal moves with the keyboard, and losing it asks for the reason', async () => {
  const { page } = rep;
  await page.reload();
  await page.locator(`${card(dealId, stageIds.Proposal)} .deal-card`).focus();
  await page.keyboard.press('Space');
  await page.getByText('Zoë – 40 seats is over Proposal', { exact: false }).waitFor({ state: 'attached' });
  // The screen-reader announcement says where the card is after each arrow.
  await page.keyboard.press('ArrowLeft');
  await page.getByText('Zoë – 40 seats is over Qualification', { exact: false }).waitFor({ state: 'attached' });
  await page.keyboard.press('Space');
  await page.locator(card(dealId, stageIds.Qualification)).waitFor();
  await expect(
    apiAs(stack, 'acme-rep1').then((a) =>
      a.dealBecomes(dealId, {
        stageId: stageIds.Qualification,
      }),
    ),
  ).resolves.toMatchObject({
    stageId: stageIds.Qualification,
  });

  // The stage picker (the phone's way, here on a desktop) into Lost asks for the reason the API requires.
  await page.getByRole('button', { name: 'Move Zoë – 40 seats to another stage' }).click();
  await page.getByRole('dialog', { name: 'Move “Zoë – 40 seats”' }).getByRole('button', { name: /^Lost/ }).click();
  const dialog = page.getByRole('dialog', { name: 'Mark “Zoë – 40 seats” as lost?' });
  await dialog.getByRole('button', { name: 'Mark as lost' }).click();
  await dialog.getByText('Say why it was lost').waitFor();
  await dialog.getByRole('button', { name: 'Went with a competitor' }).click();
  await dialog.getByRole('button', { name: 'Mark as lost' }).click();
  await page.locator(card(dealId, stageIds.Lost)).waitFor({ state: 'attached' });
  await expect(
    apiAs(stack, 'acme-rep1').then((a) =>
      a.dealBecomes(dealId, {
        status: 'lost',
        lostReason: 'Went with a competitor',
      }),
    ),
  ).resolves.toMatchObject({
    status: 'lost',
    lostReason: 'Went with a competitor',
  });
});

test('the command palette finds a contact and the shortcuts are listed', async () => {
  const { page } = rep;
  await page.goto(`${stack.baseUrl}/deals`);
  await page.getByRole('heading', { name: 'Deals', exact: true }).waitFor();
  await page.keyboard.press('Control+k');
  const palette = page.getByRole('dialog', { name: 'Search and commands' });
  await palette.getByRole('combobox').fill('zoe');
  await palette.getByRole('option', { name: /Zoë Ångström/ }).waitFor();
  await screenshot(page, 'command-palette');
  await page.keyboard.press('Enter');
  await page.waitForURL(`**/contacts/${contactId}`);
  await page.getByRole('heading', { name: 'Zoë Ångström', exact: true }).waitFor();
  await page.keyboard.press('Shift+?');
  await page.getByRole('dialog', { name: 'Keyboard shortcuts' }).getByText('Deals board').waitFor();
  await screenshot(page, 'shortcuts-help');
  await page.keyboard.press('Escape');
});

test('the main screens in the dark theme pass the accessibility scan', async () => {
  const dark = await stack.signIn('acme-rep1', { path: '/deals', colorScheme: 'dark' });
  await dark.page.locator(card(dealId)).waitFor();
  await screenshot(dark.page, 'board-dark');
  await expectAccessible(dark, 'board (dark)');
  await dark.page.goto(`${stack.baseUrl}/contacts/${contactId}`);
  await dark.page.locator('.timeline-item').first().waitFor();
  await screenshot(dark.page, 'contact-detail-dark');
  await expectAccessible(dark, 'contact detail (dark)');
  await dark.page.goto(`${stack.baseUrl}/forecast?period=this-year`);
  await dark.page.getByRole('table').waitFor();
  await dark.page.locator('.recharts-wrapper > svg.recharts-surface').waitFor();
  await screenshot(dark.page, 'forecast-dark');
  await expectAccessible(dark, 'forecast (dark)');
  expect(await dark.problems()).toEqual([]);
});
