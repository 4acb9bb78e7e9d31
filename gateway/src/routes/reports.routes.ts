import type { GetDashboardResponse, RecordFilter, RecordRef, Table } from '@crm/proto/crm/reporting/v1/reporting';
import type { Request, Response } from 'express';
import { stringify } from 'csv-stringify/sync';
import { z } from 'zod';
import { ACCESS } from '../auth/access-policy';
import { callUnary } from '../grpc/unary-call';
import { defineRoute, type Route, type RouteResult } from '../http/route';
import { problems } from '../http/problem';
import { jsonOf, listBody } from '../mappers/json-of';
import {
  dashboardParams,
  dashboardQuery,
  dashboardSchema,
  metricListSchema,
  recordListSchema,
  recordsQuery,
  reportingSettingsPatchSchema,
  reportingSettingsSchema,
} from '../schemas/report.schema';
import { ok } from './common-responses';
import { required } from './route-helpers';

const TAG = 'Reports';

type Cell = number | string | null;

/** CSV when asked for by format=csv or an Accept header that prefers text/csv over JSON. */
function wantsCsv(req: Request, format: string | undefined): boolean {
  if (format) return format === 'csv';
  return req.accepts(['application/json', 'text/csv']) === 'text/csv';
}

function sendCsv(res: Response, fileName: string, header: string[], rows: Cell[][]): undefined {
  res
    .status(200)
    .set({ 'content-type': 'text/csv; charset=utf-8', 'content-disposition': `attachment; filename="${fileName}"` })
    .send(stringify([header, ...rows.map((row) => row.map((v) => (v === null ? '' : v)))]));
  return undefined;
}

function cellsOf(table: Table): Cell[][] {
  return table.rows.map((row) => row.values.map((v) => v.number ?? v.text ?? null));
}

interface DashboardJsonContext {
  dashboard: string;
  from: string;
  to: string;
  groupBy: string;
  currency: string;
}

/** The drill-down URL of one cell: the same period, grouping and currency, the metric, and the row's filter. */
function drillDownUrl(ctx: DashboardJsonContext, metric: string, filter: RecordFilter | undefined): string {
  const query = new URLSearchParams({ metric, from: ctx.from, to: ctx.to });
  if (ctx.groupBy) query.set('groupBy', ctx.groupBy);
  const currency = filter?.currency || ctx.currency;
  if (currency) query.set('currency', currency);
  if (filter?.group !== undefined) query.set('group', filter.group);
  if (filter?.source !== undefined) query.set('source', filter.source);
  for (const key of ['pipelineId', 'stageId', 'category', 'target', 'type', 'bucket', 'ruleId'] as const)
    if (filter?.[key]) query.set(key, filter[key]);
  return `/api/v1/dashboards/${ctx.dashboard}/records?${query.toString()}`;
}

function dashboardJson(response: GetDashboardResponse): unknown {
  const ctx: DashboardJsonContext = response;
  return {
    dashboard: response.dashboard,
    from: response.from,
    to: response.to,
    timeZone: response.timeZone,
    groupBy: response.groupBy || null,
    currency: response.currency || null,
    tables: response.tables.map((table) => ({
      name: table.name,
      title: table.title,
      columns: table.columns.map((c) => ({ key: c.key, title: c.title, unit: c.unit, metric: c.metric || null })),
      rows: table.rows.map((row) => ({
        values: Object.fromEntries(
          table.columns.map((c, i) => [c.key, row.values[i]?.number ?? row.values[i]?.text ?? null]),
        ),
        drillDown: Object.fromEntries(
          table.columns.filter((c) => c.metric).map((c) => [c.key, drillDownUrl(ctx, c.metric, row.filter)]),
        ),
      })),
    })),
    asOf: jsonOf(response.asOf),
  };
}

function settingsResult(settings: { version: number } | undefined): RouteResult {
  const value = required(settings, 'the settings');
  return { status: 200, body: jsonOf(value), version: value.version };
}

const csvSchema = z.string().meta({ description: 'CSV with a header row of column keys' });

/** A CSV of records holds all of them, up to this many. */
const MAX_CSV_RECORDS = 10_000;

