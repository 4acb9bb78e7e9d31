import { z } from 'zod';
import { DealFilter, DealInput, type Deal } from '@crm/proto/crm/pipeline/v1/deal';
import type { ForecastFigures } from '@crm/proto/crm/pipeline/v1/pipeline';
import { ACCESS } from '../auth/access-policy';
import type { ServiceClients } from '../grpc/service-clients';
import { callUnary, type Downstream } from '../grpc/unary-call';
import { defineRoute, type Route, type RouteResult } from '../http/route';
import { jsonOf, listBody } from '../mappers/json-of';
import { toUpdateMask } from '../mappers/update-mask';
import { booleanQuery, idParams } from '../schemas/common.schema';
import {
  dealCreateSchema,
  dealListQuery,
  dealListSchema,
  dealMoveSchema,
  dealPatchSchema,
  dealReopenSchema,
  dealSchema,
  forecastQuery,
  forecastSchema,
} from '../schemas/deal.schema';
import { historyListSchema } from '../schemas/history.schema';
import { created, ok } from './common-responses';
import { expectedVersion, OWNERSHIP_RULE, required } from './route-helpers';

const TAG = 'Deals';
const BASE = '/api/v1/deals';

function dealResult(deal: Deal | undefined, status = 200): RouteResult {
  const value = required(deal, 'a deal');
  return { status, body: jsonOf(value), version: value.version };
}

function getDeal(clients: ServiceClients, downstream: Downstream, id: string, includeDeleted = false): Promise<Deal> {
  return callUnary(downstream, clients.deals.getDeal.bind(clients.deals), { id, includeDeleted }).then((r) =>
    required(r.deal, 'a deal'),
  );
}

const currentVersion =
  (clients: ServiceClients, downstream: Downstream, id: string, includeDeleted = false) =>
  () =>
    getDeal(clients, downstream, id, includeDeleted).then((d) => d.version);

