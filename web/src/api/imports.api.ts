import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { api, idempotent, unwrap } from './http-client';
import { queryKeys } from './query-keys';
import type { ImportJob, ImportRowError, Page } from './types';

export type ImportEntity = 'contact' | 'company';
export type MatchBy = 'email' | 'domain' | 'external_id';

export interface ColumnMapping {
  column: string;
  field: string;
}

export function startImport(
  csv: string,
  options: { entity: ImportEntity; matchBy?: MatchBy; mapping: ColumnMapping[]; fileName: string },
): Promise<ImportJob> {
  return idempotent((headers) =>
    unwrap(
      api.POST('/api/v1/imports', {
        params: {
          query: {
            entity: options.entity,
            ...(options.matchBy ? { matchBy: options.matchBy } : {}),
            mapping: JSON.stringify(options.mapping),
            fileName: options.fileName,
          },
          header: headers,
        },
        // The file goes as it is (text/csv); openapi-fetch would otherwise JSON-encode it.
        body: csv,
        bodySerializer: ((body: unknown) => body as string) as never,
        headers: { 'Content-Type': 'text/csv' },
      }),
    ),
  );
}

export function useImportJobs() {
  return useInfiniteQuery({
    queryKey: queryKeys.imports.list,
    queryFn: ({ pageParam, signal }): Promise<Page<ImportJob>> =>
      unwrap(
        api.GET('/api/v1/imports', {
          params: { query: { limit: 20, ...(pageParam ? { cursor: pageParam } : {}) } },
          signal,
        }),
      ),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
}

const RUNNING: ReadonlySet<string> = new Set(['queued', 'running']);

/** Polls while the job runs (the progress bar), then stops. */
export function useImportJob(id: string | undefined, pollMs = 700) {
  return useQuery({
    queryKey: queryKeys.imports.detail(id ?? ''),
    queryFn: ({ signal }) => unwrap(api.GET('/api/v1/imports/{id}', { params: { path: { id: id ?? '' } }, signal })),
    enabled: Boolean(id),
    refetchInterval: (query) => (query.state.data && !RUNNING.has(query.state.data.status) ? false : pollMs),
  });
}

/** Every row error of a job, page by page (for the downloadable report). */
export async function fetchAllImportErrors(id: string): Promise<ImportRowError[]> {
  const all: ImportRowError[] = [];
  let cursor: string | undefined;
  do {
    const page = await unwrap(
      api.GET('/api/v1/imports/{id}/errors', {
        params: { path: { id }, query: { limit: 200, ...(cursor ? { cursor } : {}) } },
      }),
    );
    all.push(...page.data);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return all;
}
