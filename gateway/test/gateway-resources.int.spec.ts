import { decodeClaims, eventually, userToken } from '@crm/testkit';
import { GatewayStack } from './support/gateway-stack';

const stack = new GatewayStack();
let admin: string;
let manager: string;
let rep1: string;
let rep3: string;

beforeAll(async () => {
  await stack.start({ pipeline: true });
  [admin, manager, rep1, rep3] = await Promise.all([
    userToken('acme-admin'),
    userToken('acme-manager'),
    userToken('acme-rep1'),
    userToken('acme-rep3'),
  ]);
}, 90_000);
afterAll(() => stack.stop());

const unique = () => Math.random().toString(36).slice(2, 10);
interface Versioned {
  id: string;
  version: number;
}

describe('companies', () => {
  it('CRUD with ETags, its contacts and its timeline', async () => {
    const created = await stack.api.post('/api/v1/companies', rep1, {
      name: `Initech ${unique()}`,
      domain: 'https://www.initech.example/about',
      industry: 'software',
      annualRevenue: { amountMinor: 5_000_000, currency: 'USD' },
    });
    expect(created.status).toBe(201);
    const company = created.body as Versioned & { domain: string };
    expect(company.domain).toBe('initech.example');
    expect(created.headers.get('etag')).toBe(`"${company.version}"`);

    const patched = await stack.api.patch(
      `/api/v1/companies/${company.id}`,
      rep1,
      { industry: 'consulting', annualRevenue: null },
      { 'if-match': `"${company.version}"` },
    );
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ industry: 'consulting', annualRevenue: null });

    const contact = (
      await stack.api.post('/api/v1/contacts', rep1, { firstName: 'Peter', lastName: unique(), companyId: company.id })
    ).body as Versioned;
    const contacts = await stack.api.get(`/api/v1/companies/${company.id}/contacts`, rep1);
    expect((contacts.body as { data: Versioned[] }).data.map((c) => c.id)).toEqual([contact.id]);
    await stack.api.post(`/api/v1/contacts/${contact.id}/activities`, rep1, {
      type: 'note',
      body: 'Met at the conference',
    });
    const timeline = await stack.api.get(`/api/v1/companies/${company.id}/activities`, rep1);
    expect((timeline.body as { data: Array<{ body: string }> }).data.map((a) => a.body)).toEqual([
      'Met at the conference',
    ]);

    expect((await stack.api.get(`/api/v1/companies/${company.id}`, rep3)).status).toBe(404);
    const list = await stack.api.get(`/api/v1/companies?q=initech`, rep1);
    expect((list.body as { data: Versioned[] }).data.map((c) => c.id)).toContain(company.id);

    const current = (patched.body as Versioned).version;
    expect(
      (await stack.api.delete(`/api/v1/companies/${company.id}`, rep1, { 'if-match': `"${current + 5}"` })).status,
    ).toBe(412);
    expect(
      (await stack.api.delete(`/api/v1/companies/${company.id}`, rep1, { 'if-match': `"${current}"` })).status,
    ).toBe(200);
    expect((await stack.api.post(`/api/v1/companies/${company.id}/restore`, rep1)).status).toBe(200);
  });
});

