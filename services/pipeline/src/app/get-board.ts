import type { CustomFieldDefinition, Principal } from '@crm/service-kit';
import { boardTotals, type ColumnTotals } from '../domain/board';
import { invalidFields } from '../domain/invalid-fields';
import type { DealDocument } from '../store/deal.schema';
import type { PipelineDocument } from '../store/pipeline.repository';
import { visibilityPredicate } from '../store/scope-matcher';
import { firstPageOfColumn } from './column-page';
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
  deals: DealDocument[];
  nextCursor: string;
}

export interface Board {
  pipeline: PipelineDocument;
  columns: BoardColumn[];
  definitions: CustomFieldDefinition[];
}

/**
 * Totals come from the board projection (one document read by id, filtered in memory by the caller's visibility),
 * the deals from each column's head (app/column-page).
 */
export async function getBoard(deps: AppDeps, principal: Principal, request: BoardRequest): Promise<Board> {
  assertMaySeeDeals(principal);
  const perStage = dealsPerStage(request.dealsPerStage);
  const pipeline = await loadPipeline(deps, principal, request.pipelineId);
  const visible = visibilityPredicate(principal, 'deals');
  const cells = (await deps.projections.boardCells(principal.tenantId, pipeline._id)).filter(
    (cell) =>
      visible({ tenantId: principal.tenantId, ownerId: cell.ownerId, teamId: cell.teamId }) &&
      (!request.ownerId || cell.ownerId === request.ownerId) &&
      (!request.teamId || cell.teamId === request.teamId),
  );
  const totals = boardTotals(pipeline.stages, cells);
  const [pages, settings] = await Promise.all([
    Promise.all(
      totals.map((column) =>
        perStage > 0
          ? firstPageOfColumn(
              deps,
              principal,
              { tenantId: principal.tenantId, pipelineId: pipeline._id, stageId: column.stage.id },
              { ownerId: request.ownerId, teamId: request.teamId },
              perStage,
            )
          : { deals: [], nextCursor: '' },
      ),
    ),
    deps.settings.get(principal.tenantId),
  ]);
  return {
    pipeline,
    columns: totals.map((column, i) => ({
      ...column,
      deals: pages[i]?.deals ?? [],
      nextCursor: pages[i]?.nextCursor ?? '',
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
