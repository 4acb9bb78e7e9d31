import type { CustomFieldDefinition, Principal } from '@crm/service-kit';
import { boardTotals, type ColumnTotals } from '../domain/board';
import { invalidFields } from '../domain/invalid-fields';
import type { DealPage, ListedDeal } from '../store/deal.read-model';
import type { PipelineRecord } from '../store/pipeline.records';
import { assertMaySeeDeals, type AppDeps } from './app-deps';
import { loadPipeline } from './pipelines';

export const DEFAULT_DEALS_PER_STAGE = 20;
export const MAX_DEALS_PER_STAGE = 100;

export interface BoardRequest {
  pipelineId: string;
  /** 0 means the default; negative leaves the deals out. */
  dealsPerStage: number;
  ownerId: string;
  teamId: string;
}

export interface BoardColumn extends ColumnTotals {
  deals: ListedDeal[];
  nextCursor: string;
}

export interface Board {
  pipeline: PipelineRecord;
  columns: BoardColumn[];
  definitions: CustomFieldDefinition[];
}

/**
 * Totals (sums over the read model's per-group totals) and the columns' first deals (one query, a keyset read per
 * column) are read side by side, both with the caller's visibility in the SQL. Columns are read for every stage:
 * which ones the board shows depends on the totals (an archived stage only while it holds deals).
 */
export async function getBoard(deps: AppDeps, principal: Principal, request: BoardRequest): Promise<Board> {
  assertMaySeeDeals(principal);
  const perStage = dealsPerStage(request.dealsPerStage);
  const pipeline = await loadPipeline(deps, principal, request.pipelineId);
  const narrow = { ownerId: request.ownerId, teamId: request.teamId };
  const [cells, pages, settings] = await Promise.all([
    deps.dealsView.boardCells(principal, pipeline._id, narrow),
    perStage > 0
      ? deps.dealsView.columns(
          principal,
          pipeline._id,
          pipeline.stages.map((stage) => stage.id),
          narrow,
          perStage,
        )
      : new Map<string, DealPage>(),
    deps.settings.get(principal.tenantId),
  ]);
  const totals = boardTotals(pipeline.stages, cells);
  return {
    pipeline,
    columns: totals.map((column) => ({
      ...column,
      deals: pages.get(column.stage.id)?.deals ?? [],
      nextCursor: pages.get(column.stage.id)?.nextCursor ?? '',
    })),
    definitions: settings.customFields,
  };
}

function dealsPerStage(requested: number): number {
  if (requested < 0) return 0;
  if (requested === 0) return DEFAULT_DEALS_PER_STAGE;
  if (requested > MAX_DEALS_PER_STAGE)
    throw invalidFields([{ field: 'dealsPerStage', description: `must be at most ${MAX_DEALS_PER_STAGE}` }]);
  return requested;
}
