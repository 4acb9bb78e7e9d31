// Migrating a sales history in (issue 12 item 4): a CSV of deals through POST /api/v1/imports (entity=deal), run by
// the pipeline service's worker, owners resolved in Keycloak and companies through the contact service. Importing
// the same file twice gives one set of deals, and a deal won in 2017 counts as won in 2017.
import { connectBus, drainBus, readStreamEvents, type Bus } from '@crm/service-kit';
import { decodeClaims, eventually, infraEnv, userToken } from '@crm/testkit';
import { GatewayStack } from './support/gateway-stack';

const stack = new GatewayStack();
let bus: Bus;
let admin: string;
let manager: string;
let rep1Id: string;
let rep2Id: string;

interface Job {
  id: string;
  status: string;
  rowsTotal: number;
  rowsDone: number;
  createdCount: number;
  updatedCount: number;
  unchangedCount: number;
  errorCount: number;
  errors: Array<{ row: number; field: string; message: string }>;
}

interface DealBody {
  id: string;
  externalId: string;
  title: string;
  status: string;
  stageId: string;
  ownerId: string;
  teamId: string;
  companyId: string;
  amount: { amountMinor: number; currency: string };
  createdAt: string;
  closedAt: string | null;
  expectedCloseDate: string;
  lostReason: string;
  stageHistory: Array<{ stageId: string; enteredAt: string; leftAt: string | null }>;
}

const unique = Math.random().toString(36).slice(2, 8);

beforeAll(async () => {
  await stack.start({ pipeline: true });
  bus = await connectBus({ url: infraEnv().natsUrl, name: 'gateway-deal-imports-test', namespace: stack.namespace });
  const [rep1, rep2] = await Promise.all([userToken('acme-rep1'), userToken('acme-rep2')]);
  [admin, manager] = await Promise.all([userToken('acme-admin'), userToken('acme-manager')]);
  rep1Id = String(decodeClaims(rep1).sub);
  rep2Id = String(decodeClaims(rep2).sub);
}, 90_000);

afterAll(async () => {
  await drainBus(bus);
  await stack.stop();
});

async function company(body: Record<string, string>): Promise<string> {
  const res = await stack.api.post('/api/v1/companies', admin, body);
  expect(res.status).toBe(201);
  return (res.body as { id: string }).id;
}

async function importCsv(csv: string, token = admin): Promise<{ status: number; job: Job }> {
  const res = await stack.api.request('POST', `/api/v1/imports?entity=deal&fileName=deals-${unique}.csv`, {
    token,
    raw: csv,
    headers: { 'content-type': 'text/csv' },
  });
  return { status: res.status, job: res.body as Job };
}

async function finished(id: string): Promise<Job> {
  return eventually(
    async () => {
      const job = (await stack.api.get(`/api/v1/imports/${id}`, admin)).body as Job;
      return job.status === 'completed' || job.status === 'failed' ? job : undefined;
    },
    60_000,
    250,
  );
}

async function importedDeals(): Promise<DealBody[]> {
  const all: DealBody[] = [];
  let cursor = '';
  do {
    const page = (await stack.api.get(`/api/v1/deals?limit=200${cursor ? `&cursor=${cursor}` : ''}`, admin)).body as {
      data: DealBody[];
      nextCursor: string | null;
    };
    all.push(...page.data);
    cursor = page.nextCursor ?? '';
  } while (cursor);
  return all.filter((d) => d.externalId.startsWith(`${unique}-`));
}