describe('imports and exports', () => {
  it('imports a CSV sent as text/csv with a mapping, reports progress and row errors, and exports', async () => {
    const tag = unique();
    const csv = [
      'E-mail,Given,Family',
      `a.${tag}@example.test,Ann,${tag}`,
      `b.${tag}@example.test,Bob,${tag}`,
      'not-an-email,Bad,Row',
    ].join('\n');
    const mapping = JSON.stringify([
      { column: 'E-mail', field: 'email' },
      { column: 'Given', field: 'first_name' },
      { column: 'Family', field: 'last_name' },
    ]);
    const started = await stack.api.request(
      'POST',
      `/api/v1/imports?entity=contact&matchBy=email&mapping=${encodeURIComponent(mapping)}`,
      { token: manager, raw: csv, headers: { 'content-type': 'text/csv' } },
    );
    expect(started.status).toBe(202);
    const job = started.body as { id: string; status: string };
    expect(started.headers.get('location')).toBe(`/api/v1/imports/${job.id}`);

    const done = await eventually(
      async () => {
        const res = await stack.api.get(`/api/v1/imports/${job.id}`, manager);
        const body = res.body as {
          status: string;
          createdCount: number;
          errorCount: number;
          progress: number;
          errors: Array<{ row: number }>;
        };
        return body.status === 'completed' || body.status === 'failed' ? body : undefined;
      },
      30_000,
      250,
    );
    expect(done).toMatchObject({ status: 'completed', createdCount: 2, errorCount: 1, progress: 1 });
    expect(done.errors[0]?.row).toBe(3);
    const errors = await stack.api.get(`/api/v1/imports/${job.id}/errors`, manager);
    expect((errors.body as { data: Array<{ row: number }> }).data.map((e) => e.row)).toEqual([3]);
    expect(
      ((await stack.api.get('/api/v1/imports', manager)).body as { data: Array<{ id: string }> }).data.map((j) => j.id),
    ).toContain(job.id);

    const exported = await stack.api.get('/api/v1/exports?entity=contact&format=csv', manager);
    expect(exported.status).toBe(200);
    expect(exported.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(exported.text).toContain(`a.${tag}@example.test`);
    const ndjson = await stack.api.get('/api/v1/exports?entity=contact&format=ndjson', manager);
    expect(
      ndjson.text
        .trim()
        .split('\n')
        .every((line) => typeof JSON.parse(line) === 'object'),
    ).toBe(true);
  });

  it('takes multipart/form-data with a file part', async () => {
    const tag = unique();
    const form = new FormData();
    form.set('entity', 'company');
    form.set('matchBy', 'domain');
    form.set('file', new Blob([`name,domain\nMulti ${tag},${tag}.example\n`], { type: 'text/csv' }), 'companies.csv');
    const res = await fetch(`${stack.api.baseUrl}/api/v1/imports`, {
      method: 'POST',
      headers: { authorization: `Bearer ${admin}` },
      body: form,
    });
    expect(res.status).toBe(202);
    const job = (await res.json()) as { id: string; fileName: string; entity: string };
    expect(job).toMatchObject({ fileName: 'companies.csv', entity: 'company' });
  });

  it('refuses other media types with 415 and a missing entity with 400', async () => {
    expect(
      (
        await stack.api.request('POST', '/api/v1/imports', {
          token: manager,
          raw: '{}',
          headers: { 'content-type': 'application/json' },
        })
      ).status,
    ).toBe(415);
    const missing = await stack.api.request('POST', '/api/v1/imports', {
      token: manager,
      raw: 'a,b\n1,2',
      headers: { 'content-type': 'text/csv' },
    });
    expect(missing.status).toBe(400);
    expect((missing.body as { errors: Array<{ field: string }> }).errors.map((e) => e.field)).toContain('entity');
  });
});

describe('custom fields', () => {
  it('an admin replaces the definitions with If-Match; everyone reads them', async () => {
    const read = await stack.api.get('/api/v1/custom-fields/contact', rep1);
    expect(read.status).toBe(200);
    const etag = read.headers.get('etag') ?? '';
    const definitions = [{ key: 'budget', label: 'Budget', type: 'number', min: 0 }];
    expect(
      (
        await stack.api.request('PUT', '/api/v1/custom-fields/contact', {
          token: rep1,
          body: { definitions },
          headers: { 'if-match': etag },
        })
      ).status,
    ).toBe(403);
    const saved = await stack.api.request('PUT', '/api/v1/custom-fields/contact', {
      token: admin,
      body: { definitions },
      headers: { 'if-match': etag },
    });
    expect(saved.status).toBe(200);
    expect((saved.body as { definitions: Array<{ key: string }> }).definitions.map((d) => d.key)).toEqual(['budget']);
    expect(
      (
        await stack.api.request('PUT', '/api/v1/custom-fields/contact', {
          token: admin,
          body: { definitions },
          headers: { 'if-match': etag },
        })
      ).status,
    ).toBe(412);

    const contact = await stack.api.post('/api/v1/contacts', rep1, {
      firstName: 'Cf',
      lastName: unique(),
      customFields: { budget: -5 },
    });
    expect(contact.status).toBe(400);
    expect((contact.body as { errors: Array<{ field: string }> }).errors.map((e) => e.field)).toContain(
      'customFields.budget',
    );

    const all = await stack.api.get('/api/v1/custom-fields', rep1);
    expect((all.body as { data: Array<{ entity: string }> }).data.map((s) => s.entity)).toEqual([
      'contact',
      'company',
      'deal',
    ]);
  });
});

describe('activities and settings', () => {
  it('reads and deletes an activity by its id, with If-Match', async () => {
    const contact = (await stack.api.post('/api/v1/contacts', rep1, { firstName: 'Act', lastName: unique() }))
      .body as Versioned;
    const logged = (
      await stack.api.post(`/api/v1/contacts/${contact.id}/activities`, rep1, { type: 'note', body: 'to be removed' })
    ).body as Versioned;
    const read = await stack.api.get(`/api/v1/activities/${logged.id}`, rep1);
    expect(read.status).toBe(200);
    expect(read.headers.get('etag')).toBe(`"${logged.version}"`);
    expect((await stack.api.get(`/api/v1/activities/${logged.id}`, rep3)).status).toBe(404);
    expect((await stack.api.delete(`/api/v1/activities/${logged.id}`, rep1)).status).toBe(428);
    expect(
      (await stack.api.delete(`/api/v1/activities/${logged.id}`, rep1, { 'if-match': `"${logged.version}"` })).status,
    ).toBe(200);
    const timeline = (await stack.api.get(`/api/v1/contacts/${contact.id}/activities`, rep1)).body as {
      data: Versioned[];
    };
    expect(timeline.data.map((a) => a.id)).not.toContain(logged.id);
  });

  it('everyone reads the tenant settings; admins change them with If-Match', async () => {
    const read = await stack.api.get('/api/v1/settings', rep1);
    expect(read.status).toBe(200);
    const etag = read.headers.get('etag') ?? '';
    expect(
      (await stack.api.patch('/api/v1/settings', rep1, { defaultPhoneRegion: 'DE' }, { 'if-match': etag })).status,
    ).toBe(403);
    const changed = await stack.api.patch(
      '/api/v1/settings',
      admin,
      { defaultPhoneRegion: 'DE' },
      { 'if-match': etag },
    );
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ defaultPhoneRegion: 'DE' });
    expect(
      (await stack.api.patch('/api/v1/settings', admin, { defaultPhoneRegion: 'FR' }, { 'if-match': etag })).status,
    ).toBe(412);
    const contact = await stack.api.post('/api/v1/contacts', rep1, {
      firstName: 'Phone',
      lastName: unique(),
      phones: [{ number: '030 1234567' }],
    });
    expect((contact.body as { phones: Array<{ number: string }> }).phones[0]?.number).toBe('+49301234567');
  });
});

