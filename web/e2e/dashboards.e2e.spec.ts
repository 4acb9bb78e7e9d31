// The sales and support dashboards in Debian's Chromium on the real stack (contact, pipeline, ticket and reporting
// services): the charts show the figures the API answers for the signed-in user, a bar drills down to the deals
// behind it and on to a deal's page, a table and a drill-down download as the API's CSV, a manager groups by
// owner, the phone layout, and an accessibility scan.
import { readFileSync } from 'node:fs';
import { eventually } from '@crm/testkit';
import type { Page } from 'playwright-core';
import { screenshot } from './support/artifacts';
import { seriousViolations } from './support/axe';
import { apiAs } from './support/api';
import { WebStack, type Session } from './support/web-stack';

jest.setTimeout(300_000);

const stack = new WebStack();
const sessions: Session[] = [];
const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
// Yesterday to tomorrow: today's records whatever the hour and the tenant's zone.
const PERIOD = { from: day(-1), to: day(1) };
const PERIOD_QUERY = `from=${PERIOD.from}&to=${PERIOD.to}`;
const PAGE_QUERY = `period=custom&${PERIOD_QUERY}`;
const wonTitles = ['Dash – Initech renewal', 'Dash – Umbrella seats', 'Dash – Hooli US expansion'];
const ticketIds: Record<string, string> = {};

interface DashboardBody {
  tables: Array<{
    name: string;
    rows: Array<{ values: Record<string, number | string | null>; drillDown: Record<string, string> }>;
  }>;
}

async function signIn(...args: Parameters<WebStack['signIn']>): Promise<Session> {
  const session = await stack.signIn(...args);
  sessions.push(session);
  return session;
}

async function dashboardAs(token: string, dashboard: string, query: string): Promise<DashboardBody> {
  const answer = await stack.api.get(`/api/v1/dashboards/${dashboard}?${query}`, token);
  if (answer.status !== 200) throw new Error(`dashboard answered ${answer.status}: ${answer.text}`);
  return answer.body as DashboardBody;
}

const tableOf = (body: DashboardBody, name: string) => {
  const table = body.tables.find((t) => t.name === name);
  if (!table) throw new Error(`no ${name} table`);
  return table;
};

/**
 * The figures printed on a chart's bars, in series order (SVG text has no innerText). recharts draws no bar, and so
 * no label, for a 0: the expected figures leave zeros out the same way (`drawn`).
 */
const chartFigures = (page: Page, label: string) =>
  page
    .locator(`figure[data-chart="${label}"] .recharts-label-list text`)
    .evaluateAll((nodes) => nodes.map((n) => (n as unknown as { textContent: string }).textContent));

const drawn = (values: Array<number | string | null | undefined>, format: (v: number) => string = String) =>
  values.filter((v): v is number => typeof v === 'number' && v !== 0).map(format);

const money = (amountMinor: number, currency: string) =>
  new Intl.NumberFormat('en-US', {
    style: 'currency',
    currency,
    minimumFractionDigits: 0,
    maximumFractionDigits: 2,
  }).format(amountMinor / 100);

async function expectAccessible(session: Session, screen: string) {
  const violations = await seriousViolations(session.page);
  expect({ screen, violations }).toEqual({ screen, violations: [] });
}

