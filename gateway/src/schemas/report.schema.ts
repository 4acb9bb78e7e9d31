import { z } from 'zod';
import { calendarDate, listOf, nullableTimestamp, pageQuery } from './common.schema';

export const dashboards = ['sales', 'support'] as const;
export const groupBys = ['owner', 'team', 'pipeline', 'source', 'month', 'week'] as const;

export const dashboardParams = z.strictObject({
  dashboard: z.enum(dashboards).meta({ description: 'sales or support' }),
});

const periodQuery = {
  from: calendarDate.optional().meta({ description: "First day, in the tenant's time zone (inclusive)." }),
  to: calendarDate.optional().meta({ description: 'Last day (inclusive); at most 5 years after from.' }),
  period: z
    .string()
    .max(20)
    .optional()
    .meta({
      description:
        'Instead of from and to: 2025, 2025-Q1, 2025-03, 2025-W07, this_week, last_week, this_month, last_month, ' +
        'this_quarter, last_quarter, this_year or last_year. Neither: the current month.',
    }),
  groupBy: z
    .enum(groupBys)
    .optional()
    .meta({ description: 'One row per owner, team, pipeline, source, month or week (support: no pipeline).' }),
  currency: z
    .string()
    .regex(/^[A-Z]{3}$/)
    .optional()
    .meta({ description: 'Only records in this currency; without it, money is per currency, never summed across.' }),
  format: z.enum(['json', 'csv']).optional().meta({ description: 'csv: one table as CSV (or send Accept: text/csv).' }),
};

export const dashboardQuery = z.strictObject({
  ...periodQuery,
  table: z.string().max(40).optional().meta({
    description:
      'Only this table (summary, revenue, forecast, stages, leads, activities; support: summary, sla). Required for CSV.',
  }),
});

export const recordsQuery = z.strictObject({
  ...periodQuery,
  metric: z.string().min(1).max(60).meta({ description: 'The metric whose records to list, e.g. win_rate.' }),
  group: z
    .string()
    .max(200)
    .optional()
    .meta({ description: 'The groupBy value of the row (empty: records without one).' }),
  pipelineId: z.string().max(128).optional(),
  stageId: z.string().max(128).optional(),
  category: z.enum(['pipeline', 'best_case', 'commit', 'closed']).optional(),
  target: z.string().max(40).optional().meta({ description: 'SLA target, e.g. first_reply.' }),
  type: z.string().max(40).optional().meta({ description: 'Activity type.' }),
  source: z.string().max(200).optional().meta({ description: 'Lead source or ticket channel (empty: none).' }),
  bucket: z.string().max(10).optional().meta({ description: "A forecast row's expected close month or week." }),
  ruleId: z.string().max(128).optional().meta({ description: 'A workflow rule (automation rows).' }),
  ...pageQuery,
});

export const metricSchema = z
  .object({
    name: z.string(),
    title: z.string(),
    definition: z.string(),
    unit: z.string().meta({ description: 'ratio | count | days | hours | money_minor | money_minor_per_day' }),
    dashboard: z.string().meta({ description: 'The first dashboard that shows it (sales or support).' }),
    dashboards: z.array(z.string()).meta({ description: 'Every dashboard that shows it.' }),
    recordKind: z
      .string()
      .meta({ description: 'What the drill-down lists: deal, ticket, contact, company, activity, task, run.' }),
    tables: z.array(z.string()),
  })
  .meta({ id: 'Metric' });

export const metricListSchema = z
  .object({ data: z.array(metricSchema), nextCursor: z.null() })
  .meta({ id: 'MetricList' });

const cell = z.union([z.number(), z.string(), z.null()]);

export const dashboardTableSchema = z
  .object({
    name: z.string(),
    title: z.string(),
    columns: z.array(
      z.object({
        key: z.string(),
        title: z.string(),
        unit: z.string(),
        metric: z.string().nullable().meta({ description: 'The metric shown; null for dimension columns.' }),
      }),
    ),
    rows: z.array(
      z.object({
        values: z.record(z.string(), cell).meta({ description: 'By column key; null where a metric is undefined.' }),
        drillDown: z
          .record(z.string(), z.string())
          .meta({ description: 'By metric column: the URL listing the records behind the number.' }),
      }),
    ),
  })
  .meta({ id: 'DashboardTable' });

export const dashboardSchema = z
  .object({
    dashboard: z.string(),
    from: z.string(),
    to: z.string(),
    timeZone: z.string(),
    groupBy: z.string().nullable(),
    currency: z.string().nullable(),
    tables: z.array(dashboardTableSchema),
    asOf: z
      .array(z.object({ stream: z.string(), lastEventAt: nullableTimestamp }))
      .meta({ description: 'Newest event the figures include, per stream.' }),
  })
  .meta({ id: 'Dashboard' });

export const recordRefSchema = z
  .object({
    id: z.string(),
    kind: z.string(),
    outcome: z.string().meta({ description: 'What it contributes, e.g. won, lost, converted, met, breached, good.' }),
  })
  .meta({ id: 'RecordRef' });

export const recordListSchema = listOf(recordRefSchema, 'RecordRefList');

export const reportingSettingsSchema = z
  .object({
    timeZone: z.string().meta({ description: "IANA zone of the tenant's calendar periods, e.g. Europe/Berlin." }),
    version: z.number().int(),
    updatedAt: nullableTimestamp,
  })
  .meta({ id: 'ReportingSettings' });

export const reportingSettingsPatchSchema = z
  .strictObject({ timeZone: z.string().min(1).max(64) })
  .meta({ id: 'ReportingSettingsPatch' });
