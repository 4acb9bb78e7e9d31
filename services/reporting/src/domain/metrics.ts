// The metric catalogue: every number a dashboard shows is one of these, defined once, here. The store computes the
// counts and sums the definitions name (store/*.queries.ts); formulas.ts turns them into the metric; the API
// publishes this text at GET /api/v1/metrics. Pure.

export type Dashboard = 'sales' | 'support';

export type MetricUnit = 'ratio' | 'count' | 'days' | 'hours' | 'money_minor' | 'money_minor_per_day';

/** What the drill-down of a metric lists. */
export type RecordKind = 'deal' | 'ticket' | 'contact' | 'company' | 'activity' | 'task' | 'run';

export interface MetricDefinition {
  name: string;
  title: string;
  definition: string;
  unit: MetricUnit;
  /** The dashboards that show it. */
  dashboards: Dashboard[];
  recordKind: RecordKind;
}

/** Whose figure a record is, when grouped by owner or team (and for visibility). */
const OWNERSHIP: Record<'deal' | 'stay' | 'own', string> = {
  deal: 'A deal counts for its current owner and team.',
  stay: "A stay counts for the deal's owner and team when it entered the stage.",
  own: 'Each counts for its own owner and team.',
};
const STAY_METRICS: readonly string[] = ['stage_entries', 'stage_conversion', 'stage_exits', 'avg_time_in_stage'];

export const SALES_METRICS = [
  {
    name: 'won_deals',
    title: 'Deals won',
    definition: 'Deals won whose close date falls in the period. Deleted deals never count.',
    unit: 'count',
  },
  {
    name: 'lost_deals',
    title: 'Deals lost',
    definition: 'Deals lost whose close date falls in the period.',
    unit: 'count',
  },
  {
    name: 'win_rate',
    title: 'Win rate',
    definition:
      'won_deals ÷ (won_deals + lost_deals): the share of the deals closed in the period that were won. Empty when ' +
      'none closed.',
    unit: 'ratio',
  },
  {
    name: 'avg_sales_cycle_won',
    title: 'Average sales cycle (won)',
    definition: 'Mean of (close time − creation time), in days, over the deals won in the period.',
    unit: 'days',
  },
  {
    name: 'avg_sales_cycle_lost',
    title: 'Average sales cycle (lost)',
    definition: 'Mean of (close time − creation time), in days, over the deals lost in the period.',
    unit: 'days',
  },
  {
    name: 'open_deals',
    title: 'Open deals',
    definition:
      'Deals open at the end of the period (of each month or week when grouped by one): created before it ended ' +
      'and not closed by then.',
    unit: 'count',
  },
  {
    name: 'won_amount',
    title: 'Won amount',
    definition: 'Σ amount of the deals won in the period, per currency (amounts in different currencies never add up).',
    unit: 'money_minor',
  },
  {
    name: 'avg_won_amount',
    title: 'Average won amount',
    definition: 'won_amount ÷ won_deals of one currency, rounded to the minor unit.',
    unit: 'money_minor',
  },
  {
    name: 'weighted_pipeline',
    title: 'Weighted pipeline',
    definition:
      'Σ amount × stage probability ÷ 100 over the deals open now whose expected close date falls in the period, ' +
      "per currency, rounded to the minor unit. The probability is the stage's current one.",
    unit: 'money_minor',
  },
  {
    name: 'pipeline_velocity',
    title: 'Pipeline velocity',
    definition:
      'open_deals × avg_won_amount × win_rate ÷ avg_sales_cycle_won, each over the deals of one currency: the amount ' +
      'expected to close per day, rounded to the minor unit. Empty when a factor is empty or the cycle is zero.',
    unit: 'money_minor_per_day',
  },
  {
    name: 'forecast_amount',
    title: 'Forecast',
    definition:
      'By forecast category and expected close period, per currency: for pipeline, best_case and commit, Σ amount ' +
      'of the deals open now in stages of that category (as the stage is now) whose expected close date falls in ' +
      'the period; for closed, Σ amount of the deals won in the period, by close date. Omitted stages and lost ' +
      'deals count nowhere; open deals without an expected close date neither.',
    unit: 'money_minor',
  },
  {
    name: 'forecast_deals',
    title: 'Forecast deals',
    definition: 'The number of deals behind forecast_amount.',
    unit: 'count',
  },
  {
    name: 'stage_entries',
    title: 'Stage entries',
    definition: 'Times deals entered the stage during the period (a deal moved back and forth counts each time).',
    unit: 'count',
  },
  {
    name: 'stage_conversion',
    title: 'Stage conversion',
    definition:
      'Of the stage entries in the period, the share that left the stage forward: to a later stage of the ' +
      'pipeline (in its current order) or to a won stage. Entries still in the stage have not converted (yet).',
    unit: 'ratio',
  },
  {
    name: 'stage_exits',
    title: 'Stage exits',
    definition: 'Stays in the stage that ended during the period.',
    unit: 'count',
  },
  {
    name: 'avg_time_in_stage',
    title: 'Average time in stage',
    definition: 'Mean of (left − entered), in days, over the stays in the stage that ended during the period.',
    unit: 'days',
  },
  {
    name: 'new_leads',
    title: 'New leads',
    definition:
      'Contacts created in the period, by lead source ("" when none). Deleted contacts and merged duplicates do ' +
      'not count.',
    unit: 'count',
  },
  {
    name: 'new_companies',
    title: 'New companies',
    definition: 'Companies created in the period; deleted ones do not count.',
    unit: 'count',
  },
  {
    name: 'activities',
    title: 'Activities',
    definition: 'Activities (notes, calls, emails, meetings) that took place in the period; deleted ones do not count.',
    unit: 'count',
  },
  {
    name: 'activities_per_rep',
    title: 'Activities per rep',
    definition: 'activities ÷ the number of people who own at least one of them in the period.',
    unit: 'count',
  },
  {
    name: 'tasks_completed',
    title: 'Tasks completed',
    definition: 'Tasks completed in the period; deleted ones do not count.',
    unit: 'count',
  },
  {
    name: 'tasks_overdue',
    title: 'Tasks overdue',
    definition:
      'Tasks open past their due time at the end of the period (of each month or week when grouped by one): due ' +
      'before it ended and not completed by then. Cancelled and deleted tasks do not count.',
    unit: 'count',
  },
] as const;

