// Record screens in Debian's Chromium on the real stack: a deal dragged by touch on a phone (the board's touch
// sensor: press, hold, drag), a company's page with its people, deals, inline edit and history, merging duplicate
// contacts, an edit that meets a newer version (412: what changed, re-apply) and the contact's history of changes,
// and an admin's GDPR export and erasure.
import { readFileSync } from 'node:fs';
import { eventually } from '@crm/testkit';
import type { Page } from 'playwright-core';
import { screenshot } from './support/artifacts';
import { seriousViolations } from './support/axe';
import { apiAs } from './support/api';
import { WebStack, centerOf, type Session } from './support/web-stack';

jest.setTimeout(300_000);

const stack = new WebStack();
const sessions: Session[] = [];

async function signIn(...args: Parameters<WebStack['signIn']>): Promise<Session> {
  const session = await stack.signIn(...args);
  sessions.push(session);
  return session;
}

async function expectAccessible(session: Session, screen: string) {
  const violations = await seriousViolations(session.page);
  expect({ screen, violations }).toEqual({ screen, violations: [] });
}

async function post(user: Parameters<WebStack['token']>[0], path: string, body: unknown): Promise<{ id: string }> {
  const answer = await stack.api.post(path, await stack.token(user), body, {
    'idempotency-key': `e2e-${Math.random()}`,
  });
  if (answer.status !== 201) throw new Error(`${path} answered ${answer.status}: ${answer.text}`);
  return answer.body as { id: string };
}

async function get<T>(user: Parameters<WebStack['token']>[0], path: string): Promise<{ status: number; body: T }> {
  const answer = await stack.api.get(path, await stack.token(user));
  return { status: answer.status, body: answer.body as T };
}

/** A finger pressing, holding past the sensor's delay, and sliding in small steps (Chrome DevTools touch events). */
async function touchDrag(page: Page, from: { x: number; y: number }, to: { x: number; y: number }): Promise<void> {
  const cdp = await page.context().newCDPSession(page);
  const touch = (type: 'touchStart' | 'touchMove' | 'touchEnd', x: number, y: number) =>
    cdp.send('Input.dispatchTouchEvent', { type, touchPoints: type === 'touchEnd' ? [] : [{ x, y }] });
  await touch('touchStart', from.x, from.y);
  await page.waitForTimeout(500);
  const steps = 20;
  for (let i = 1; i <= steps; i += 1)
    await touch('touchMove', from.x + ((to.x - from.x) * i) / steps, from.y + ((to.y - from.y) * i) / steps);
  await page.waitForTimeout(150);
  await touch('touchEnd', to.x, to.y);
  await cdp.detach();
}

beforeAll(async () => {
  // The workflow service too: the shell's notification centre reads the user's tasks on every screen.
  await stack.start({}, {});
});

afterAll(async () => {
  await stack.stop();
});

afterEach(async () => {
  for (const session of sessions) expect(await session.problems()).toEqual([]);
});

test('on a phone a deal is dragged by touch (press and hold) to a new place, and the server keeps it', async () => {
  const rep = await apiAs(stack, 'acme-rep3');
  const first = (await rep.board()).columns[0]!.stage.id;
  for (const title of ['Touch – Alpha', 'Touch – Bravo'])
    await rep.createDeal({ title, stageId: first, amount: { amountMinor: 100_000, currency: 'EUR' } });
  const orderOf = async () =>
    (await rep.board()).columns[0]!.deals.map((d) => d.title).filter((t) => t.startsWith('Touch'));
  const before = await orderOf();
  expect(before).toHaveLength(2);

  const phone = await signIn('acme-rep3', { path: '/deals', phone: true });
  const { page } = phone;
  const cardOf = (title: string) => `section[data-stage-id="${first}"] li[data-deal-id]:has-text("${title}")`;
  await page.locator(cardOf(before[1]!)).waitFor();
  const lower = await centerOf(page, `${cardOf(before[1]!)} .deal-title`);
  const upper = await centerOf(page, `${cardOf(before[0]!)} .deal-title`);
  const moved = page.waitForResponse((r) => r.url().includes('/move') && r.request().method() === 'POST');
  await touchDrag(page, lower, { x: upper.x, y: upper.y - 20 });
  expect((await moved).status()).toBe(200);
  const after = [before[1]!, before[0]!];
  await expect(
    page
      .locator(`section[data-stage-id="${first}"] li[data-deal-id] .deal-title`)
      .filter({ hasText: 'Touch' })
      .allInnerTexts(),
  ).resolves.toEqual(after);
  await expect(eventually(async () => ((await orderOf()).join() === after.join() ? true : undefined))).resolves.toBe(
    true,
  );
  await screenshot(page, 'phone-board-touch-drag');
  await phone.context.close();
  sessions.splice(sessions.indexOf(phone), 1);
});

