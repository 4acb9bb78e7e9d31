// DealService handlers: proto in, use case, proto out.
import { toProtoHistory, type ServiceHandlers } from '@crm/service-kit';
import type { DealServiceService } from '@crm/proto/crm/pipeline/v1/deal';
import type { AppDeps } from '../app/app-deps';
import { createDeal } from '../app/create-deal';
import { deleteDeal, restoreDeal } from '../app/delete-deal';
import { moveDeal, reopenDeal } from '../app/move-deal';
import {
  dealView,
  getDeal,
  getDealHistory,
  listDeals,
  withSummaries,
  type KnownView,
  type Written,
} from '../app/read-deals';
import { updateDeal } from '../app/update-deal';
import type { ListedDeal } from '../store/deal.read-model';
import type { DealRecord } from '../store/deal.records';
import { emptyDealInput, toDealProto } from './deal.mapper';

export function dealHandlers(deps: AppDeps): ServiceHandlers<typeof DealServiceService> {
  const present = async (tenantId: string, deal: ListedDeal, known: KnownView = {}) => {
    const view = await dealView(deps, tenantId, known);
    return { deal: toDealProto(deal, view.stageOf, view.definitions) };
  };
  const presentWritten = async (tenantId: string, { result, known }: Written<DealRecord>) =>
    present(tenantId, await withSummaries(deps, result), known);
  return {
    createDeal: async (request, ctx) => {
      const { result, known } = await createDeal(deps, ctx, request.deal ?? emptyDealInput());
      return present(ctx.principal.tenantId, result, known);
    },
    getDeal: async (request, ctx) =>
      present(ctx.principal.tenantId, await getDeal(deps, ctx.principal, request.id, request.includeDeleted)),
    listDeals: async (request, ctx) => {
      const filter = request.filter;
      const [page, view] = await Promise.all([
        listDeals(
          deps,
          ctx.principal,
          {
            pipelineId: filter?.pipelineId,
            stageId: filter?.stageId,
            status: filter?.status,
            ownerId: filter?.ownerId,
            teamId: filter?.teamId,
            contactId: filter?.contactId,
            companyId: filter?.companyId,
            includeDeleted: filter?.includeDeleted,
          },
          request.page?.limit ?? 0,
          request.page?.cursor ?? '',
        ),
        dealView(deps, ctx.principal.tenantId),
      ]);
      return {
        deals: page.deals.map((d) => toDealProto(d, view.stageOf, view.definitions)),
        page: { nextCursor: page.nextCursor },
      };
    },
    updateDeal: async (request, ctx) =>
      presentWritten(
        ctx.principal.tenantId,
        await updateDeal(
          deps,
          ctx,
          request.id,
          request.expectedVersion,
          request.deal ?? emptyDealInput(),
          request.updateMask ?? [],
        ),
      ),
    moveDeal: async (request, ctx) =>
      presentWritten(ctx.principal.tenantId, await moveDeal(deps, ctx.principal, request)),
    reopenDeal: async (request, ctx) =>
      presentWritten(
        ctx.principal.tenantId,
        await reopenDeal(deps, ctx.principal, request.id, request.expectedVersion, request.stageId),
      ),
    deleteDeal: async (request, ctx) =>
      presentWritten(
        ctx.principal.tenantId,
        await deleteDeal(deps, ctx.principal, request.id, request.expectedVersion),
      ),
    restoreDeal: async (request, ctx) =>
      presentWritten(
        ctx.principal.tenantId,
        await restoreDeal(deps, ctx.principal, request.id, request.expectedVersion),
      ),
    getDealHistory: async (request, ctx) => ({
      entries: toProtoHistory(await getDealHistory(deps, ctx.principal, request.id)),
    }),
  };
}
