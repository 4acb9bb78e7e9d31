// A record's history of changes (GET /api/v1/{contacts|companies|deals}/{id}/history), newest first.
import { useQuery } from '@tanstack/react-query';
import { api, unwrap } from './http-client';
import type { components } from './openapi.gen';

export type HistoryEntry = components['schemas']['HistoryEntry'];
export type HistoryResource = 'contacts' | 'companies' | 'deals';

export const historyKey = (resource: HistoryResource, id: string) => [resource, 'history', id] as const;

// The API answers the whole history at once (no cursor parameter).
function page(resource: HistoryResource, id: string, signal: AbortSignal) {
  const path = { id };
  switch (resource) {
    case 'contacts':
      return unwrap(api.GET('/api/v1/contacts/{id}/history', { params: { path }, signal }));
    case 'companies':
      return unwrap(api.GET('/api/v1/companies/{id}/history', { params: { path }, signal }));
    case 'deals':
      return unwrap(api.GET('/api/v1/deals/{id}/history', { params: { path }, signal }));
  }
}

export function useHistory(resource: HistoryResource, id: string, enabled: boolean) {
  return useQuery({
    queryKey: historyKey(resource, id),
    queryFn: ({ signal }) => page(resource, id, signal).then((answer) => answer.data),
    enabled,
    // Opened to see the latest changes: always asked again, never the cached list alone.
    refetchOnMount: 'always',
  });
}
