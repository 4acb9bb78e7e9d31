// The support dashboard on the real ticket service's events (issue 12: "its ticket metrics are tested once the ticket
// service lands"): tickets created and solved through the API are counted, drilled down to, and none of the ticket
// service's real events is dead-lettered by the reporting decoder (the shape check a hand-encoded test cannot make).
import { connectBus, drainBus, listDeadLetters, type Bus } from '@crm/service-kit';
import { eventually, infraEnv, userToken } from '@crm/testkit';
import { GatewayStack } from './support/gateway-stack';

const stack = new GatewayStack();
let bus: Bus;
let agent: string;
let admin: string;

beforeAll(async () => {
  await stack.start({ ticket: true, reporting: true });
  bus = await connectBus({ url: infraEnv().natsUrl, name: 'gateway-reports-support-test', namespace: stack.namespace });
  [agent, admin] = await Promise.all([userToken('acme-agent1'), userToken('acme-admin')]);
}, 120_000);

afterAll(async () => {
  await drainBus(bus);
  await stack.stop();
}, 60_000);

interface DashboardBody {
  tables: Array<{
    name: string;
    rows: Array<{ values: Record<string, number | string | null>; drillDown: Record<string, string> }>;
  }>;
}

const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);

async function ticket(subject: string): Promise<string> {
  const res = await stack.api.post(
    '/api/v1/tickets',
    agent,
    { subject, requesterEmail: 'reporting-support@example.test' },
    { 'idempotency-key': crypto.randomUUID() },
  );
  expect(res.status).toBe(201);
  return (res.body as { id: string }).id;
}

describe('the support dashboard on the ticket service', () => {
  it('counts the tickets created and solved through the API and drills down to them', async () => {
    const [solved, open] = [await ticket('Printer on fire'), await ticket('Still waiting')];
    const answer = await stack.api.patch(`/api/v1/tickets/${solved}`, agent, { status: 'solved' }, { 'if-match': '*' });
    expect(answer.status).toBe(200);

    const summary = await eventually(async () => {
      const res = await stack.api.get(`/api/v1/dashboards/support?from=${day(-1)}&to=${day(1)}`, admin);
      expect(res.status).toBe(200);
      const row = (res.body as DashboardBody).tables.find((t) => t.name === 'summary')?.rows[0];
      return row?.values.tickets_created === 2 && row.values.tickets_solved === 1 ? row : undefined;
    }, 30_000);
    const created = (await stack.api.get(summary.drillDown.tickets_created ?? '', admin)).body as {
      data: Array<{ id: string }>;
    };
    expect(created.data.map((t) => t.id).sort()).toEqual([solved, open].sort());
    const done = (await stack.api.get(summary.drillDown.tickets_solved ?? '', admin)).body as {
      data: Array<{ id: string }>;
    };
    expect(done.data.map((t) => t.id)).toEqual([solved]);
  });

  it('decodes every event the ticket service published: nothing dead-lettered', async () => {
    await eventually(async () => {
      const lag = (await stack.reporting?.lag.read())?.TICKET;
      return typeof lag === 'object' && lag.pending === 0 ? true : undefined;
    }, 30_000);
    expect(await listDeadLetters(bus, 'reporting-ticket')).toEqual([]);
  });
});
