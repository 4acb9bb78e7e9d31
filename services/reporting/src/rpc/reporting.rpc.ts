// ReportingService handlers: proto in, use case, proto out.
import type { ReportingServiceService } from '@crm/proto/crm/reporting/v1/reporting';
import type { ServiceHandlers } from '@crm/service-kit';
import {
  getDashboard,
  getRecords,
  getSettings,
  listMetrics,
  tablesShowing,
  updateSettings,
  type ReportingApp,
} from '../app/reporting-app';
import { toDashboardResponse, toSettingsProto } from './reporting.mapper';

export function reportingHandlers(app: ReportingApp): ServiceHandlers<typeof ReportingServiceService> {
  return {
    listMetrics: async (request) => ({
      metrics: listMetrics(request.dashboard).map((m) => ({
        ...m,
        dashboard: m.dashboards[0] ?? '',
        tables: tablesShowing(m.name),
      })),
    }),
    getDashboard: async (request, ctx) =>
      toDashboardResponse(
        await getDashboard(app, ctx.principal, {
          dashboard: request.dashboard,
          from: request.from,
          to: request.to,
          period: request.period,
          groupBy: request.groupBy,
          currency: request.currency,
          table: request.table,
        }),
      ),
    listRecords: async (request, ctx) => {
      const page = await getRecords(app, ctx.principal, {
        dashboard: request.dashboard,
        metric: request.metric,
        from: request.from,
        to: request.to,
        period: request.period,
        groupBy: request.groupBy,
        filter: {
          group: request.group,
          currency: request.currency || undefined,
          pipelineId: request.pipelineId || undefined,
          stageId: request.stageId || undefined,
          category: request.category || undefined,
          target: request.target || undefined,
          type: request.type || undefined,
          source: request.source,
          bucket: request.bucket || undefined,
          ruleId: request.ruleId || undefined,
        },
        limit: request.page?.limit ?? 0,
        cursor: request.page?.cursor ?? '',
      });
      return { records: page.records, page: { nextCursor: page.nextCursor } };
    },
    getReportingSettings: async (_request, ctx) => ({
      settings: toSettingsProto(await getSettings(app, ctx.principal)),
    }),
    updateReportingSettings: async (request, ctx) => ({
      settings: toSettingsProto(
        await updateSettings(app, ctx.principal, {
          timeZone: request.timeZone,
          expectedVersion: request.expectedVersion,
        }),
      ),
    }),
  };
}
