import { parseDashboardChoice, parseRecordsChoice } from './dashboard-request';
import { salesTables, type SalesAggregates } from './dashboard-tables';
import { METRICS } from './metrics';
import { tablesOf, TABLES } from './tables';

const empty: SalesAggregates = {
  groups: [],
  closed: [],
  open: [],
  weighted: [],
  forecast: [],
  stages: [],
  leads: [],
  companies: [],
  activities: [],
  reps: [],
  tasksCompleted: [],
  tasksOverdue: [],
  automation: [],
};

function cells(table: { columns: { key: string }[]; rows: { values: unknown[] }[] }) {
  return table.rows.map((row) => Object.fromEntries(table.columns.map((c, i) => [c.key, row.values[i]])));
}

describe('the metric catalogue', () => {
  it('defines every metric a table shows, once', () => {
    const names = METRICS.map((m) => m.name);
    expect(new Set(names).size).toBe(names.length);
    for (const table of TABLES) for (const metric of table.metrics) expect(names).toContain(metric);
    for (const metric of METRICS) expect(metric.definition.length).toBeGreaterThan(40);
  });
});

describe('sales tables', () => {
  it('sum counts across currencies but keep money per currency', () => {
    const data: SalesAggregates = {
      ...empty,
      groups: ['u1'],
      closed: [
        {
          group: 'u1',
          currency: 'EUR',
          won: 2,
          lost: 1,
          wonAmount: 3000,
          wonCycleSeconds: 4 * 86_400,
          lostCycleSeconds: 86_400,
        },
        { group: 'u1', currency: 'USD', won: 1, lost: 0, wonAmount: 500, wonCycleSeconds: 86_400, lostCycleSeconds: 0 },
      ],
      open: [{ group: 'u1', currency: 'EUR', open: 4 }],
      weighted: [{ group: 'u1', currency: 'EUR', amountTimesProbability: 1234 * 50 }],
      tasksCompleted: [{ group: 'u1', tasks: 2 }],
      tasksOverdue: [{ group: 'u1', tasks: 1 }],
    };
    const [summary, revenue] = salesTables(tablesOf('sales').slice(0, 2), 'owner', data);
    expect(cells(summary!)).toEqual([
      {
        group: 'u1',
        won_deals: 3,
        lost_deals: 1,
        win_rate: 0.75,
        avg_sales_cycle_won: 5 / 3,
        avg_sales_cycle_lost: 1,
        open_deals: 4,
        new_leads: 0,
        new_companies: 0,
        activities: 0,
        activities_per_rep: null,
        tasks_completed: 2,
        tasks_overdue: 1,
      },
    ]);
    expect(cells(revenue!)).toEqual([
      {
        group: 'u1',
        currency: 'EUR',
        won_deals: 2,
        won_amount: 3000,
        avg_won_amount: 1500,
        win_rate: 2 / 3,
        avg_sales_cycle_won: 2,
        open_deals: 4,
        weighted_pipeline: 617,
        pipeline_velocity: 2000,
      },
      {
        group: 'u1',
        currency: 'USD',
        won_deals: 1,
        won_amount: 500,
        avg_won_amount: 500,
        win_rate: 1,
        avg_sales_cycle_won: 1,
        open_deals: 0,
        weighted_pipeline: 0,
        pipeline_velocity: 0,
      },
    ]);
    expect(revenue!.rows[0]?.filter).toEqual({ group: 'u1', currency: 'EUR' });
  });

  it('let the group replace the dimension it repeats, and put the forecast in category order', () => {
    const data: SalesAggregates = {
      ...empty,
      forecast: [
        { group: '2025-02', bucket: '2025-02', category: 'pipeline', currency: 'EUR', amount: 10, deals: 1 },
        { group: '2025-02', bucket: '2025-02', category: 'closed', currency: 'EUR', amount: 30, deals: 2 },
        { group: '2025-01', bucket: '2025-01', category: 'commit', currency: 'EUR', amount: 20, deals: 1 },
      ],
    };
    const [forecast] = salesTables(
      tablesOf('sales').filter((t) => t.name === 'forecast'),
      'month',
      data,
    );
    expect(forecast!.columns.map((c) => c.key)).toEqual([
      'group',
      'category',
      'currency',
      'forecast_amount',
      'forecast_deals',
    ]);
    expect(cells(forecast!).map((r) => [r.group, r.category])).toEqual([
      ['2025-01', 'commit'],
      ['2025-02', 'closed'],
      ['2025-02', 'pipeline'],
    ]);
    const [ungrouped] = salesTables(
      tablesOf('sales').filter((t) => t.name === 'forecast'),
      null,
      data,
    );
    expect(ungrouped!.columns[0]?.key).toBe('period');
    expect(ungrouped!.rows[0]?.filter).toEqual({ bucket: '2025-01', category: 'commit', currency: 'EUR' });
  });

  it('count automation runs by rule, the failure rate over runs that succeeded or failed', () => {
    const data: SalesAggregates = {
      ...empty,
      automation: [
        { group: 'u1', ruleId: 'r2', ruleName: 'Welcome', succeeded: 3, failed: 1, cancelled: 2 },
        { group: 'u1', ruleId: 'r1', ruleName: 'Alert', succeeded: 0, failed: 0, cancelled: 1 },
      ],
    };
    const [automation] = salesTables(
      tablesOf('sales').filter((t) => t.name === 'automation'),
      'owner',
      data,
    );
    expect(cells(automation!)).toEqual([
      {
        group: 'u1',
        rule_id: 'r1',
        rule_name: 'Alert',
        automation_runs: 1,
        automation_failures: 0,
        automation_failure_rate: null,
      },
      {
        group: 'u1',
        rule_id: 'r2',
        rule_name: 'Welcome',
        automation_runs: 6,
        automation_failures: 1,
        automation_failure_rate: 0.25,
      },
    ]);
    expect(automation!.rows[1]?.filter).toEqual({ group: 'u1', ruleId: 'r2' });
  });
});

describe('dashboard requests', () => {
  it('name the field that is wrong', () => {
    const violations = (run: () => unknown) => {
      try {
        run();
        return [];
      } catch (error) {
        return (error as { violations: { field: string }[] }).violations.map((v) => v.field);
      }
    };
    expect(
      violations(() => parseDashboardChoice({ dashboard: 'sales', groupBy: 'region', currency: 'eur', table: 'x' })),
    ).toEqual(['group_by', 'currency', 'table']);
    expect(
      violations(() => parseDashboardChoice({ dashboard: 'support', groupBy: 'pipeline', currency: '', table: '' })),
    ).toEqual(['group_by']);
    expect(
      violations(() => parseDashboardChoice({ dashboard: 'finance', groupBy: '', currency: '', table: '' })),
    ).toEqual(['dashboard']);
    expect(
      violations(() =>
        parseRecordsChoice({ dashboard: 'sales', metric: 'csat', groupBy: '', currency: '', group: 'u1' }),
      ),
    ).toEqual(['metric', 'group']);
    expect(parseDashboardChoice({ dashboard: 'sales', groupBy: 'week', currency: 'EUR', table: 'stages' })).toEqual({
      dashboard: 'sales',
      groupBy: 'week',
      currency: 'EUR',
      table: 'stages',
    });
  });
});
