// The reports API through the gateway, on the real contact, pipeline and reporting services: records created through
// the API show up in the dashboards (the services' real events), drill-down, CSV, bad input, access.
import { clientToken, decodeClaims, eventually, userToken } from '@crm/testkit';
import { GatewayStack } from './support/gateway-stack';

const stack = new GatewayStack();
let admin: string;
let rep1: string;
let rep3: string;

beforeAll(async () => {
  await stack.start({ pipeline: true, reporting: true });
  [admin, rep1, rep3] = await Promise.all([userToken('acme-admin'), userToken('acme-rep1'), userToken('acme-rep3')]);
}, 120_000);
afterAll(() => stack.stop());

interface DashboardBody {
  from: string;
  to: string;
  timeZone: string;
  tables: Array<{
    name: string;
    columns: Array<{ key: string; metric: string | null }>;
    rows: Array<{ values: Record<string, number | string | null>; drillDown: Record<string, string> }>;
  }>;
}

const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
/** Yesterday to tomorrow (UTC, the default zone): today's records, whatever the hour. */
const around = () => `from=${day(-1)}&to=${day(1)}`;

describe('reports', () => {
  it('publishes the metric catalogue', async () => {
    const res = await stack.api.get('/api/v1/metrics', rep1);
    expect(res.status).toBe(200);
    const metrics = (res.body as { data: Array<{ name: string; definition: string; unit: string; tables: string[] }> })
      .data;
    expect(metrics.find((m) => m.name === 'win_rate')).toMatchObject({ unit: 'ratio', tables: ['summary', 'revenue'] });
    expect(metrics.find((m) => m.name === 'csat')?.definition).toMatch(/non-responses excluded/);
  });

  it('shows records created through the API in the dashboard, with drill-down and CSV', async () => {
    const source = `webinar-${Math.random().toString(36).slice(2, 8)}`;
    const contact = await stack.api.post('/api/v1/contacts', rep1, {
      firstName: 'Grace',
      lastName: 'Hopper',
      leadSource: source,
    });
    expect(contact.status).toBe(201);
    const pipeline = (await stack.api.get('/api/v1/pipelines/default', rep1)).body as {
      stages: Array<{ id: string; kind: string }>;
    };
    const won = pipeline.stages.find((s) => s.kind === 'won');
    const deal = await stack.api.post('/api/v1/deals', rep1, {
      title: 'Compiler licences',
      amount: { amountMinor: 420_000, currency: 'EUR' },
      contactId: (contact.body as { id: string }).id,
    });
    expect(deal.status).toBe(201);
    const dealId = (deal.body as { id: string }).id;
    expect((await stack.api.post(`/api/v1/deals/${dealId}/move`, rep1, { stageId: won?.id })).status).toBe(200);

    const dashboard = await eventually(async () => {
      const res = await stack.api.get(`/api/v1/dashboards/sales?${around()}&groupBy=source`, rep1);
      expect(res.status).toBe(200);
      const body = res.body as DashboardBody;
      const row = body.tables.find((t) => t.name === 'summary')?.rows.find((r) => r.values.group === source);
      return row?.values.won_deals === 1 && row.values.new_leads === 1 ? body : undefined;
    }, 30_000);
    expect(dashboard.timeZone).toBe('UTC');
    const revenue = dashboard.tables.find((t) => t.name === 'revenue')?.rows.find((r) => r.values.group === source);
    expect(revenue?.values).toMatchObject({ currency: 'EUR', won_amount: 420_000, win_rate: 1 });

    const drill = await stack.api.get(revenue?.drillDown.won_amount ?? '', rep1);
    expect(drill.status).toBe(200);
    expect((drill.body as { data: Array<{ id: string; kind: string }> }).data).toEqual([
      { id: dealId, kind: 'deal', outcome: 'won' },
    ]);
    // rep3 may not see rep1's deal: the same drill-down is empty for them.
    expect(((await stack.api.get(revenue?.drillDown.won_amount ?? '', rep3)).body as { data: unknown[] }).data).toEqual(
      [],
    );

    const csv = await stack.api.get(
      `/api/v1/dashboards/sales?${around()}&groupBy=source&table=summary&format=csv`,
      rep1,
    );
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    const [header, ...lines] = csv.text.trim().split('\n');
    expect(header?.split(',').slice(0, 3)).toEqual(['group', 'won_deals', 'lost_deals']);
    expect(lines.find((l) => l.startsWith(`${source},`))?.split(',')[1]).toBe('1');
    const accepted = await stack.api.get(`/api/v1/dashboards/sales?${around()}&table=revenue`, rep1, {
      accept: 'text/csv',
    });
    expect(accepted.text.split('\n')[0]).toBe(
      'currency,won_deals,won_amount,avg_won_amount,win_rate,avg_sales_cycle_won,open_deals,weighted_pipeline,pipeline_velocity',
    );
    const recordsCsv = await stack.api.get(`${revenue?.drillDown.won_amount}&format=csv`, rep1);
    expect(recordsCsv.text.trim().split('\n')).toEqual(['id,kind,outcome', `${dealId},deal,won`]);
  });

  it('answers bad input with problem+json naming the field', async () => {
    const fieldsOf = async (query: string, path = '/api/v1/dashboards/sales') => {
      const res = await stack.api.get(`${path}?${query}`, rep1);
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      return (res.body as { errors: Array<{ field: string }> }).errors.map((e) => e.field);
    };
    expect(await fieldsOf('groupBy=region')).toEqual(['groupBy']);
    expect(await fieldsOf('from=2025-03-01&to=2025-01-01')).toEqual(['from']);
    expect(await fieldsOf('from=2019-01-01&to=2025-01-01')).toEqual(['to']);
    expect(await fieldsOf('period=fortnight')).toEqual(['period']);
    expect(await fieldsOf('format=csv')).toEqual(['table']);
    expect(await fieldsOf('table=nope')).toEqual(['table']);
    expect(await fieldsOf('groupBy=pipeline', '/api/v1/dashboards/support')).toEqual(['groupBy']);
    expect(await fieldsOf('metric=profit', '/api/v1/dashboards/sales/records')).toEqual(['metric']);
    expect((await stack.api.get('/api/v1/dashboards/finance', rep1)).status).toBe(400);
  });

  it('keeps the time zone per tenant, changed by admins with If-Match', async () => {
    const current = await stack.api.get('/api/v1/reporting/settings', rep1);
    expect(current.status).toBe(200);
    const etag = current.headers.get('etag') ?? '';
    expect(
      (await stack.api.patch('/api/v1/reporting/settings', rep1, { timeZone: 'Europe/Paris' }, { 'if-match': etag }))
        .status,
    ).toBe(403);
    const bad = await stack.api.patch(
      '/api/v1/reporting/settings',
      admin,
      { timeZone: 'Mars/Base' },
      { 'if-match': etag },
    );
    expect((bad.body as { errors: Array<{ field: string }> }).errors.map((e) => e.field)).toEqual(['timeZone']);
    const changed = await stack.api.patch(
      '/api/v1/reporting/settings',
      admin,
      { timeZone: 'Asia/Tokyo' },
      { 'if-match': etag },
    );
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ timeZone: 'Asia/Tokyo', version: 1 });
    const stale = await stack.api.patch('/api/v1/reporting/settings', admin, { timeZone: 'UTC' }, { 'if-match': etag });
    expect(stale.status).toBe(412);
    const dashboard = (await stack.api.get('/api/v1/dashboards/sales?period=this_month', rep1)).body as DashboardBody;
    expect(dashboard.timeZone).toBe('Asia/Tokyo');
    // Tokyo's today, whatever UTC says.
    expect(dashboard.from).toBe(`${new Date(Date.now() + 9 * 3_600_000).toISOString().slice(0, 7)}-01`);
    const reset = await stack.api.patch(
      '/api/v1/reporting/settings',
      admin,
      { timeZone: 'UTC' },
      { 'if-match': '"1"' },
    );
    expect(reset.status).toBe(200);
  });

  it('lets partners in only with reports:read', async () => {
    const partner = await clientToken('acme-partner');
    expect(String(decodeClaims(partner).scope)).not.toContain('reports:read');
    const res = await stack.api.get('/api/v1/dashboards/sales', partner);
    expect(res.status).toBe(403);
    expect((await stack.api.get('/api/v1/metrics', partner)).status).toBe(403);
  });
});
