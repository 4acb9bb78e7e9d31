// My tasks in a real browser on the real stack with the workflow service: overdue first, completing one takes it
// off the list and completes it in the API; the same screen on a phone; an accessibility scan.
import { screenshot } from './support/artifacts';
import { seriousViolations } from './support/axe';
import { WebStack, type Session } from './support/web-stack';

jest.setTimeout(300_000);

const stack = new WebStack();
const sessions: Session[] = [];
const ids: Record<string, string> = {};
let token = '';

beforeAll(async () => {
  await stack.start({}, {});
  token = await stack.token('acme-rep1');
  const now = Date.now();
  for (const [name, dueInMs] of [
    ['Send the renewal quote', 2 * 86_400_000],
    ['Call back Zoë about pricing', -3_600_000],
  ] as const) {
    const res = await stack.api.post('/api/v1/tasks', token, {
      title: name,
      dueAt: new Date(now + dueInMs).toISOString(),
    });
    expect(res.status).toBe(201);
    ids[name] = (res.body as { id: string }).id;
  }
});

afterAll(async () => {
  await stack.stop();
});

afterEach(async () => {
  for (const session of sessions) expect(await session.problems()).toEqual([]);
});

test('a rep sees their tasks overdue first and completes one', async () => {
  const rep = await stack.signIn('acme-rep1', { path: '/deals' });
  sessions.push(rep);
  const { page } = rep;
  await page.getByRole('link', { name: 'My tasks' }).first().click();
  await page.getByRole('heading', { name: 'My tasks', exact: true }).waitFor();
  const rows = page.getByRole('list', { name: 'My tasks' }).locator('li');
  await rows.first().waitFor();
  await expect(rows.locator('.record-title').allInnerTexts()).resolves.toEqual([
    'Call back Zoë about pricing',
    'Send the renewal quote',
  ]);
  await rows
    .first()
    .getByText(/^Overdue/)
    .waitFor();
  await screenshot(page, 'my-tasks');
  await expect(seriousViolations(page)).resolves.toEqual([]);

  await page.getByRole('button', { name: 'Complete Call back Zoë about pricing' }).click();
  await page.getByText('Task completed').first().waitFor();
  await expect(rows.locator('.record-title').allInnerTexts()).resolves.toEqual(['Send the renewal quote']);
  const task = await stack.api.get(`/api/v1/tasks/${ids['Call back Zoë about pricing']}`, token);
  expect(task.body).toMatchObject({ status: 'completed' });
});

test('on a phone the tasks are one tap away in the bottom bar', async () => {
  const phone = await stack.signIn('acme-rep1', { path: '/deals', phone: true });
  sessions.push(phone);
  await phone.page.getByRole('navigation', { name: 'Main (phone)' }).getByRole('link', { name: 'My tasks' }).tap();
  const rows = phone.page.getByRole('list', { name: 'My tasks' }).locator('li');
  await rows.first().waitFor();
  await expect(rows.locator('.record-title').allInnerTexts()).resolves.toEqual(['Send the renewal quote']);
  const box = await rows.first().boundingBox();
  expect(box && box.x >= 0 && box.x + box.width <= 390).toBe(true);
  await screenshot(phone.page, 'phone-my-tasks');
  await expect(seriousViolations(phone.page)).resolves.toEqual([]);
});
