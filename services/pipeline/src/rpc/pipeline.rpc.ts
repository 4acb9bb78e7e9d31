// PipelineService handlers: proto in, use case, proto out.
import type { ServiceHandlers } from '@crm/service-kit';
import type {
  ForecastFigures as FiguresMessage,
  PipelineServiceService,
  StageInput as StageInputMessage,
} from '@crm/proto/crm/pipeline/v1/pipeline';
import type { AppDeps } from '../app/app-deps';
import { getDealFieldDefinitions, setDealFieldDefinitions } from '../app/deal-fields';
import { getBoard } from '../app/get-board';
import { getForecast } from '../app/get-forecast';
import {
  addPipelineStage,
  archivePipelineStage,
  createPipeline,
  getPipeline,
  listPipelines,
  renamePipeline,
  reorderPipelineStages,
  stageLookupOf,
  updatePipelineStage,
} from '../app/pipelines';
import type { ForecastFigures } from '../domain/forecast';
import type { StageInput } from '../domain/stage';
import { toDealProto } from './deal.mapper';
import { fromDefinitionProto, toDefinitionProto, toPipelineProto, toStageProto } from './pipeline.mapper';

export function pipelineHandlers(deps: AppDeps): ServiceHandlers<typeof PipelineServiceService> {
  return {
    listPipelines: async (_request, ctx) => ({
      pipelines: (await listPipelines(deps, ctx.principal)).map(toPipelineProto),
    }),
    getPipeline: async (request, ctx) => ({
      pipeline: toPipelineProto(await getPipeline(deps, ctx.principal, request.id)),
    }),
    createPipeline: async (request, ctx) => ({
      pipeline: toPipelineProto(
        await createPipeline(deps, ctx.principal, request.name, request.stages.map(stageInput)),
      ),
    }),
    renamePipeline: async (request, ctx) => ({
      pipeline: toPipelineProto(
        await renamePipeline(deps, ctx.principal, request.id, request.expectedVersion, request.name),
      ),
    }),
    addStage: async (request, ctx) => {
      const { pipeline, stage } = await addPipelineStage(
        deps,
        ctx.principal,
        request.pipelineId,
        request.expectedVersion,
        stageInput(request.stage),
        request.beforeStageId,
      );
      return { pipeline: toPipelineProto(pipeline), stage: toStageProto(stage) };
    },
    updateStage: async (request, ctx) => ({
      pipeline: toPipelineProto(
        await updatePipelineStage(
          deps,
          ctx.principal,
          request.pipelineId,
          request.expectedVersion,
          request.stageId,
          stageInput(request.stage),
          request.updateMask ?? [],
        ),
      ),
    }),
    reorderStages: async (request, ctx) => ({
      pipeline: toPipelineProto(
        await reorderPipelineStages(deps, ctx.principal, request.pipelineId, request.expectedVersion, request.stageIds),
      ),
    }),
    archiveStage: async (request, ctx) => ({
      pipeline: toPipelineProto(
        await archivePipelineStage(deps, ctx.principal, request.pipelineId, request.expectedVersion, request.stageId),
      ),
    }),
    getBoard: async (request, ctx) => {
      const board = await getBoard(deps, ctx.principal, request);
      const stageOf = stageLookupOf([board.pipeline]);
      return {
        pipeline: toPipelineProto(board.pipeline),
        columns: board.columns.map((column) => ({
          stage: toStageProto(column.stage),
          dealCount: column.dealCount,
          totals: column.totals.map((t) => ({
            currency: t.currency,
            dealCount: t.dealCount,
            amount: { amountMinor: t.amountMinor, currency: t.currency },
            weightedAmount: { amountMinor: t.weightedMinor, currency: t.currency },
          })),
          deals: column.deals.map((d) => toDealProto(d, stageOf, board.definitions)),
          nextCursor: column.nextCursor,
        })),
      };
    },
    getForecast: async (request, ctx) => {
      const forecast = await getForecast(
        deps,
        ctx.principal,
        { month: request.month, quarter: request.quarter, range: request.range },
        request.pipelineId,
      );
      return {
        range: { startDate: forecast.range.start, endDate: forecast.range.end },
        byOwner: forecast.byOwner.map((o) => ({ ownerId: o.ownerId, figures: o.figures.map(figuresMessage) })),
        byTeam: forecast.byTeam.map((t) => ({ teamId: t.teamId, figures: t.figures.map(figuresMessage) })),
        totals: forecast.totals.map(figuresMessage),
      };
    },
    getDealFieldDefinitions: async (_request, ctx) => {
      const settings = await getDealFieldDefinitions(deps, ctx.principal);
      return { definitions: settings.customFields.map(toDefinitionProto), version: settings.version };
    },
    setDealFieldDefinitions: async (request, ctx) => {
      const settings = await setDealFieldDefinitions(
        deps,
        ctx.principal,
        request.definitions.map(fromDefinitionProto),
        request.expectedVersion,
      );
      return { definitions: settings.customFields.map(toDefinitionProto), version: settings.version };
    },
  };
}

function stageInput(message: StageInputMessage | undefined): StageInput {
  return {
    name: message?.name ?? '',
    probability: message?.probability ?? 0,
    kind: message?.kind ?? '',
    forecastCategory: message?.forecastCategory ?? '',
  };
}

function figuresMessage(f: ForecastFigures): FiguresMessage {
  const money = (amountMinor: number) => ({ amountMinor, currency: f.currency });
  return {
    currency: f.currency,
    closedWon: money(f.closedWon),
    commit: money(f.commit),
    bestCase: money(f.bestCase),
    pipeline: money(f.pipeline),
    weightedPipeline: money(f.weightedPipeline),
    wonDealCount: f.wonDealCount,
    openDealCount: f.openDealCount,
  };
}