export const reportRoutes: Route[] = [
  defineRoute({
    method: 'get',
    path: '/api/v1/metrics',
    operationId: 'listMetrics',
    summary: 'The metric catalogue: every metric with its definition and unit',
    description: 'Every number a dashboard shows is one of these, computed the same way everywhere.',
    tag: TAG,
    access: ACCESS.reportsRead,
    responses: [ok(metricListSchema, 'Every metric (there are few)')],
    handler: async ({ clients, downstream }) => {
      const response = await callUnary(downstream, clients.reporting.listMetrics.bind(clients.reporting), {
        dashboard: '',
      });
      return { status: 200, body: { data: jsonOf(response.metrics), nextCursor: null } };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/api/v1/dashboards/{dashboard}',
    operationId: 'getDashboard',
    summary: 'The sales or support dashboard for a period, optionally grouped',
    description:
      "Figures of what the caller may see: a rep or agent their own, a manager their teams', an admin (or a partner " +
      "with reports:read) the tenant's. Periods are calendar periods in the tenant's time zone. Each metric cell " +
      'links to the records behind it. With format=csv or Accept: text/csv, one table (named by table) as CSV.',
    tag: TAG,
    access: ACCESS.reportsRead,
    params: dashboardParams,
    query: dashboardQuery,
    responses: [ok(dashboardSchema, 'The dashboard', { alternatives: { 'text/csv': csvSchema } })],
    handler: async ({ params, query, clients, downstream, req, res }) => {
      const csv = wantsCsv(req, query.format);
      if (csv && !query.table)
        throw problems.badRequest('A CSV holds one table', [{ field: 'table', detail: 'is required for CSV' }]);
      const response = await callUnary(downstream, clients.reporting.getDashboard.bind(clients.reporting), {
        dashboard: params.dashboard,
        from: query.from ?? '',
        to: query.to ?? '',
        period: query.period ?? '',
        groupBy: query.groupBy ?? '',
        currency: query.currency ?? '',
        table: query.table ?? '',
      });
      if (!csv) return { status: 200, body: dashboardJson(response) };
      const table = required(response.tables[0], 'the table');
      return sendCsv(
        res,
        `${response.dashboard}-${table.name}-${response.from}-${response.to}.csv`,
        table.columns.map((c) => c.key),
        cellsOf(table),
      );
    },
  }),
  defineRoute({
    method: 'get',
    path: '/api/v1/dashboards/{dashboard}/records',
    operationId: 'listDashboardRecords',
    summary: 'The records behind one number of a dashboard (its drill-down)',
    description:
      'The ids of the deals, tickets, contacts, companies, activities, tasks or workflow runs a metric counted for one row, in id order. ' +
      "Take the URL from a dashboard row's drillDown. CSV with format=csv or Accept: text/csv.",
    tag: TAG,
    access: ACCESS.reportsRead,
    params: dashboardParams,
    query: recordsQuery,
    responses: [ok(recordListSchema, 'A page of records', { alternatives: { 'text/csv': csvSchema } })],
    handler: async ({ params, query, clients, downstream, req, res }) => {
      const page = (cursor: string, limit: number) =>
        callUnary(downstream, clients.reporting.listRecords.bind(clients.reporting), {
          dashboard: params.dashboard,
          metric: query.metric,
          from: query.from ?? '',
          to: query.to ?? '',
          period: query.period ?? '',
          groupBy: query.groupBy ?? '',
          group: query.group,
          currency: query.currency ?? '',
          pipelineId: query.pipelineId ?? '',
          stageId: query.stageId ?? '',
          category: query.category ?? '',
          target: query.target ?? '',
          type: query.type ?? '',
          source: query.source,
          bucket: query.bucket ?? '',
          ruleId: query.ruleId ?? '',
          page: { limit, cursor },
        });
      if (!wantsCsv(req, query.format)) {
        const response = await page(query.cursor ?? '', query.limit ?? 0);
        return { status: 200, body: listBody(response.records, response.page) };
      }
      // A CSV is the whole list (bounded), from the cursor given on.
      const records: RecordRef[] = [];
      let cursor = query.cursor ?? '';
      do {
        const response = await page(cursor, 200);
        records.push(...response.records);
        cursor = response.page?.nextCursor ?? '';
      } while (cursor && records.length < MAX_CSV_RECORDS);
      return sendCsv(
        res,
        `${params.dashboard}-${query.metric}-records.csv`,
        ['id', 'kind', 'outcome'],
        records.slice(0, MAX_CSV_RECORDS).map((r) => [r.id, r.kind, r.outcome]),
      );
    },
  }),
  defineRoute({
    method: 'get',
    path: '/api/v1/reporting/settings',
    operationId: 'getReportingSettings',
    summary: "The tenant's reporting settings (its time zone)",
    tag: TAG,
    access: ACCESS.reportsRead,
    responses: [ok(reportingSettingsSchema, 'The settings', { etag: true })],
    handler: async ({ clients, downstream }) =>
      settingsResult(
        (await callUnary(downstream, clients.reporting.getReportingSettings.bind(clients.reporting), {})).settings,
      ),
  }),
  defineRoute({
    method: 'patch',
    path: '/api/v1/reporting/settings',
    operationId: 'updateReportingSettings',
    summary: "Change the tenant's reporting time zone (admin)",
    description: 'Every period of every dashboard is a calendar period in this zone; figures are regrouped at once.',
    tag: TAG,
    access: ACCESS.admin,
    bodyKind: 'merge-patch',
    ifMatch: 'required',
    body: reportingSettingsPatchSchema,
    responses: [ok(reportingSettingsSchema, 'The settings', { etag: true })],
    handler: async ({ body, precondition, clients, downstream }) => {
      const expectedVersion =
        precondition.kind === 'version'
          ? precondition.version
          : required(
              (await callUnary(downstream, clients.reporting.getReportingSettings.bind(clients.reporting), {}))
                .settings,
              'the settings',
            ).version;
      const response = await callUnary(downstream, clients.reporting.updateReportingSettings.bind(clients.reporting), {
        timeZone: body.timeZone,
        expectedVersion,
      });
      return settingsResult(response.settings);
    },
  }),
];