beforeAll(async () => {
  // The workflow service too: the shell's notification centre reads the user's tasks on every screen.
  await stack.start({}, {}, { reporting: true, ticket: true });
  const rep1 = await apiAs(stack, 'acme-rep1');
  const rep2 = await apiAs(stack, 'acme-rep2');
  const stages = Object.fromEntries((await rep1.board()).columns.map((c) => [c.stage.name, c.stage.id]));
  const move = async (token: string, id: string, body: Record<string, unknown>) => {
    const answer = await stack.api.post(`/api/v1/deals/${id}/move`, token, body);
    if (answer.status !== 200) throw new Error(`move answered ${answer.status}: ${answer.text}`);
  };
  const seeded: Array<[string, number, string, string]> = [
    [wonTitles[0]!, 120_000, 'EUR', 'Won'],
    [wonTitles[1]!, 80_000, 'EUR', 'Won'],
    [wonTitles[2]!, 500_000, 'USD', 'Won'],
    ['Dash – Globex trial', 30_000, 'EUR', 'Lost'],
    ['Dash – Stark proposal', 200_000, 'EUR', 'Proposal'],
  ];
  for (const [title, amountMinor, currency, stage] of seeded) {
    const deal = await rep1.createDeal({ title, amount: { amountMinor, currency }, expectedCloseDate: day(0) });
    await move(rep1.token, deal.id, {
      stageId: stages[stage],
      ...(stage === 'Lost' ? { lostReason: 'Went with a competitor' } : {}),
    });
  }
  // Another rep's win: never in rep1's figures.
  const other = await rep2.createDeal({ title: 'Dash – rep2 win', amount: { amountMinor: 999_900, currency: 'EUR' } });
  await move(rep2.token, other.id, { stageId: stages.Won });

  const agent = await stack.token('acme-agent1');
  for (const subject of ['Dash – printer on fire', 'Dash – still waiting']) {
    const answer = await stack.api.post(
      '/api/v1/tickets',
      agent,
      { subject, requesterEmail: 'dashboards-e2e@example.test' },
      { 'idempotency-key': `e2e-${Math.random()}` },
    );
    if (answer.status !== 201) throw new Error(`ticket answered ${answer.status}: ${answer.text}`);
    ticketIds[subject] = (answer.body as { id: string }).id;
  }
  const solved = await stack.api.patch(
    `/api/v1/tickets/${ticketIds['Dash – printer on fire']}`,
    agent,
    { status: 'solved' },
    { 'if-match': '*' },
  );
  if (solved.status !== 200) throw new Error(`solving answered ${solved.status}: ${solved.text}`);

  // The reporting service has applied the events once every figure the tests look at is in.
  const [admin, manager] = await Promise.all([stack.token('acme-admin'), stack.token('acme-manager')]);
  await eventually(async () => {
    const sales = tableOf(await dashboardAs(manager, 'sales', PERIOD_QUERY), 'summary').rows[0]?.values;
    const support = tableOf(await dashboardAs(admin, 'support', PERIOD_QUERY), 'summary').rows[0]?.values;
    return sales?.won_deals === 4 && sales.lost_deals === 1 && support?.tickets_solved === 1 ? true : undefined;
  }, 60_000);
});

afterAll(async () => {
  await stack.stop();
});

afterEach(async () => {
  for (const session of sessions) expect(await session.problems()).toEqual([]);
});

test('a rep’s sales dashboard shows the API’s figures for them only, per currency', async () => {
  const rep = await signIn('acme-rep1', { path: '/deals' });
  const { page } = rep;
  await page.getByRole('link', { name: 'Sales dashboard' }).click();
  await page.getByRole('heading', { name: 'Sales dashboard', exact: true }).waitFor();
  await page.getByText('Your own figures').waitFor();
  await page.getByRole('combobox', { name: 'Period' }).selectOption('custom');
  await page.getByRole('textbox', { name: 'From', exact: true }).fill(PERIOD.from);
  await page.getByRole('textbox', { name: 'To', exact: true }).fill(PERIOD.to);
  await page.waitForURL(new RegExp(`to=${PERIOD.to}`));
  await page.getByText(`${PERIOD.from} – ${PERIOD.to}`, { exact: false }).waitFor();

  const api = await dashboardAs(await stack.token('acme-rep1'), 'sales', PERIOD_QUERY);
  const summary = tableOf(api, 'summary').rows[0]!.values;
  // rep2's win is not among rep1's figures.
  expect(summary).toMatchObject({ won_deals: 3, lost_deals: 1 });
  await page.locator('figure[data-chart="Sales dashboard: counts"] .recharts-label-list').first().waitFor();
  await expect(chartFigures(page, 'Sales dashboard: counts')).resolves.toEqual(
    drawn([summary.won_deals, summary.lost_deals, summary.open_deals]),
  );
  await page.getByRole('link', { name: `Deals won: ${summary.won_deals}, show records` }).waitFor();
  await page.getByRole('link', { name: 'Win rate: 75%, show records' }).waitFor();

  // One chart per currency: EUR and USD are never drawn on one axis or added up.
  const revenue = tableOf(api, 'revenue').rows;
  for (const currency of ['EUR', 'USD']) {
    const row = revenue.find((r) => r.values.currency === currency)!.values;
    await expect(chartFigures(page, `Money in ${currency}`)).resolves.toEqual(
      drawn([row.won_amount, row.weighted_pipeline], (v) => money(v, currency)),
    );
  }
  expect(revenue.find((r) => r.values.currency === 'EUR')?.values.won_amount).toBe(200_000);
  await page.getByText('What these numbers mean').click();
  await page.getByText('won_deals ÷ (won_deals + lost_deals)', { exact: false }).first().waitFor();
  await screenshot(page, 'dashboard-sales-rep');
  await expectAccessible(rep, 'sales dashboard');
});