export const dealRoutes: Route[] = [
  defineRoute({
    method: 'post',
    path: BASE,
    operationId: 'createDeal',
    summary: 'Create a deal',
    description: `Without pipelineId/stageId it goes to the default pipeline's first open stage. contactId and companyId must be records the caller can see. Without ownerId/teamId the caller owns it. ${OWNERSHIP_RULE}`,
    tag: TAG,
    access: ACCESS.dealsWrite,
    body: dealCreateSchema,
    responses: [created(dealSchema, 'The deal')],
    handler: async ({ body, clients, downstream }) => {
      const response = await callUnary(downstream, clients.deals.createDeal.bind(clients.deals), {
        deal: DealInput.fromPartial(body),
      });
      return { ...dealResult(response.deal, 201), location: `${BASE}/${response.deal?.id}` };
    },
  }),
  defineRoute({
    method: 'get',
    path: BASE,
    operationId: 'listDeals',
    summary: 'List deals',
    description: 'With stageId the list is in board order (rank); otherwise in creation order.',
    tag: TAG,
    access: ACCESS.dealsRead,
    query: dealListQuery,
    responses: [ok(dealListSchema, 'A page of deals')],
    handler: async ({ query, clients, downstream }) => {
      const { limit, cursor, ...filter } = query;
      const response = await callUnary(downstream, clients.deals.listDeals.bind(clients.deals), {
        filter: DealFilter.fromPartial(filter),
        page: { limit: limit ?? 0, cursor: cursor ?? '' },
      });
      return { status: 200, body: listBody(response.deals, response.page) };
    },
  }),
  defineRoute({
    method: 'get',
    path: `${BASE}/{id}`,
    operationId: 'getDeal',
    summary: 'Get a deal',
    tag: TAG,
    access: ACCESS.dealsRead,
    params: idParams,
    query: z.strictObject({ includeDeleted: booleanQuery.optional() }),
    responses: [ok(dealSchema, 'The deal', { etag: true })],
    handler: async ({ params, query, clients, downstream }) =>
      dealResult(await getDeal(clients, downstream, params.id, query.includeDeleted)),
  }),
  defineRoute({
    method: 'get',
    path: `${BASE}/{id}/history`,
    operationId: 'getDealHistory',
    summary: "A deal's history",
    description:
      'Every version of the deal, newest first: who changed which fields from what to what, and when. For whoever may read the deal (deleted deals too).',
    tag: TAG,
    access: ACCESS.dealsRead,
    params: idParams,
    responses: [ok(historyListSchema, 'The versions, newest first')],
    handler: async ({ params, clients, downstream }) => {
      const response = await callUnary(downstream, clients.deals.getDealHistory.bind(clients.deals), {
        id: params.id,
      });
      return { status: 200, body: listBody(response.entries, undefined) };
    },
  }),
  defineRoute({
    method: 'patch',
    path: `${BASE}/{id}`,
    operationId: 'updateDeal',
    summary: 'Update a deal (merge patch)',
    description: `JSON merge patch; customFields merge key by key; the stage changes through /move. ${OWNERSHIP_RULE} Needs If-Match.`,
    tag: TAG,
    access: ACCESS.dealsWrite,
    bodyKind: 'merge-patch',
    ifMatch: 'required',
    params: idParams,
    body: dealPatchSchema,
    responses: [ok(dealSchema, 'The updated deal', { etag: true })],
    handler: async ({ params, body, precondition, clients, downstream }) => {
      const version = await expectedVersion(precondition, currentVersion(clients, downstream, params.id));
      const { input, paths } = toUpdateMask<DealInput>(body, { amount: undefined });
      if (paths.length === 0) return dealResult(await getDeal(clients, downstream, params.id));
      const response = await callUnary(downstream, clients.deals.updateDeal.bind(clients.deals), {
        id: params.id,
        expectedVersion: version,
        deal: DealInput.fromPartial(input),
        updateMask: paths,
      });
      return dealResult(response.deal);
    },
  }),
  defineRoute({
    method: 'delete',
    path: `${BASE}/{id}`,
    operationId: 'deleteDeal',
    summary: 'Delete a deal (soft; restorable)',
    tag: TAG,
    access: ACCESS.dealsWrite,
    ifMatch: 'required',
    params: idParams,
    responses: [ok(dealSchema, 'The deleted deal', { etag: true })],
    handler: async ({ params, precondition, clients, downstream }) => {
      const version = await expectedVersion(precondition, currentVersion(clients, downstream, params.id));
      const response = await callUnary(downstream, clients.deals.deleteDeal.bind(clients.deals), {
        id: params.id,
        expectedVersion: version,
      });
      return dealResult(response.deal);
    },
  }),
  defineRoute({
    method: 'post',
    path: `${BASE}/{id}/restore`,
    operationId: 'restoreDeal',
    summary: 'Restore a deleted deal',
    tag: TAG,
    access: ACCESS.dealsWrite,
    ifMatch: 'optional',
    params: idParams,
    body: z.strictObject({}),
    responses: [ok(dealSchema, 'The restored deal', { etag: true })],
    handler: async ({ params, precondition, clients, downstream }) => {
      const version = await expectedVersion(precondition, currentVersion(clients, downstream, params.id, true));
      const response = await callUnary(downstream, clients.deals.restoreDeal.bind(clients.deals), {
        id: params.id,
        expectedVersion: version,
      });
      return dealResult(response.deal);
    },
  }),
  defineRoute({
    method: 'post',
    path: `${BASE}/{id}/move`,
    operationId: 'moveDeal',
    summary: 'Move a deal to a stage and/or a place in its column',
    description:
      'The board\'s drag and drop. Position by neighbours (afterDealId / beforeDealId) or rank "top" / "bottom"; with neither the deal keeps its rank. Moving into a won or lost stage closes the deal (a lost stage needs lostReason); into an open stage reopens it. If-Match, when given, is the deal\'s ETag.',
    tag: TAG,
    access: ACCESS.dealsWrite,
    ifMatch: 'optional',
    params: idParams,
    body: dealMoveSchema,
    responses: [ok(dealSchema, 'The moved deal', { etag: true })],
    handler: async ({ params, body, precondition, clients, downstream }) => {
      const version = await expectedVersion(precondition, currentVersion(clients, downstream, params.id));
      const position = await neighboursOf(clients, downstream, params.id, body);
      const response = await callUnary(downstream, clients.deals.moveDeal.bind(clients.deals), {
        id: params.id,
        expectedVersion: version,
        stageId: body.stageId ?? '',
        ...position,
        lostReason: body.lostReason ?? '',
      });
      return dealResult(response.deal);
    },
  }),
  defineRoute({
    method: 'post',
    path: `${BASE}/{id}/reopen`,
    operationId: 'reopenDeal',
    summary: 'Reopen a won or lost deal into an open stage',
    tag: TAG,
    access: ACCESS.dealsWrite,
    ifMatch: 'optional',
    params: idParams,
    body: dealReopenSchema,
    responses: [ok(dealSchema, 'The reopened deal', { etag: true })],
    handler: async ({ params, body, precondition, clients, downstream }) => {
      const version = await expectedVersion(precondition, currentVersion(clients, downstream, params.id));
      const response = await callUnary(downstream, clients.deals.reopenDeal.bind(clients.deals), {
        id: params.id,
        expectedVersion: version,
        stageId: body.stageId ?? '',
      });
      return dealResult(response.deal);
    },
  }),
  defineRoute({
    method: 'get',
    path: '/api/v1/forecast',
    operationId: 'getForecast',
    summary: 'Forecast for a period, by owner or by team, per currency',
    description:
      'Closed won, commit, best case, pipeline and weighted pipeline of the deals the caller may see. from/to are calendar dates (inclusive).',
    tag: TAG,
    access: ACCESS.forecast,
    query: forecastQuery,
    responses: [ok(forecastSchema, 'The forecast')],
    handler: async ({ query, clients, downstream }) => {
      const response = await callUnary(downstream, clients.pipelines.getForecast.bind(clients.pipelines), {
        range: { startDate: query.from, endDate: query.to },
        pipelineId: query.pipelineId ?? '',
      });
      const groups: Array<{ key: string; figures: ForecastFigures[] }> =
        query.groupBy === 'team'
          ? response.byTeam.map((t) => ({ key: t.teamId, figures: t.figures }))
          : response.byOwner.map((o) => ({ key: o.ownerId, figures: o.figures }));
      return {
        status: 200,
        body: {
          from: response.range?.startDate ?? query.from,
          to: response.range?.endDate ?? query.to,
          groupBy: query.groupBy,
          groups: jsonOf(groups),
          totals: jsonOf(response.totals),
        },
      };
    },
  }),
];

