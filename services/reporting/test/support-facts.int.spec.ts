// Acceptance: a support history of 20 tickets published on the real TICKET stream as the ticket service publishes
// it; first reply and resolution in the ticket's business time, SLA attainment per target and CSAT against values
// computed in this test from the same rows; the same figures when the events come reversed and twice; drill-down;
// the visibility matrix for agent, support manager, admin and another tenant. Then tasks and workflow runs from the
// WORKFLOW stream: completed and overdue tasks, automation runs by rule on both dashboards.
import type { GetDashboardResponse, Table } from '@crm/proto/crm/reporting/v1/reporting';
import { rebuildFacts } from '../src/app/rebuild-facts';
import { FactProjector } from '../src/store/fact-projector';
import { ReportingHarness, type Caller, type PublishedEvent } from './support/reporting-harness';
import {
  expectedSupport,
  runEvents,
  supportHistory,
  taskEvents,
  ticketEvents,
  type Agent,
  type RunRow,
  type SupportPeriod,
  type TaskRow,
  type TicketRow,
} from './support/support-history';

const NOW = new Date('2025-04-10T10:00:00Z');
const MARCH = { from: '2025-03-01', to: '2025-03-31' };
/** March 2025 in New York: EST until the 9th, EDT after. */
const MARCH_NY: SupportPeriod = { fromAt: new Date('2025-03-01T05:00:00Z'), toAt: new Date('2025-04-01T04:00:00Z') };

function rowsOf(table: Table | undefined): Record<string, number | string | null>[] {
  if (!table) throw new Error('table missing');
  return table.rows.map((row) =>
    Object.fromEntries(table.columns.map((c, i) => [c.key, row.values[i]?.number ?? row.values[i]?.text ?? null])),
  );
}

function tableOf(response: GetDashboardResponse, name: string): Table | undefined {
  return response.tables.find((t) => t.name === name);
}