test('a bar drills down to the deals behind it, and on to a deal’s page', async () => {
  const { page } = sessions[0]!;
  const wonBar = page.locator('figure[data-chart="Sales dashboard: counts"] .recharts-bar-rectangle').first();
  await wonBar.click();
  await page.waitForURL(/\/dashboards\/sales\/records\?metric=won_deals/);
  await page.getByRole('heading', { name: 'Deals won', exact: true }).waitFor();
  const records = page.getByRole('list', { name: 'Records' }).getByRole('link');
  for (const title of wonTitles) await records.filter({ hasText: title }).waitFor();
  await expect(records.count()).resolves.toBe(3);
  const api = (await stack.api.get(
    `/api/v1/dashboards/sales/records?metric=won_deals&${PERIOD_QUERY}`,
    await stack.token('acme-rep1'),
  )) as { body: { data: Array<{ id: string }> } };
  const shown = await page
    .getByRole('list', { name: 'Records' })
    .locator('li')
    .evaluateAll((items) => items.map((li) => (li as unknown as { dataset: { recordId: string } }).dataset.recordId));
  expect(shown).toEqual(api.body.data.map((r) => r.id));
  await screenshot(page, 'dashboard-drill-down');
  await expectAccessible(sessions[0]!, 'drill-down');

  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Download CSV' }).click();
  const file = await download;
  const csv = readFileSync((await file.path())!, 'utf8');
  const apiCsv = await stack.api.get(
    `/api/v1/dashboards/sales/records?metric=won_deals&${PERIOD_QUERY}&format=csv`,
    await stack.token('acme-rep1'),
  );
  expect(csv).toBe(apiCsv.text);
  expect(csv.trim().split('\n')).toHaveLength(4);

  await records.filter({ hasText: wonTitles[2]! }).click();
  await page.getByRole('heading', { name: wonTitles[2]! }).waitFor();
  expect(page.url()).toMatch(/\/deals\/[^/]+$/);
});

test('a table downloads as the API’s CSV', async () => {
  const { page } = sessions[0]!;
  await page.goto(`${stack.baseUrl}/dashboards/sales?${PAGE_QUERY}`);
  const button = page.getByRole('button', { name: 'Download Revenue and velocity by currency as CSV' });
  await button.waitFor();
  const download = page.waitForEvent('download');
  await button.click();
  const file = await download;
  expect(file.suggestedFilename()).toBe(`sales-revenue-${PERIOD.from}-${PERIOD.to}.csv`);
  const csv = readFileSync((await file.path())!, 'utf8');
  const apiCsv = await stack.api.get(
    `/api/v1/dashboards/sales?${PERIOD_QUERY}&table=revenue&format=csv`,
    await stack.token('acme-rep1'),
  );
  expect(csv).toBe(apiCsv.text);
  expect(csv.split('\n')[0]).toMatch(/^currency,won_deals,won_amount,/);
});

