// Who is signed in (GET /api/v1/me) and which APIs this deployment has (its OpenAPI document): the shell shows
// a screen only when the caller's permissions allow it and the API behind it exists.
import { useQuery } from '@tanstack/react-query';
import { api, unwrap } from './http-client';
import { ApiError } from './problem';
import { queryKeys } from './query-keys';

export function useMe() {
  return useQuery({
    queryKey: queryKeys.me,
    queryFn: ({ signal }) => unwrap(api.GET('/api/v1/me', { signal })),
    staleTime: 5 * 60_000,
    meta: { persist: true },
  });
}

export interface Capabilities {
  /** "METHOD /path" of every operation, e.g. "GET /api/v1/tickets". */
  operations: ReadonlySet<string>;
}

export function capabilitiesOf(document: { paths?: Record<string, Record<string, unknown>> }): Capabilities {
  const operations = new Set<string>();
  for (const [path, item] of Object.entries(document.paths ?? {}))
    for (const method of Object.keys(item)) operations.add(`${method.toUpperCase()} ${path}`);
  return { operations };
}

export function useCapabilities() {
  return useQuery({
    queryKey: queryKeys.capabilities,
    queryFn: async ({ signal }) => {
      // The document itself is public and not among the typed paths.
      const response = await fetch('/api/v1/openapi.json', { signal });
      if (!response.ok) throw ApiError.fromAnswer(response.status, await response.text(), response.statusText);
      const document = (await response.json()) as { paths?: Record<string, Record<string, unknown>> };
      return [...capabilitiesOf(document).operations];
    },
    select: (operations) => ({ operations: new Set(operations) }) as Capabilities,
    staleTime: 10 * 60_000,
    meta: { persist: true },
  });
}
