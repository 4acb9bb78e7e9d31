// Acceptance (issue 12): a sales history migrated in through POST /api/v1/imports (entity=deal) on the real pipeline
// service reaches the reporting service's dashboards through the PIPELINE stream: deals won and lost years ago count
// in their own months, with their own sales cycles; importing the same file again changes no figure; none of the
// pipeline's real events is dead-lettered by the reporting decoder.
import { connectBus, drainBus, listDeadLetters, type Bus } from '@crm/service-kit';
import { eventually, infraEnv, userToken } from '@crm/testkit';
import { GatewayStack } from './support/gateway-stack';

const stack = new GatewayStack();
let bus: Bus;
let admin: string;

const unique = Math.random().toString(36).slice(2, 8);

// Dates without a time are kept at noon UTC; the tenant's zone is UTC (the default).
const CSV = [
  'External ID,Deal Name,Stage,Amount,Currency,Owner,Created,Expected Close,Closed,Lost Reason',
  `${unique}-1,Won in June 2017,Won,12500.50,USD,acme-rep1,2017-01-10,,2017-06-30,`,
  `${unique}-2,Won in June 2017 too,Won,2000,USD,acme-rep2,2017-05-31,,2017-06-10,`,
  `${unique}-3,Lost in June 2017,Lost,900,USD,acme-rep1,2017-03-01,,2017-06-15,Price`,
  `${unique}-4,Won in November 2017,Won,3000,USD,acme-rep2,2017-10-01,,2017-11-20,`,
  `${unique}-5,Won in June 2017 in euros,Won,700,EUR,acme-rep1,2017-06-01,,2017-06-21,`,
  `${unique}-6,Still open,Proposal,1000,USD,acme-rep1,2017-02-01,2031-01-31,,`,
].join('\n');

interface Job {
  id: string;
  status: string;
  createdCount: number;
  errorCount: number;
}

interface DashboardBody {
  tables: Array<{
    name: string;
    rows: Array<{ values: Record<string, number | string | null>; drillDown: Record<string, string> }>;
  }>;
}

beforeAll(async () => {
  await stack.start({ pipeline: true, reporting: true });
  bus = await connectBus({ url: infraEnv().natsUrl, name: 'gateway-reports-import-test', namespace: stack.namespace });
  admin = await userToken('acme-admin');
}, 120_000);

afterAll(async () => {
  await drainBus(bus);
  await stack.stop();
});

async function importCsv(): Promise<Job> {
  const res = await stack.api.request('POST', `/api/v1/imports?entity=deal&fileName=history-${unique}.csv`, {
    token: admin,
    raw: CSV,
    headers: { 'content-type': 'text/csv' },
  });
  expect(res.status).toBe(202);
  const id = (res.body as Job).id;
  return eventually(
    async () => {
      const job = (await stack.api.get(`/api/v1/imports/${id}`, admin)).body as Job;
      return job.status === 'completed' || job.status === 'failed' ? job : undefined;
    },
    60_000,
    250,
  );
}

const year2017 = 'from=2017-01-01&to=2017-12-31&groupBy=month';

async function dashboard(query: string): Promise<DashboardBody> {
  const res = await stack.api.get(`/api/v1/dashboards/sales?${query}`, admin);
  expect(res.status).toBe(200);
  return res.body as DashboardBody;
}

function rowOf(body: DashboardBody, table: string, match: Record<string, string>) {
  return body.tables
    .find((t) => t.name === table)
    ?.rows.find((r) => Object.entries(match).every(([key, value]) => r.values[key] === value));
}

/** Waits for every event the pipeline published to be in the facts. */
async function caughtUp(): Promise<void> {
  await stack.pipeline?.app.deals.drain();
  await eventually(async () => {
    const lag = (await stack.reporting?.lag.read())?.PIPELINE;
    return typeof lag === 'object' && lag.pending === 0 ? true : undefined;
  }, 60_000);
}

/** The figures of 2017 once every imported deal is in the facts (five closed, one open). */
async function settled2017(): Promise<DashboardBody> {
  return eventually(async () => {
    const body = await dashboard(year2017);
    const june = rowOf(body, 'summary', { group: '2017-06' });
    const november = rowOf(body, 'summary', { group: '2017-11' });
    return june?.values.won_deals === 3 && june.values.lost_deals === 1 && november?.values.won_deals === 1
      ? body
      : undefined;
  }, 60_000);
}

describe('a sales history imported through the API, in the dashboards', () => {
  let first: DashboardBody;

  it('counts deals won and lost years ago in their own months, with their own cycles', async () => {
    const job = await importCsv();
    expect(job).toMatchObject({ status: 'completed', createdCount: 6, errorCount: 0 });
    first = await settled2017();

    for (const month of ['2017-01', '2017-02', '2017-03', '2017-04', '2017-05', '2017-07', '2017-08', '2017-12'])
      expect(rowOf(first, 'summary', { group: month })?.values).toMatchObject({ won_deals: 0, lost_deals: 0 });

    // Currencies are never summed: June's USD and EUR wins are separate rows.
    const juneUsd = rowOf(first, 'revenue', { group: '2017-06', currency: 'USD' });
    expect(juneUsd?.values).toMatchObject({ won_deals: 2, won_amount: 1_250_050 + 200_000, win_rate: 2 / 3 });
    // Cycles from the deals' own created dates: 171 and 10 days (closed − created, noon to noon).
    expect(juneUsd?.values.avg_sales_cycle_won).toBeCloseTo((171 + 10) / 2, 6);
    expect(rowOf(first, 'revenue', { group: '2017-06', currency: 'EUR' })?.values).toMatchObject({
      won_deals: 1,
      won_amount: 70_000,
    });
    expect(rowOf(first, 'revenue', { group: '2017-11', currency: 'USD' })?.values).toMatchObject({
      won_deals: 1,
      won_amount: 300_000,
      avg_sales_cycle_won: 50,
    });

    // The drill-down names the imported deals behind June's USD wins.
    const drill = await stack.api.get(juneUsd?.drillDown.won_amount ?? '', admin);
    expect(drill.status).toBe(200);
    const deals = (await stack.api.get('/api/v1/deals?limit=200', admin)).body as {
      data: Array<{ id: string; externalId: string }>;
    };
    const idOf = (n: number) => deals.data.find((d) => d.externalId === `${unique}-${n}`)?.id;
    expect((drill.body as { data: Array<{ id: string }> }).data.map((d) => d.id).sort()).toEqual(
      [idOf(1), idOf(2)].sort(),
    );
  });

  it('gives the same figures when the same file is imported again', async () => {
    const job = await importCsv();
    expect(job).toMatchObject({ status: 'completed', createdCount: 0, errorCount: 0 });
    await caughtUp();
    // The figures, not asOf: that says how far each stream has been read, which the second import's reads move on.
    const again = await dashboard(year2017);
    expect({ ...again, asOf: undefined }).toEqual({ ...first, asOf: undefined });
  });

  it('decodes every event the pipeline published: nothing dead-lettered', async () => {
    await caughtUp();
    expect(await listDeadLetters(bus, 'reporting-pipeline')).toEqual([]);
  });
});
