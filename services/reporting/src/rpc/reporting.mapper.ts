// Domain results → proto messages.
import type {
  GetDashboardResponse,
  ReportingSettings as SettingsMessage,
  Value,
} from '@crm/proto/crm/reporting/v1/reporting';
import type { DashboardResult } from '../app/reporting-app';
import type { Cell } from '../domain/tables';
import type { ReportingSettings } from '../store/settings.repository';

function valueOf(cell: Cell): Value {
  if (cell === null) return {};
  return typeof cell === 'number' ? { number: cell } : { text: cell };
}

export function toDashboardResponse(result: DashboardResult): GetDashboardResponse {
  return {
    dashboard: result.dashboard,
    from: result.range.from,
    to: result.range.to,
    timeZone: result.timeZone,
    groupBy: result.groupBy,
    currency: result.currency,
    tables: result.tables.map((table) => ({
      name: table.name,
      title: table.title,
      columns: table.columns.map((c) => ({ key: c.key, title: c.title, unit: c.unit, metric: c.metric ?? '' })),
      rows: table.rows.map((row) => ({
        values: row.values.map(valueOf),
        filter: {
          group: row.filter.group,
          currency: row.filter.currency ?? '',
          pipelineId: row.filter.pipelineId ?? '',
          stageId: row.filter.stageId ?? '',
          category: row.filter.category ?? '',
          target: row.filter.target ?? '',
          type: row.filter.type ?? '',
          source: row.filter.source,
          bucket: row.filter.bucket ?? '',
          ruleId: row.filter.ruleId ?? '',
        },
      })),
    })),
    asOf: result.asOf.map((p) => ({ stream: p.stream, lastEventAt: p.lastEventAt })),
  };
}

export function toSettingsProto(settings: ReportingSettings): SettingsMessage {
  return { timeZone: settings.timeZone, version: settings.version, updatedAt: settings.updatedAt ?? undefined };
}