test('a company’s page shows its people and deals, edits inline and lists the history of changes', async () => {
  const company = await post('acme-rep1', '/api/v1/companies', { name: 'Nordwind Logistik', domain: 'nordwind.test' });
  const person = await post('acme-rep1', '/api/v1/contacts', {
    firstName: 'Jana',
    lastName: 'Nordmann',
    companyId: company.id,
    emails: [{ address: 'jana@nordwind.test' }],
  });
  const deal = await post('acme-rep1', '/api/v1/deals', {
    title: 'Nordwind – fleet tracking',
    companyId: company.id,
    contactId: person.id,
    amount: { amountMinor: 4_200_000, currency: 'EUR' },
  });
  const rep = await signIn('acme-rep1', { path: '/companies' });
  const { page } = rep;
  await page.getByRole('link', { name: /Nordwind Logistik/ }).click();
  await page.getByRole('heading', { name: 'Nordwind Logistik', exact: true }).waitFor();
  await page.getByRole('link', { name: /Jana Nordmann/ }).waitFor();
  await page.locator(`a[href="/deals/${deal.id}"]`).filter({ hasText: 'Nordwind – fleet tracking' }).waitFor();

  await page.getByRole('button', { name: /^Industry/ }).click();
  await page.getByRole('textbox', { name: 'Industry' }).fill('Logistics');
  await page.keyboard.press('Enter');
  await page.getByRole('button', { name: /^Industry Logistics/ }).waitFor();
  await expect(get<{ industry: string }>('acme-rep1', `/api/v1/companies/${company.id}`)).resolves.toMatchObject({
    body: { industry: 'Logistics' },
  });
  await page.getByText('History', { exact: true }).click();
  const history = page.getByRole('list', { name: 'History of changes' });
  await history.getByText('Logistics').waitFor();
  await expect(history.locator(':scope > li').count()).resolves.toBe(2);
  await screenshot(page, 'company-detail');
  await expectAccessible(rep, 'company detail');
});

test('duplicate contacts are merged from the contact’s page', async () => {
  const keep = await post('acme-rep1', '/api/v1/contacts', {
    firstName: 'Lena',
    lastName: 'Vogel',
    emails: [{ address: 'lena.vogel@example.test' }],
  });
  const source = await post('acme-rep1', '/api/v1/contacts?allowDuplicates=true', {
    firstName: 'Lena',
    lastName: 'Vogl',
    emails: [{ address: 'lena.vogel@example.test' }],
    phones: [{ number: '+49 30 1234567' }],
  });
  await eventually(async () => {
    const found = await get<{ data: { contact: { id: string } }[] }>(
      'acme-rep1',
      `/api/v1/contacts/${keep.id}/duplicates`,
    );
    return found.body.data.some((d) => d.contact.id === source.id) ? true : undefined;
  });
  const { page } = sessions.find((s) => !s.page.isClosed()) ?? (await signIn('acme-rep1'));
  await page.goto(`${stack.baseUrl}/contacts/${keep.id}`);
  await page.getByText('Possible duplicate:').waitFor();
  await page.getByRole('button', { name: 'Review and merge' }).click();
  const dialog = page.getByRole('dialog', { name: 'Merge duplicate contacts' });
  await dialog.getByText('lena.vogel@example.test').first().waitFor();
  await screenshot(page, 'contact-merge');
  await dialog.getByRole('button', { name: 'Merge into Lena Vogel' }).click();
  await page.getByText('Contacts merged').first().waitFor();
  await expect(get('acme-rep1', `/api/v1/contacts/${source.id}`)).resolves.toMatchObject({ status: 404 });
  // Its empty fields were filled from the merged one.
  await expect(get('acme-rep1', `/api/v1/contacts/${keep.id}`)).resolves.toMatchObject({
    body: { phones: [expect.objectContaining({ number: expect.stringContaining('1234567') })] },
  });
  // Shown as the API formats it.
  await page
    .locator('.inline-fields')
    .getByText(/1234567/)
    .first()
    .waitFor();
});