describe('pipelines, deals, board and forecast', () => {
  it('admins shape pipelines; others may not', async () => {
    expect((await stack.api.post('/api/v1/pipelines', rep1, { name: 'Nope' })).status).toBe(403);
    const created = await stack.api.post('/api/v1/pipelines', admin, { name: `Renewals ${unique()}` });
    expect(created.status).toBe(201);
    const pipeline = created.body as Versioned & { stages: Array<{ id: string; kind: string }> };
    const renamed = await stack.api.patch(
      `/api/v1/pipelines/${pipeline.id}`,
      admin,
      { name: 'Renewals 2' },
      { 'if-match': `"${pipeline.version}"` },
    );
    expect(renamed.status).toBe(200);
    const added = await stack.api.post(`/api/v1/pipelines/${pipeline.id}/stages`, admin, {
      stage: { name: 'Legal', kind: 'open', probability: 80 },
    });
    expect(added.status).toBe(201);
    const withStage = added.body as Versioned & { stages: Array<{ id: string; name: string }> };
    const legal = withStage.stages.find((s) => s.name === 'Legal');
    const updated = await stack.api.patch(
      `/api/v1/pipelines/${pipeline.id}/stages/${legal?.id}`,
      admin,
      { probability: 85 },
      { 'if-match': `"${withStage.version}"` },
    );
    expect(updated.status).toBe(200);
    const list = await stack.api.get('/api/v1/pipelines', rep1);
    expect((list.body as { data: Versioned[] }).data.map((p) => p.id)).toContain(pipeline.id);
  });

  it('deals: create, patch, move, close, reopen, visibility, board and forecast', async () => {
    const pipeline = (await stack.api.get('/api/v1/pipelines/default', rep1)).body as {
      id: string;
      stages: Array<{ id: string; kind: string }>;
    };
    const [firstOpen, secondOpen] = pipeline.stages.filter((s) => s.kind === 'open');
    const won = pipeline.stages.find((s) => s.kind === 'won');
    const created = await stack.api.post('/api/v1/deals', rep1, {
      title: `Big ${unique()}`,
      amount: { amountMinor: 250_000, currency: 'EUR' },
      expectedCloseDate: '2025-02-15',
    });
    expect(created.status).toBe(201);
    const deal = created.body as Versioned & { stageId: string; ownerId: string };
    expect(deal.stageId).toBe(firstOpen?.id);
    expect(deal.ownerId).toBe(decodeClaims(rep1).sub);
    expect((await stack.api.post('/api/v1/deals', rep1, { title: 'x', stageId: 'nope', version: 3 })).status).toBe(400);

    expect((await stack.api.get(`/api/v1/deals/${deal.id}`, rep3)).status).toBe(404);
    expect((await stack.api.get(`/api/v1/deals/${deal.id}`, manager)).status).toBe(200);

    const patched = await stack.api.patch(
      `/api/v1/deals/${deal.id}`,
      rep1,
      { nextStep: 'Send proposal' },
      { 'if-match': `"${deal.version}"` },
    );
    expect(patched.status).toBe(200);
    const moved = await stack.api.post(
      `/api/v1/deals/${deal.id}/move`,
      rep1,
      { stageId: secondOpen?.id, rank: 'top' },
      { 'if-match': `"${(patched.body as Versioned).version}"` },
    );
    expect(moved.status).toBe(200);
    expect(moved.body).toMatchObject({ stageId: secondOpen?.id, status: 'open' });
    const stale = await stack.api.post(
      `/api/v1/deals/${deal.id}/move`,
      rep1,
      { stageId: firstOpen?.id },
      { 'if-match': `"${deal.version}"` },
    );
    expect(stale.status).toBe(412);

    const closed = await stack.api.post(`/api/v1/deals/${deal.id}/move`, rep1, { stageId: won?.id });
    expect(closed.body).toMatchObject({ status: 'won' });
    const reopened = await stack.api.post(`/api/v1/deals/${deal.id}/reopen`, rep1, {});
    expect(reopened.status).toBe(200);
    expect(reopened.body).toMatchObject({ status: 'open', stageId: secondOpen?.id });

    const board = await stack.api.get('/api/v1/pipelines/default/board?dealsPerStage=5', rep1);
    expect(board.status).toBe(200);
    const column = (
      board.body as { columns: Array<{ stage: { id: string }; dealCount: number; deals: Versioned[] }> }
    ).columns.find((c) => c.stage.id === secondOpen?.id);
    expect(column?.deals.map((d) => d.id)).toContain(deal.id);
    const rep3Board = (await stack.api.get('/api/v1/pipelines/default/board', rep3)).body as {
      columns: Array<{ deals: Versioned[] }>;
    };
    expect(rep3Board.columns.flatMap((c) => c.deals.map((d) => d.id))).not.toContain(deal.id);

    // The forecast is a projection the pipeline service updates from its own events: eventually consistent.
    type ForecastBody = {
      groupBy: string;
      groups: Array<{ key: string }>;
      totals: Array<{ currency: string; openDealCount: number }>;
    };
    const body = await eventually(
      async () => {
        const forecast = await stack.api.get('/api/v1/forecast?from=2025-01-01&to=2025-03-31&groupBy=owner', rep1);
        expect(forecast.status).toBe(200);
        const answer = forecast.body as ForecastBody;
        return answer.totals.find((t) => t.currency === 'EUR')?.openDealCount === 1 ? answer : undefined;
      },
      15_000,
      200,
    );
    expect(body.groupBy).toBe('owner');
    expect(body.groups.map((g) => g.key)).toContain(decodeClaims(rep1).sub);
    expect((await stack.api.get('/api/v1/forecast?from=2025-03-31&to=2025-01-01', rep1)).status).toBe(400);

    const list = await stack.api.get(`/api/v1/deals?stageId=${secondOpen?.id}`, rep1);
    expect((list.body as { data: Versioned[] }).data.map((d) => d.id)).toContain(deal.id);
    const current = (reopened.body as Versioned).version;
    expect((await stack.api.delete(`/api/v1/deals/${deal.id}`, rep1, { 'if-match': `"${current}"` })).status).toBe(200);
    expect((await stack.api.post(`/api/v1/deals/${deal.id}/restore`, rep1)).status).toBe(200);
  });
});