describe('reporting: support facts', () => {
  const live = new ReportingHarness({ now: NOW });
  let admin: Caller;
  let lead: Caller;
  let agent: Caller;
  let globex: Caller;
  let rows: TicketRow[];
  let events: PublishedEvent[];
  let agents: { agent: Agent; lead: Agent; globex: Agent };

  beforeAll(async () => {
    await live.start();
    [admin, lead, agent, globex] = await Promise.all([
      live.as('acme-admin'),
      live.as('acme-support-lead'),
      live.as('acme-agent1'),
      live.as('globex-admin'),
    ]);
    agents = {
      agent: { userId: agent.userId, teamId: 'acme-support' },
      lead: { userId: lead.userId, teamId: 'acme-support' },
      globex: { userId: globex.userId, teamId: 'globex-support' },
    };
    rows = supportHistory(agents);
    events = rows.flatMap(ticketEvents);
    await admin.reporting.updateReportingSettings({ timeZone: 'America/New_York', expectedVersion: 0 });
    await live.publish(events);
    await live.caughtUp();
  });

  afterAll(() => live.stop());

  const acme = () => rows.filter((r) => r.tenantId === 'acme');

  function support(caller: Caller, groupBy = ''): Promise<GetDashboardResponse> {
    return caller.reporting.getDashboard({
      dashboard: 'support',
      from: MARCH.from,
      to: MARCH.to,
      period: '',
      groupBy,
      currency: '',
      table: '',
    });
  }

  async function drill(caller: Caller, metric: string, extra: { group?: string; target?: string } = {}) {
    const page = await caller.reporting.listRecords({
      dashboard: 'support',
      metric,
      from: MARCH.from,
      to: MARCH.to,
      period: '',
      groupBy: extra.group !== undefined ? 'owner' : '',
      group: extra.group,
      currency: '',
      pipelineId: '',
      stageId: '',
      category: '',
      target: extra.target ?? '',
      type: '',
      bucket: '',
      ruleId: '',
      page: { limit: 200, cursor: '' },
    });
    return page.records.map((r) => r.id).sort();
  }

  function expectFigures(response: GetDashboardResponse, subset: TicketRow[]): void {
    const expected = expectedSupport(subset, MARCH_NY);
    const [summary] = rowsOf(tableOf(response, 'summary'));
    expect(summary).toMatchObject({
      tickets_created: expected.created,
      tickets_solved: expected.solved,
      csat_responses: expected.csatResponses,
    });
    expect(summary?.first_reply_time).toBeCloseTo(expected.firstReplyHours as number, 9);
    expect(summary?.resolution_time).toBeCloseTo(expected.resolutionHours as number, 9);
    expect(summary?.csat).toBeCloseTo(expected.csat as number, 12);
    const sla = Object.fromEntries(
      rowsOf(tableOf(response, 'sla')).map((r) => [
        r.target,
        { met: r.sla_met, breached: r.sla_breached, attainment: r.sla_attainment },
      ]),
    );
    expect(Object.keys(sla).sort()).toEqual(Object.keys(expected.sla).sort());
    for (const [target, e] of Object.entries(expected.sla)) {
      expect(sla[target]).toMatchObject({ met: e.met, breached: e.breached });
      expect(sla[target]?.attainment).toBeCloseTo(e.attainment as number, 12);
    }
  }

  it('computes FRT and resolution in business time, SLA attainment per target and CSAT as the rows say', async () => {
    const expected = expectedSupport(acme(), MARCH_NY);
    // The history exercises what it should: tickets outside the period, non-responses, both outcomes per target.
    expect(expected.created).toBe(20);
    expect(expected.solved).toBeLessThan(acme().filter((r) => r.solvedAt && !r.deleted && !r.mergedInto).length);
    expect(expected.csatResponses).toBeLessThan(expected.solved);
    expect(expected.sla.first_reply?.met).toBeGreaterThan(0);
    expect(expected.sla.first_reply?.breached).toBeGreaterThan(0);
    expect(expected.sla.next_reply).toEqual({ met: 2, breached: 2, attainment: 0.5 });
    const response = await support(admin);
    expect(response.timeZone).toBe('America/New_York');
    expectFigures(response, acme());
    // Business time, not the wall clock between creation and first reply.
    const replied = acme().filter((r) => r.firstReplyAt && !r.deleted && !r.mergedInto);
    const wallHours = replied.reduce((s, r) => s + ((r.firstReplyAt as Date).getTime() - r.createdAt.getTime()), 0);
    expect(rowsOf(tableOf(response, 'summary'))[0]?.first_reply_time).not.toBeCloseTo(
      wallHours / replied.length / 3_600_000,
      3,
    );
  });

  it('drills down to the tickets behind each number', async () => {
    const expected = expectedSupport(acme(), MARCH_NY);
    expect(await drill(admin, 'tickets_created')).toEqual(expected.ids.created);
    expect(await drill(admin, 'first_reply_time')).toEqual(expected.ids.firstReplied);
    expect(await drill(admin, 'resolution_time')).toEqual(expected.ids.solved);
    expect(await drill(admin, 'csat')).toEqual(expected.ids.csat);
    const breachedFirstReplies = acme()
      .filter((r) => r.slas.some((s) => s.metric === 'first_reply' && s.status.startsWith('breached')))
      .map((r) => r.id)
      .sort();
    expect(await drill(admin, 'sla_breached', { target: 'first_reply' })).toEqual(breachedFirstReplies);
    expect(await drill(admin, 'tickets_solved', { group: agent.userId })).toEqual(
      expectedSupport(
        acme().filter((r) => r.assignee.userId === agent.userId),
        MARCH_NY,
      ).ids.solved,
    );
  });

  it("shows an agent their own tickets, a support manager their group's, an admin the tenant's, another tenant none", async () => {
    expectFigures(
      await support(agent),
      acme().filter((r) => r.assignee.userId === agent.userId),
    );
    expectFigures(await support(lead), acme());
    expectFigures(
      await support(globex),
      rows.filter((r) => r.tenantId === 'globex'),
    );
    const byOwner = rowsOf(tableOf(await support(admin, 'owner'), 'summary'));
    expect(byOwner.map((r) => r.group).sort()).toEqual([agent.userId, lead.userId].sort());
    expect(
      (await drill(agent, 'tickets_created')).every((id) => rows.find((r) => r.id === id)?.assignee === agents.agent),
    ).toBe(true);
    expect(await drill(globex, 'tickets_created')).toEqual(['tk-globex']);
  });

  it('gives the same figures when the events come reversed and twice, and after a rebuild', async () => {
    const before = await support(admin);
    const replay = new ReportingHarness({ now: NOW });
    await replay.start();
    try {
      const replayAdmin = await replay.as('acme-admin');
      await replayAdmin.reporting.updateReportingSettings({ timeZone: 'America/New_York', expectedVersion: 0 });
      const reversed = [...events].reverse();
      await replay.publish(reversed);
      // A third of them again under other message ids: JetStream delivers them as new messages.
      await replay.publish(reversed.filter((_, i) => i % 3 === 0).map((e) => ({ ...e, natsMsgId: `${e.id}-again` })));
      await replay.caughtUp();
      expect((await support(replayAdmin)).tables).toEqual(before.tables);
      await rebuildFacts({
        db: replay.service.app.db,
        bus: replay.bus,
        projector: new FactProjector(replay.service.app.db),
        positions: replay.service.app.positions,
        batchSize: 50,
      });
      expect((await support(replayAdmin)).tables).toEqual(before.tables);
    } finally {
      await replay.stop();
    }
  });
});

