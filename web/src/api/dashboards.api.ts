// The reporting API: the dashboards, the metric catalogue, the records behind a number, and their CSV.
import { keepPreviousData, useInfiniteQuery, useQuery } from '@tanstack/react-query';
import type { DashboardName, DashboardTable } from '../domain/dashboard';
import { fileNameOf } from '../domain/dashboard';
import { api, authorizedFetch, unwrap } from './http-client';
import type { components } from './openapi.gen';
import { ApiError } from './problem';
import { queryKeys } from './query-keys';

export type DashboardAnswer = Omit<components['schemas']['Dashboard'], 'tables'> & { tables: DashboardTable[] };
export type Metric = components['schemas']['Metric'];
export type RecordRef = components['schemas']['RecordRef'];
type RecordPage = components['schemas']['RecordRefList'];

export function useDashboard(dashboard: DashboardName, query: Record<string, string>, enabled = true) {
  return useQuery({
    queryKey: queryKeys.dashboards.one(dashboard, query),
    queryFn: async ({ signal }) =>
      (await unwrap(
        api.GET('/api/v1/dashboards/{dashboard}', { params: { path: { dashboard }, query }, signal }),
      )) as DashboardAnswer,
    enabled,
    placeholderData: keepPreviousData,
    meta: { persist: true },
  });
}

export function useMetrics() {
  return useQuery({
    queryKey: queryKeys.dashboards.metrics,
    queryFn: async ({ signal }) => (await unwrap(api.GET('/api/v1/metrics', { signal }))).data,
    staleTime: 60 * 60_000,
    meta: { persist: true },
  });
}

export function useDrillDown(dashboard: DashboardName, query: Record<string, string>) {
  return useInfiniteQuery({
    queryKey: queryKeys.dashboards.records(dashboard, query),
    queryFn: async ({ pageParam, signal }) =>
      (await unwrap(
        api.GET('/api/v1/dashboards/{dashboard}/records', {
          params: {
            path: { dashboard },
            query: { ...query, metric: query.metric ?? '', limit: 50, ...(pageParam ? { cursor: pageParam } : {}) },
          },
          signal,
        }),
      )) as RecordPage,
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
}

/** Pipeline names for the pipeline groups; only asked for by people who may read pipelines (support may not). */
export function usePipelineNames(enabled: boolean) {
  return useQuery({
    queryKey: queryKeys.pipelines.list,
    queryFn: ({ signal }) => unwrap(api.GET('/api/v1/pipelines', { signal })).then((page) => page.data),
    select: (pipelines) => new Map(pipelines.map((p) => [p.id, p.name])),
    enabled,
    meta: { persist: true },
    staleTime: 60_000,
  });
}

/** A ticket's subject for a drill-down row (the ticket screens have their own hooks). */
export function useTicketSubject(id: string) {
  return useQuery({
    queryKey: ['tickets', 'detail', id, 'subject'],
    queryFn: ({ signal }) =>
      unwrap(api.GET('/api/v1/tickets/{id}', { params: { path: { id } }, signal })).then((t) => t.subject),
    staleTime: 60_000,
  });
}

/** Fetches a CSV the API writes (a dashboard table or a drill-down) with the user's token and saves it. */
export async function downloadApiCsv(path: string, query: Record<string, string>, fallbackName: string) {
  const url = `${path}?${new URLSearchParams({ ...query, format: 'csv' }).toString()}`;
  const response = await authorizedFetch(
    new Request(new URL(url, window.location.origin), { headers: { accept: 'text/csv' } }),
  );
  if (!response.ok) {
    const text = await response.text();
    let problem: unknown = text;
    try {
      problem = JSON.parse(text);
    } catch {
      // Not problem+json: keep the text.
    }
    throw ApiError.fromAnswer(response.status, problem, response.statusText);
  }
  const blob = await response.blob();
  const href = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = href;
  link.download = fileNameOf(response.headers.get('content-disposition'), fallbackName);
  document.body.append(link);
  link.click();
  link.remove();
  window.setTimeout(() => URL.revokeObjectURL(href), 1000);
}