test('a manager groups by owner and sees each rep’s row as the API counts it', async () => {
  const manager = await signIn('acme-manager', { path: `/dashboards/sales?${PAGE_QUERY}` });
  const { page } = manager;
  await page.getByText('Figures of your teams and yours').waitFor();
  await page.getByRole('combobox', { name: 'Group by' }).selectOption('owner');
  await page.waitForURL(/groupBy=owner/);
  const api = await dashboardAs(await stack.token('acme-manager'), 'sales', `${PERIOD_QUERY}&groupBy=owner`);
  const rows = tableOf(api, 'summary').rows.filter((r) => r.values.won_deals !== 0 || r.values.lost_deals !== 0);
  expect(rows.length).toBeGreaterThanOrEqual(2);
  const table = page.locator('section[data-table="summary"] table');
  await table
    .locator('tbody tr')
    .nth(tableOf(api, 'summary').rows.length - 1)
    .waitFor();
  const wonCells = await table.locator('a[data-metric="won_deals"]').allInnerTexts();
  expect(wonCells).toEqual(tableOf(api, 'summary').rows.map((r) => String(r.values.won_deals)));
  await expect(chartFigures(page, 'Sales dashboard: counts')).resolves.toEqual(
    drawn(
      ['won_deals', 'lost_deals', 'open_deals'].flatMap((m) => tableOf(api, 'summary').rows.map((r) => r.values[m])),
    ),
  );
  await screenshot(page, 'dashboard-sales-manager-by-owner');
  await expectAccessible(manager, 'sales dashboard by owner');
});

test('the support dashboard: figures, drill-down to the tickets, and its CSV', async () => {
  const admin = await signIn('acme-admin', { path: '/deals' });
  const { page } = admin;
  await page.getByRole('link', { name: 'Support dashboard' }).click();
  await page.getByRole('heading', { name: 'Support dashboard', exact: true }).waitFor();
  await page.goto(`${stack.baseUrl}/dashboards/support?${PAGE_QUERY}`);
  await page.getByText('Figures of the whole tenant').waitFor();
  const api = await dashboardAs(await stack.token('acme-admin'), 'support', PERIOD_QUERY);
  const summary = tableOf(api, 'summary').rows[0]!.values;
  expect(summary).toMatchObject({ tickets_created: 2, tickets_solved: 1 });
  await page.locator('figure[data-chart="Support dashboard: counts"] .recharts-label-list').first().waitFor();
  await expect(chartFigures(page, 'Support dashboard: counts')).resolves.toEqual(
    drawn([summary.tickets_created, summary.tickets_solved]),
  );
  await screenshot(page, 'dashboard-support');
  await expectAccessible(admin, 'support dashboard');

  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Download Support summary as CSV' }).click();
  const csv = readFileSync((await (await download).path())!, 'utf8');
  const apiCsv = await stack.api.get(
    `/api/v1/dashboards/support?${PERIOD_QUERY}&table=summary&format=csv`,
    await stack.token('acme-admin'),
  );
  expect(csv).toBe(apiCsv.text);

  await page.getByRole('link', { name: 'Tickets solved: 1, show records' }).click();
  await page.waitForURL(/\/dashboards\/support\/records\?metric=tickets_solved/);
  const record = page.getByRole('list', { name: 'Records' }).getByRole('link');
  await record.filter({ hasText: 'Dash – printer on fire' }).waitFor();
  await expect(record.getAttribute('href')).resolves.toBe(`/tickets/${ticketIds['Dash – printer on fire']}`);
  await expect(record.count()).resolves.toBe(1);
  await record.click();
  await page.getByRole('heading', { name: 'Dash – printer on fire', exact: true }).waitFor();
});

test('on a phone (390×844) the dashboard fits the screen', async () => {
  const phone = await signIn('acme-rep1', { path: `/dashboards/sales?${PAGE_QUERY}`, phone: true });
  const { page } = phone;
  await page.locator('figure[data-chart="Sales dashboard: counts"] .recharts-label-list').first().waitFor();
  const width = await page.evaluate(
    () =>
      (globalThis as unknown as { document: { documentElement: { scrollWidth: number } } }).document.documentElement
        .scrollWidth,
  );
  expect(width).toBeLessThanOrEqual(390);
  await screenshot(page, 'phone-dashboard-sales');
  await expectAccessible(phone, 'phone sales dashboard');
  await page.getByRole('link', { name: /^Deals won: 3/ }).tap();
  await page.getByRole('list', { name: 'Records' }).getByRole('link').first().waitFor();
  await screenshot(page, 'phone-dashboard-drill-down');
});
