import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { api, idempotent, ifMatch, unwrap } from './http-client';
import { normalizeBoard } from '../domain/board';
import { queryKeys } from './query-keys';
import type { Board, Deal, DealCreate, DealMove, DealPatch, Page, Pipeline } from './types';

export interface BoardFilters {
  [key: string]: string | undefined;
  ownerId?: string;
  teamId?: string;
}

/** Deals each column loads at first (the API's maximum); "Show more" pages through the rest of a column. */
export const DEALS_PER_STAGE = 100;

export function usePipelines() {
  return useQuery({
    queryKey: queryKeys.pipelines.list,
    queryFn: ({ signal }) => unwrap(api.GET('/api/v1/pipelines', { signal })).then((page) => page.data),
    meta: { persist: true },
    staleTime: 60_000,
  });
}

export function fetchPipeline(id: string, signal?: AbortSignal): Promise<Pipeline> {
  return unwrap(api.GET('/api/v1/pipelines/{id}', { params: { path: { id } }, signal }));
}

export function fetchBoard(pipelineId: string, filters: BoardFilters, signal?: AbortSignal): Promise<Board> {
  return unwrap(
    api.GET('/api/v1/pipelines/{id}/board', {
      params: { path: { id: pipelineId }, query: { dealsPerStage: DEALS_PER_STAGE, ...filters } },
      signal,
    }),
  );
}

export function useBoard(pipelineId: string | undefined, filters: BoardFilters) {
  return useQuery({
    queryKey: queryKeys.boards.one(pipelineId ?? '', filters),
    queryFn: ({ signal }) => fetchBoard(pipelineId ?? '', filters, signal),
    enabled: Boolean(pipelineId),
    // A read model catching up may list a moved deal under its old column for a moment.
    select: normalizeBoard,
    meta: { persist: true },
  });
}

/** The next deals of one column, in board order. */
export function fetchColumnPage(
  pipelineId: string,
  stageId: string,
  filters: BoardFilters,
  cursor: string,
): Promise<Page<Deal>> {
  return unwrap(
    api.GET('/api/v1/deals', {
      params: { query: { pipelineId, stageId, ...filters, limit: DEALS_PER_STAGE, cursor } },
    }),
  );
}

export function fetchDeal(id: string, signal?: AbortSignal): Promise<Deal> {
  return unwrap(api.GET('/api/v1/deals/{id}', { params: { path: { id } }, signal }));
}

export function useDeal(id: string) {
  return useQuery({
    queryKey: queryKeys.deals.detail(id),
    queryFn: ({ signal }) => fetchDeal(id, signal),
    meta: { persist: true },
  });
}

export interface DealListFilters {
  [key: string]: string | undefined;
  contactId?: string;
  companyId?: string;
}

export function useDealList(filters: DealListFilters, enabled = true) {
  return useInfiniteQuery({
    queryKey: queryKeys.deals.list(filters),
    queryFn: ({ pageParam, signal }): Promise<Page<Deal>> =>
      unwrap(
        api.GET('/api/v1/deals', {
          params: { query: { ...filters, limit: 50, ...(pageParam ? { cursor: pageParam } : {}) } },
          signal,
        }),
      ),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    enabled,
  });
}

export function createDeal(body: DealCreate): Promise<Deal> {
  return idempotent((headers) => unwrap(api.POST('/api/v1/deals', { params: { header: headers }, body })));
}

export function moveDeal(id: string, version: number, move: DealMove): Promise<Deal> {
  return idempotent((headers) =>
    unwrap(
      api.POST('/api/v1/deals/{id}/move', {
        params: { path: { id }, header: { ...headers, ...ifMatch(version) } },
        body: move,
      }),
    ),
  );
}

export function reopenDeal(id: string, version: number, stageId?: string): Promise<Deal> {
  return idempotent((headers) =>
    unwrap(
      api.POST('/api/v1/deals/{id}/reopen', {
        params: { path: { id }, header: { ...headers, ...ifMatch(version) } },
        body: stageId ? { stageId } : {},
      }),
    ),
  );
}

export function patchDeal(id: string, version: number, patch: DealPatch): Promise<Deal> {
  return unwrap(
    api.PATCH('/api/v1/deals/{id}', {
      params: { path: { id }, header: ifMatch(version) },
      body: patch,
      headers: { 'Content-Type': 'application/merge-patch+json' },
    }),
  );
}
