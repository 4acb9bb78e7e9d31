// What a rep may not see, the phone layout, the installed app offline, an administrator's screens (custom fields
// that forms pick up, a CSV import with its row errors) and signing out, in Debian's Chromium on the real stack.
import { screenshot } from './support/artifacts';
import { seriousViolations } from './support/axe';
import { apiAs } from './support/api';
import { WebStack, type Session } from './support/web-stack';

jest.setTimeout(300_000);

const stack = new WebStack();
const sessions: Session[] = [];
let rep1DealId = '';
let rep2DealId = '';
let contactId = '';
const stageIds: Record<string, string> = {};

async function expectAccessible(session: Session, screen: string) {
  const violations = await seriousViolations(session.page);
  expect({ screen, violations }).toEqual({ screen, violations: [] });
}

async function signIn(...args: Parameters<WebStack['signIn']>): Promise<Session> {
  const session = await stack.signIn(...args);
  sessions.push(session);
  return session;
}

beforeAll(async () => {
  await stack.start();
  const rep1 = await apiAs(stack, 'acme-rep1');
  const rep2 = await apiAs(stack, 'acme-rep2');
  for (const column of (await rep1.board()).columns) stageIds[column.stage.name] = column.stage.id;
  rep1DealId = (
    await rep1.createDeal({ title: 'Rita’s private renewal', amount: { amountMinor: 990_000, currency: 'EUR' } })
  ).id;
  rep2DealId = (await rep2.createDeal({ title: 'Globex pilot', amount: { amountMinor: 450_000, currency: 'EUR' } })).id;
  contactId = (
    await rep2.createContact({
      firstName: 'Émile',
      lastName: 'Durand',
      title: 'Buyer',
      emails: [{ address: 'emile@example.test' }],
      phones: [{ number: '+33 1 42 68 53 00' }],
    })
  ).id;
});

afterAll(async () => {
  await stack.stop();
});

afterEach(async () => {
  for (const session of sessions) expect(await session.problems()).toEqual([]);
});

test('a rep sees only their own deals, and no admin screens', async () => {
  const rep2 = await signIn('acme-rep2', { path: '/deals' });
  const { page } = rep2;
  rep2.expectStatus(404);
  await page.locator(`li[data-deal-id="${rep2DealId}"]`).waitFor();
  await expect(page.locator(`li[data-deal-id="${rep1DealId}"]`).count()).resolves.toBe(0);
  await expect(page.getByText('Rita’s private renewal').count()).resolves.toBe(0);
  await page.goto(`${stack.baseUrl}/deals/${rep1DealId}`);
  await page.getByRole('heading', { name: 'Deal not found', exact: true }).waitFor();
  await expect(page.getByRole('link', { name: 'Pipelines' }).count()).resolves.toBe(0);
  await expect(page.getByRole('link', { name: 'Imports' }).count()).resolves.toBe(0);
  await page.goto(`${stack.baseUrl}/admin/pipelines`);
  await page.getByRole('heading', { name: 'Not available to you', exact: true }).waitFor();
  await rep2.context.close();
});

test('on a phone (390×844) the board shows one column at a time and a deal moves in a few taps', async () => {
  const phone = await signIn('acme-rep2', { path: '/deals', phone: true });
  const { page } = phone;
  const card = page.locator(`li[data-deal-id="${rep2DealId}"]`);
  await card.waitFor();
  await page.getByRole('navigation', { name: 'Stages' }).waitFor();
  await screenshot(page, 'phone-board');
  await expectAccessible(phone, 'phone board');
  await page.getByRole('button', { name: 'Move Globex pilot to another stage' }).tap();
  const sheet = page.getByRole('dialog', { name: 'Move “Globex pilot”' });
  await sheet.getByRole('button', { name: /^Proposal/ }).waitFor();
  await screenshot(page, 'phone-move-sheet');
  await sheet.getByRole('button', { name: /^Proposal/ }).tap();
  await page
    .locator(`section[data-stage-id="${stageIds.Proposal}"] li[data-deal-id="${rep2DealId}"]`)
    .waitFor({ state: 'attached' });
  await expect(
    apiAs(stack, 'acme-rep2').then((a) =>
      a.dealBecomes(rep2DealId, {
        stageId: stageIds.Proposal,
      }),
    ),
  ).resolves.toMatchObject({
    stageId: stageIds.Proposal,
  });

  await page.getByRole('navigation', { name: 'Main (phone)' }).getByRole('link', { name: 'Contacts' }).tap();
  await page.getByRole('link', { name: /Émile Durand/ }).waitFor();
  await screenshot(page, 'phone-contacts');
  await expectAccessible(phone, 'phone contacts');
  await page.getByRole('link', { name: /Émile Durand/ }).tap();
  await page.getByRole('heading', { name: 'Émile Durand', exact: true }).waitFor();
  // Logging a call on the phone: two taps.
  await page.getByRole('button', { name: 'Call', exact: true }).tap();
  await page.getByRole('button', { name: 'Log call' }).tap();
  await page.locator('.timeline-item:not(.pending)').filter({ hasText: 'Outbound call' }).waitFor();
  await screenshot(page, 'phone-contact-detail');
});