test('saving over a newer version shows what changed and re-applies the edit; the history lists both', async () => {
  const contact = await post('acme-rep1', '/api/v1/contacts', { firstName: 'Paul', lastName: 'Stale', title: 'Buyer' });
  const rep = sessions.find((s) => !s.page.isClosed()) ?? (await signIn('acme-rep1'));
  const { page } = rep;
  rep.expectStatus(412);
  // The live stream is cut, so the page keeps the version it loaded, as a colleague's tab would.
  await page.route('**/api/v1/events', (route) => route.abort());
  await page.goto(`${stack.baseUrl}/contacts/${contact.id}`);
  await page.getByRole('heading', { name: 'Paul Stale', exact: true }).waitFor();
  await page.getByRole('button', { name: /^Job title Buyer/ }).waitFor();
  const current = await get<{ version: number }>('acme-rep1', `/api/v1/contacts/${contact.id}`);
  const changed = await stack.api.patch(
    `/api/v1/contacts/${contact.id}`,
    await stack.token('acme-rep1'),
    { title: 'Head of Purchasing' },
    { 'if-match': `"${current.body.version}"` },
  );
  expect(changed.status).toBe(200);

  await page.getByRole('button', { name: /^Job title Buyer/ }).click();
  await page.getByRole('textbox', { name: 'Job title' }).fill('Procurement lead');
  await page.keyboard.press('Enter');
  const dialog = page.getByRole('dialog', { name: 'Someone else changed this meanwhile' });
  await dialog.getByText('What changed').waitFor();
  const theirs = dialog.locator('.change-list').first();
  await theirs.getByText('Buyer').waitFor();
  await theirs.getByText('Head of Purchasing').waitFor();
  await dialog.getByText('you changed this too').waitFor();
  await screenshot(page, 'contact-conflict');
  await expectAccessible(rep, 'conflict dialog');
  await dialog.getByRole('button', { name: 'Re-apply my change' }).click();
  await page.getByRole('button', { name: /^Job title Procurement lead/ }).waitFor();
  await expect(
    eventually(async () => {
      const now = await get<{ title: string }>('acme-rep1', `/api/v1/contacts/${contact.id}`);
      return now.body.title === 'Procurement lead' ? now.body.title : undefined;
    }),
  ).resolves.toBe('Procurement lead');

  await page.getByRole('tab', { name: 'History' }).click();
  const history = page.getByRole('list', { name: 'History of changes' });
  await history.getByText('Procurement lead').waitFor();
  const entries = await history.locator(':scope > li').allInnerTexts();
  expect(entries).toHaveLength(3);
  expect(entries[0]).toMatch(/Head of Purchasing\s*→\s*Procurement lead/);
  expect(entries[1]).toMatch(/Buyer\s*→\s*Head of Purchasing/);
  await screenshot(page, 'contact-history');
  await page.unroute('**/api/v1/events');
});

test('an admin exports a contact’s personal data and erases it', async () => {
  const contact = await post('acme-rep2', '/api/v1/contacts', {
    firstName: 'Erika',
    lastName: 'Mustermann',
    emails: [{ address: 'erika.mustermann@example.test' }],
    phones: [{ number: '+49 89 7654321' }],
  });
  const admin = await signIn('acme-admin', { path: `/contacts/${contact.id}` });
  const { page } = admin;
  // The erasure's live event can reach the page before the erase answers: the contact's timeline and duplicates,
  // refetched then, are truly gone (404).
  admin.expectStatus(404);
  await page.getByRole('heading', { name: 'Erika Mustermann', exact: true }).waitFor();
  await page.getByRole('button', { name: 'More actions' }).click();
  const download = page.waitForEvent('download');
  await page.getByText('Export personal data (GDPR)').first().click();
  const file = await download;
  expect(file.suggestedFilename()).toBe(`contact-${contact.id}.json`);
  const exported = readFileSync((await file.path())!, 'utf8');
  expect(exported).toContain('erika.mustermann@example.test');
  expect(JSON.parse(exported)).toBeTruthy();

  await page.getByRole('button', { name: 'More actions' }).click();
  await page.getByText('Erase personal data').first().click();
  const dialog = page.getByRole('dialog', { name: 'Erase personal data?' });
  await dialog.getByRole('textbox', { name: 'Type ERASE to confirm' }).fill('ERASE');
  await screenshot(page, 'contact-erase');
  await expectAccessible(admin, 'erase dialog');
  await dialog.getByRole('button', { name: 'Erase Erika Mustermann' }).click();
  await page.getByText('Personal data erased').first().waitFor();
  await page.waitForURL(/\/contacts$/);
  const after = await stack.api.get(
    `/api/v1/contacts/${contact.id}?includeDeleted=true`,
    await stack.token('acme-admin'),
  );
  for (const personal of ['Erika', 'Mustermann', 'erika.mustermann', '7654321'])
    expect(after.text).not.toContain(personal);
});