/** Workflow runs, on both dashboards: runs about tickets on support, every other run on sales. */
export const AUTOMATION_METRICS = [
  {
    name: 'automation_runs',
    title: 'Automation runs',
    definition:
      'Workflow runs that ended (succeeded, failed or cancelled) in the period, by rule: on the support dashboard ' +
      'the runs about tickets, on the sales dashboard every other run.',
    unit: 'count',
  },
  {
    name: 'automation_failures',
    title: 'Automation failures',
    definition: 'Of automation_runs, those that failed (every retry spent).',
    unit: 'count',
  },
  {
    name: 'automation_failure_rate',
    title: 'Automation failure rate',
    definition: 'automation_failures ÷ (succeeded + failed runs); cancelled runs count in neither. Empty without one.',
    unit: 'ratio',
  },
] as const;

export const SUPPORT_METRICS = [
  {
    name: 'tickets_created',
    title: 'Tickets created',
    definition: 'Tickets created in the period. Deleted tickets never count.',
    unit: 'count',
  },
  {
    name: 'tickets_solved',
    title: 'Tickets solved',
    definition: 'Tickets solved in the period (their latest solve, when reopened and solved again).',
    unit: 'count',
  },
  {
    name: 'first_reply_time',
    title: 'First reply time',
    definition:
      "Mean business time, in hours, from a ticket's creation to its first public reply by an agent, over the " +
      "tickets first replied to in the period. Business time follows the ticket's own calendar (its SLA policy's " +
      'business hours and holidays), as the ticket service measured it.',
    unit: 'hours',
  },
  {
    name: 'resolution_time',
    title: 'Resolution time',
    definition:
      "Mean business time, in hours, from a ticket's creation to its solve, over the tickets solved in the period, " +
      "in the ticket's own calendar.",
    unit: 'hours',
  },
  {
    name: 'sla_met',
    title: 'SLA targets met',
    definition: 'SLA targets fulfilled before their due time, by the time they were fulfilled, in the period.',
    unit: 'count',
  },
  {
    name: 'sla_breached',
    title: 'SLA targets breached',
    definition: 'SLA targets that passed their due time unfulfilled, by the time they breached, in the period.',
    unit: 'count',
  },
  {
    name: 'sla_attainment',
    title: 'SLA attainment',
    definition: 'sla_met ÷ (sla_met + sla_breached), per target. Empty when no target was met or breached.',
    unit: 'ratio',
  },
  {
    name: 'csat_responses',
    title: 'CSAT responses',
    definition: 'Satisfaction answers (good or bad) received in the period; surveys without an answer do not count.',
    unit: 'count',
  },
  {
    name: 'csat',
    title: 'CSAT',
    definition: 'good ÷ (good + bad) over the satisfaction answers received in the period; non-responses excluded.',
    unit: 'ratio',
  },
] as const;

export type SalesMetric = (typeof SALES_METRICS)[number]['name'];
export type SupportMetric = (typeof SUPPORT_METRICS)[number]['name'];
export type AutomationMetric = (typeof AUTOMATION_METRICS)[number]['name'];
export type MetricName = SalesMetric | SupportMetric | AutomationMetric;

const RECORD_KINDS: Partial<Record<MetricName, RecordKind>> = {
  new_leads: 'contact',
  new_companies: 'company',
  activities: 'activity',
  activities_per_rep: 'activity',
  tasks_completed: 'task',
  tasks_overdue: 'task',
};

export const METRICS: readonly MetricDefinition[] = [
  ...SALES_METRICS.map((m) => {
    const recordKind = RECORD_KINDS[m.name] ?? ('deal' as const);
    const owner =
      recordKind !== 'deal' ? OWNERSHIP.own : STAY_METRICS.includes(m.name) ? OWNERSHIP.stay : OWNERSHIP.deal;
    return { ...m, definition: `${m.definition} ${owner}`, dashboards: ['sales' as const], recordKind };
  }),
  ...SUPPORT_METRICS.map((m) => ({
    ...m,
    definition: `${m.definition} A ticket counts for its current assignee and team.`,
    dashboards: ['support' as const],
    recordKind: 'ticket' as const,
  })),
  ...AUTOMATION_METRICS.map((m) => ({
    ...m,
    definition: `${m.definition} A run counts for the owner and team of the record it is about.`,
    dashboards: ['sales' as const, 'support' as const],
    recordKind: 'run' as const,
  })),
];

export function metricNamed(name: string): MetricDefinition | undefined {
  return METRICS.find((m) => m.name === name);
}

export function isMetricOf(metric: MetricDefinition, dashboard: Dashboard): boolean {
  return metric.dashboards.includes(dashboard);
}