describe('deal imports (entity=deal)', () => {
  let csv: string;
  let initech: string;
  let globex: string;

  beforeAll(async () => {
    initech = await company({ name: 'Initech', domain: `initech-${unique}.example`, externalId: `${unique}-C-1` });
    // Another company whose name starts alike: a name matches one company exactly, or the row is reported.
    await company({ name: `Globex ${unique} Holdings`, domain: `globex-holdings-${unique}.example` });
    globex = await company({ name: `Globex ${unique}`, domain: `globex-${unique}.example` });
    csv = [
      'External ID,Deal Name,Stage,Amount,Currency,Owner,Company,Created,Expected Close,Closed,Lost Reason',
      `${unique}-D-1,Won in 2017,Won,12500.50,USD,acme-rep1@acme.test,initech-${unique}.example,2017-01-10,,2017-06-30,`,
      `${unique}-D-2,Lost in 2018,Lost,900,EUR,acme-rep2,${unique}-C-1,2018-02-01,,2018-03-15T09:30:00+01:00,Price`,
      `${unique}-D-3,Open deal,Proposal,1000,USD,ACME-REP2,Globex ${unique},2024-05-01,2031-01-31,,`,
      `${unique}-D-4,Unknown stage,Signed,1,USD,acme-rep1,,2020-01-01,,,`,
      `${unique}-D-5,Unknown owner,Proposal,1,USD,nobody@acme.test,,2020-01-01,,,`,
      `${unique}-D-6,Unknown company,Proposal,1,USD,acme-rep1,No Such Company ${unique},2020-01-01,,,`,
      `${unique}-D-7,Another tenant's user,Proposal,1,USD,globex-rep1,,2020-01-01,,,`,
      `${unique}-D-8,Yen with cents,Qualification,7.5,JPY,acme-rep1,,2020-01-01,,,`,
      `${unique}-D-9,Won without a date,Won,5,USD,acme-rep1,,2020-01-01,,,`,
    ].join('\n');
  });

  it('creates the deals a CSV describes, with their past dates, and reports every row it cannot import', async () => {
    const { status, job } = await importCsv(csv);
    expect(status).toBe(202);
    const done = await finished(job.id);
    expect(done).toMatchObject({ status: 'completed', rowsTotal: 9, rowsDone: 9, createdCount: 3, errorCount: 6 });
    const errors = (await stack.api.get(`/api/v1/imports/${job.id}/errors`, admin)).body as {
      data: Job['errors'];
    };
    expect(errors.data.map((e) => [e.row, e.field])).toEqual([
      [4, 'stage'],
      [5, 'owner'],
      [6, 'company'],
      [7, 'owner'],
      [8, 'amount'],
      [9, 'closed'],
    ]);
    expect(errors.data[0]?.message).toContain('"Signed" is not a stage');

    const deals = await importedDeals();
    expect(deals.map((d) => d.externalId).sort()).toEqual([`${unique}-D-1`, `${unique}-D-2`, `${unique}-D-3`]);
    const byExt = Object.fromEntries(deals.map((d) => [d.externalId.slice(unique.length + 1), d]));
    expect(byExt['D-1']).toMatchObject({
      title: 'Won in 2017',
      status: 'won',
      ownerId: rep1Id,
      teamId: 'acme-east',
      companyId: initech,
      amount: { amountMinor: 1_250_050, currency: 'USD' },
      createdAt: '2017-01-10T12:00:00.000Z',
      closedAt: '2017-06-30T12:00:00.000Z',
    });
    expect(byExt['D-1']?.stageHistory).toEqual([
      { stageId: byExt['D-1']?.stageId, enteredAt: '2017-06-30T12:00:00.000Z', leftAt: null, by: expect.any(String) },
    ]);
    expect(byExt['D-2']).toMatchObject({
      status: 'lost',
      lostReason: 'Price',
      ownerId: rep2Id,
      companyId: initech,
      amount: { amountMinor: 90_000, currency: 'EUR' },
      closedAt: '2018-03-15T08:30:00.000Z',
    });
    expect(byExt['D-3']).toMatchObject({
      status: 'open',
      companyId: globex,
      expectedCloseDate: '2031-01-31',
      closedAt: null,
    });
  });

  it('counts a deal won in 2017 as won in 2017: its forecast period, its history and its events', async () => {
    const forecast = (await stack.api.get('/api/v1/forecast?from=2017-06-01&to=2017-06-30', admin)).body as {
      totals: Array<{ currency: string; closedWon: { amountMinor: number }; wonDealCount: number }>;
    };
    expect(forecast.totals.find((t) => t.currency === 'USD')).toMatchObject({
      closedWon: { amountMinor: 1_250_050 },
      wonDealCount: 1,
    });
    const deal = (await importedDeals()).find((d) => d.externalId === `${unique}-D-1`) as DealBody;
    const history = (await stack.api.get(`/api/v1/deals/${deal.id}/history`, admin)).body as {
      data: Array<{ version: number; at: string }>;
    };
    expect(history.data).toEqual([expect.objectContaining({ version: 1, at: '2017-01-10T12:00:00.000Z' })]);
    await stack.pipeline?.app.deals.drain();
    const won = (await readStreamEvents(bus, 'PIPELINE', 'deal.won')).filter((e) => e.aggregateId === deal.id);
    const created = (await readStreamEvents(bus, 'PIPELINE', 'deal.created')).filter((e) => e.aggregateId === deal.id);
    expect(won.map((e) => e.occurredAt?.toISOString())).toEqual(['2017-06-30T12:00:00.000Z']);
    expect(created.map((e) => e.occurredAt?.toISOString())).toEqual(['2017-01-10T12:00:00.000Z']);
  });

  it('creates nothing new when the same file is imported again', async () => {
    const before = await importedDeals();
    const { job } = await importCsv(csv);
    const done = await finished(job.id);
    expect(done).toMatchObject({
      status: 'completed',
      createdCount: 0,
      updatedCount: 3,
      unchangedCount: 3,
      errorCount: 6,
    });
    const after = await importedDeals();
    expect(after.map((d) => [d.id, d.externalId]).sort()).toEqual(before.map((d) => [d.id, d.externalId]).sort());
  });

  it('updates the fields a corrected file changes, and lists deal imports apart', async () => {
    const corrected = csv.replace('Won in 2017,Won,12500.50', 'Won in 2017 (corrected),Won,13000');
    const done = await finished((await importCsv(corrected)).job.id);
    expect(done).toMatchObject({ createdCount: 0, updatedCount: 3, unchangedCount: 2 });
    const deal = (await importedDeals()).find((d) => d.externalId === `${unique}-D-1`);
    expect(deal).toMatchObject({ title: 'Won in 2017 (corrected)', amount: { amountMinor: 1_300_000 }, status: 'won' });
    const jobs = (await stack.api.get('/api/v1/imports?entity=deal', admin)).body as { data: Job[] };
    expect(jobs.data.map((j) => j.id)).toContain(done.id);
  });

  it('is for admins: a manager may import contacts, not a sales history', async () => {
    const { status } = await importCsv(csv, manager);
    expect(status).toBe(403);
    // A deal import they may not see is not found to them, like one that does not exist: 404, not 403.
    const jobs = (await stack.api.get('/api/v1/imports?entity=deal', admin)).body as { data: Job[] };
    const id = jobs.data[0]?.id ?? '';
    expect((await stack.api.get(`/api/v1/imports/${id}`, admin)).status).toBe(200);
    expect((await stack.api.get(`/api/v1/imports/${id}`, manager)).status).toBe(404);
    expect((await stack.api.get(`/api/v1/imports/${id}/errors`, manager)).status).toBe(404);
  });

  it("reports products and mis-spelled stages in the job's row errors, and writes nothing of those rows", async () => {
    const done = await finished(
      (
        await importCsv(
          [
            'External ID,Deal Name,Stage,Amount,Currency,Products,Owner',
            `${unique}-P-1,With products,Proposal,100,USD,Widget x2; Gadget,acme-rep1`,
            `${unique}-P-2,Mis-spelled stage,Negotation,100,USD,,acme-rep1`,
          ].join('\n'),
        )
      ).job.id,
    );
    expect(done).toMatchObject({ status: 'completed', rowsTotal: 2, createdCount: 0, errorCount: 2 });
    const errors = (await stack.api.get(`/api/v1/imports/${done.id}/errors`, admin)).body as { data: Job['errors'] };
    expect(errors.data.map((e) => [e.row, e.field])).toEqual([
      [1, 'products'],
      [2, 'stage'],
    ]);
    expect(errors.data[1]?.message).toContain('(did you mean "Negotiation"?)');
    expect((await importedDeals()).filter((d) => d.externalId.includes('-P-'))).toEqual([]);
  });

  it('refuses a file without the columns every row needs, naming the field', async () => {
    const res = await importCsv('Deal Name,Stage\nNo id,Won\n');
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.job)).toContain('external_id');
  });
});