test('the installed app shows the recent lists offline', async () => {
  const phone = sessions[sessions.length - 1]!;
  const { page, context } = phone;
  await page.goto(`${stack.baseUrl}/contacts`);
  await page.getByRole('link', { name: /Émile Durand/ }).waitFor();
  // The service worker holds the app shell; the lists are in IndexedDB (written at most once a second).
  await page.evaluate(async () => {
    const sw = (globalThis as unknown as { navigator: { serviceWorker: { ready: Promise<unknown> } } }).navigator
      .serviceWorker;
    await sw.ready;
  });
  await page.waitForFunction(() =>
    Boolean(
      (globalThis as unknown as { navigator: { serviceWorker: { controller: unknown } } }).navigator.serviceWorker
        .controller,
    ),
  );
  await page.waitForTimeout(1500);
  await context.setOffline(true);
  await page.reload();
  await page.getByText('You are offline.', { exact: false }).waitFor();
  await page.getByRole('link', { name: /Émile Durand/ }).waitFor();
  await screenshot(page, 'phone-offline-contacts');
  await context.setOffline(false);
});

test('the phone layout in the dark theme', async () => {
  const dark = await signIn('acme-rep2', { path: `/contacts/${contactId}`, phone: true, colorScheme: 'dark' });
  await dark.page.getByRole('heading', { name: 'Émile Durand', exact: true }).waitFor();
  await screenshot(dark.page, 'phone-contact-dark');
  await expectAccessible(dark, 'phone contact (dark)');
  await dark.page.goto(`${stack.baseUrl}/deals`);
  await dark.page.locator(`li[data-deal-id="${rep2DealId}"]`).waitFor();
  await screenshot(dark.page, 'phone-board-dark');
  await dark.context.close();
});

test('an admin adds a custom field that the contact form then asks for, and imports a CSV with row errors', async () => {
  const admin = await signIn('acme-admin', { path: '/admin/custom-fields' });
  const { page } = admin;
  await page.getByRole('button', { name: 'Add field' }).click();
  const dialog = page.getByRole('dialog', { name: 'Add a custom field' });
  await dialog.getByLabel('Label').fill('Annual budget');
  await dialog.getByLabel('Type').selectOption('number');
  await dialog.getByLabel('Minimum').fill('0');
  await dialog.getByRole('button', { name: 'Done' }).click();
  await page.getByRole('button', { name: 'Save changes' }).click();
  await page.getByText('Custom fields saved').waitFor();
  await screenshot(page, 'admin-custom-fields');
  await expectAccessible(admin, 'custom fields admin');

  await page.goto(`${stack.baseUrl}/contacts`);
  await page.getByRole('button', { name: 'New contact' }).first().click();
  const form = page.getByRole('dialog', { name: 'New contact' });
  await form.getByLabel('First name').fill('Budget');
  await form.getByLabel('Annual budget').fill('-5');
  await form.getByRole('button', { name: 'Create contact' }).click();
  await form.getByText('At least 0').waitFor();
  await form.getByLabel('Annual budget').fill('120000');
  await form.getByRole('button', { name: 'Create contact' }).click();
  await page.getByRole('heading', { name: 'Budget', exact: true }).waitFor();
  await page.getByText('120000').waitFor();

  await page.goto(`${stack.baseUrl}/imports`);
  const csv =
    'First Name,Last Name,E-mail\nAnna,Schmidt,anna@example.test\nBen,Bauer,not-an-email\nCara,Cole,cara@example.test\n';
  await page
    .locator('input[type="file"]')
    .setInputFiles({ name: 'people.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
  await page.getByRole('combobox', { name: 'Field for column E-mail' }).waitFor();
  await expect(page.getByRole('combobox', { name: 'Field for column E-mail' }).inputValue()).resolves.toBe('email');
  await screenshot(page, 'import-mapping');
  await page.getByRole('button', { name: 'Import 3 rows' }).click();
  await page.getByText('Download all 1 errors (CSV)').waitFor({ timeout: 60_000 });
  await expect(page.getByRole('progressbar', { name: 'Import progress' }).getAttribute('aria-valuenow')).resolves.toBe(
    '100',
  );
  await page.getByRole('cell', { name: 'emails[0].address' }).waitFor();
  await screenshot(page, 'import-result');
  await expectAccessible(admin, 'import');
  const download = page.waitForEvent('download');
  await page.getByText('Download all 1 errors (CSV)').click();
  expect((await download).suggestedFilename()).toBe('people-errors.csv');

  await page.goto(`${stack.baseUrl}/admin/pipelines`);
  await page.getByRole('list', { name: 'Stages' }).waitFor();
  await screenshot(page, 'admin-pipelines');
  await expectAccessible(admin, 'pipelines admin');
});

test('signing out ends the session at Keycloak', async () => {
  const admin = sessions[sessions.length - 1]!;
  const { page } = admin;
  await page.goto(`${stack.baseUrl}/contacts`);
  await page.locator('.user-button').click();
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.waitForURL(/\/realms\/crm\/(protocol\/openid-connect\/auth|login-actions)/);
  await page.locator('#username').waitFor();
});