/** The contract positions a deal by its neighbours; rank "top" / "bottom" are the ends of the target column. */
async function neighboursOf(
  clients: ServiceClients,
  downstream: Downstream,
  id: string,
  body: z.infer<typeof dealMoveSchema>,
): Promise<{ afterDealId: string; beforeDealId: string }> {
  if (body.afterDealId || body.beforeDealId || !body.rank)
    return { afterDealId: body.afterDealId ?? '', beforeDealId: body.beforeDealId ?? '' };
  const stageId = body.stageId ?? (await getDeal(clients, downstream, id)).stageId;
  const column = await columnIds(clients, downstream, stageId, body.rank === 'top' ? 1 : Number.POSITIVE_INFINITY);
  const others = column.filter((other) => other !== id);
  if (others.length === 0) return { afterDealId: '', beforeDealId: '' };
  return body.rank === 'top'
    ? { afterDealId: '', beforeDealId: others[0] ?? '' }
    : { afterDealId: others[others.length - 1] ?? '', beforeDealId: '' };
}

/** Ids of a column in board order, up to max (two for "top", in case the first is the deal itself). */
async function columnIds(
  clients: ServiceClients,
  downstream: Downstream,
  stageId: string,
  max: number,
): Promise<string[]> {
  const ids: string[] = [];
  let cursor = '';
  do {
    const response = await callUnary(downstream, clients.deals.listDeals.bind(clients.deals), {
      filter: DealFilter.fromPartial({ stageId }),
      page: { limit: max === 1 ? 2 : 200, cursor },
    });
    ids.push(...response.deals.map((d) => d.id));
    cursor = response.page?.nextCursor ?? '';
    if (max === 1) break;
  } while (cursor);
  return ids;
}