describe('reporting: task and automation facts', () => {
  const live = new ReportingHarness({ now: NOW });
  let admin: Caller;
  let rep1: Caller;
  let rep1Owner: Agent;
  let rep3Owner: Agent;
  let tasks: TaskRow[];
  let runs: RunRow[];

  beforeAll(async () => {
    await live.start();
    [admin, rep1] = await Promise.all([live.as('acme-admin'), live.as('acme-rep1')]);
    const rep3 = await live.as('acme-rep3');
    rep1Owner = { userId: rep1.userId, teamId: 'acme-east' };
    rep3Owner = { userId: rep3.userId, teamId: 'acme-west' };
    const at = (day: number, hour = 12) => new Date(Date.UTC(2025, 2, day, hour));
    tasks = [
      // Completed in March, on time and late.
      { id: 'task-1', owner: rep1Owner, dueAt: at(5), completedAt: at(4), status: 'completed' },
      { id: 'task-2', owner: rep1Owner, dueAt: at(5), completedAt: at(9), status: 'completed' },
      { id: 'task-3', owner: rep3Owner, dueAt: at(10), completedAt: at(10), status: 'completed' },
      // Overdue at the end of March: still open, or completed only in April.
      { id: 'task-4', owner: rep1Owner, dueAt: at(20), completedAt: null, status: 'open' },
      {
        id: 'task-5',
        owner: rep3Owner,
        dueAt: at(25),
        completedAt: new Date('2025-04-03T12:00:00Z'),
        status: 'completed',
      },
      // Not overdue: due in April, or cancelled.
      { id: 'task-6', owner: rep1Owner, dueAt: new Date('2025-04-05T12:00:00Z'), completedAt: null, status: 'open' },
      { id: 'task-7', owner: rep1Owner, dueAt: at(3), completedAt: null, status: 'cancelled' },
    ];
    runs = [
      {
        id: 'run-1',
        ruleId: 'rule-a',
        ruleName: 'Welcome',
        subjectType: 'contact',
        status: 'succeeded',
        owner: rep1Owner,
        finishedAt: at(2),
      },
      {
        id: 'run-2',
        ruleId: 'rule-a',
        ruleName: 'Welcome',
        subjectType: 'contact',
        status: 'failed',
        owner: rep1Owner,
        finishedAt: at(3),
      },
      {
        id: 'run-3',
        ruleId: 'rule-a',
        ruleName: 'Welcome',
        subjectType: 'deal',
        status: 'succeeded',
        owner: rep3Owner,
        finishedAt: at(4),
      },
      {
        id: 'run-4',
        ruleId: 'rule-a',
        ruleName: 'Welcome',
        subjectType: 'deal',
        status: 'cancelled',
        owner: rep3Owner,
        finishedAt: at(5),
      },
      {
        id: 'run-5',
        ruleId: 'rule-a',
        ruleName: 'Welcome',
        subjectType: 'deal',
        status: 'running',
        owner: rep3Owner,
        finishedAt: null,
      },
      {
        id: 'run-6',
        ruleId: 'rule-b',
        ruleName: 'Escalate',
        subjectType: 'ticket',
        status: 'failed',
        owner: rep1Owner,
        finishedAt: at(6),
      },
      {
        id: 'run-7',
        ruleId: 'rule-b',
        ruleName: 'Escalate',
        subjectType: 'ticket',
        status: 'succeeded',
        owner: rep1Owner,
        finishedAt: at(7),
      },
      {
        id: 'run-8',
        ruleId: 'rule-b',
        ruleName: 'Escalate',
        subjectType: 'ticket',
        status: 'succeeded',
        owner: rep1Owner,
        finishedAt: new Date('2025-04-02T00:00:00Z'),
      },
    ];
    await live.publish([...tasks.flatMap((t) => taskEvents(t)), ...runs.flatMap((r) => runEvents(r))]);
    await live.caughtUp();
  });

  afterAll(() => live.stop());

  function dashboard(caller: Caller, name: 'sales' | 'support', groupBy = ''): Promise<GetDashboardResponse> {
    return caller.reporting.getDashboard({
      dashboard: name,
      from: MARCH.from,
      to: MARCH.to,
      period: '',
      groupBy,
      currency: '',
      table: '',
    });
  }

  it('counts tasks completed in the period and tasks overdue at its end, per owner', async () => {
    const byOwner = Object.fromEntries(
      rowsOf(tableOf(await dashboard(admin, 'sales', 'owner'), 'summary')).map((r) => [
        r.group,
        [r.tasks_completed, r.tasks_overdue],
      ]),
    );
    expect(byOwner[rep1Owner.userId]).toEqual([2, 1]);
    expect(byOwner[rep3Owner.userId]).toEqual([1, 1]);
    const [mine] = rowsOf(tableOf(await dashboard(rep1, 'sales'), 'summary'));
    expect([mine?.tasks_completed, mine?.tasks_overdue]).toEqual([2, 1]);
    // By week, overdue when each week ended: task-2 (due on the 5th, done on the 9th) no longer was on the 10th;
    // task-4 was from the 20th on, task-5 from the 25th; the last week ends with the period.
    const byWeek = Object.fromEntries(
      rowsOf(tableOf(await dashboard(admin, 'sales', 'week'), 'summary')).map((r) => [r.group, r.tasks_overdue]),
    );
    expect(byWeek).toEqual({
      '2025-W09': 0,
      '2025-W10': 0,
      '2025-W11': 0,
      '2025-W12': 1,
      '2025-W13': 2,
      '2025-W14': 2,
    });
  });

  it('counts automation runs by rule: runs about tickets on support, the others on sales', async () => {
    const sales = rowsOf(tableOf(await dashboard(admin, 'sales'), 'automation'));
    expect(sales).toEqual([
      {
        rule_id: 'rule-a',
        rule_name: 'Welcome',
        automation_runs: 4,
        automation_failures: 1,
        automation_failure_rate: 1 / 3,
      },
    ]);
    const support = rowsOf(tableOf(await dashboard(admin, 'support'), 'automation'));
    expect(support.map((r) => [r.rule_id, r.automation_runs, r.automation_failures])).toEqual([['rule-b', 2, 1]]);
    // A rep sees the runs about their own records only.
    const mine = rowsOf(tableOf(await dashboard(rep1, 'sales'), 'automation'));
    expect(mine.map((r) => [r.rule_id, r.automation_runs, r.automation_failures])).toEqual([['rule-a', 2, 1]]);
    const failed = await admin.reporting.listRecords({
      dashboard: 'sales',
      metric: 'automation_failures',
      from: MARCH.from,
      to: MARCH.to,
      period: '',
      groupBy: '',
      currency: '',
      pipelineId: '',
      stageId: '',
      category: '',
      target: '',
      type: '',
      bucket: '',
      ruleId: 'rule-a',
      page: { limit: 50, cursor: '' },
    });
    expect(failed.records.map((r) => [r.id, r.kind])).toEqual([['run-2', 'run']]);
  });
});
