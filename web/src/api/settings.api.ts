import { useQuery } from '@tanstack/react-query';
import { api, ifMatch, unwrap } from './http-client';
import { queryKeys } from './query-keys';
import type { TenantSettings } from './types';

export function useTenantSettings() {
  return useQuery({
    queryKey: queryKeys.settings,
    queryFn: ({ signal }) => unwrap(api.GET('/api/v1/settings', { signal })),
    staleTime: 5 * 60_000,
  });
}

export function saveTenantSettings(
  version: number,
  patch: Partial<Pick<TenantSettings, 'defaultPhoneRegion' | 'requiredContactFields' | 'requiredCompanyFields'>>,
): Promise<TenantSettings> {
  return unwrap(
    api.PATCH('/api/v1/settings', {
      params: { header: ifMatch(version) },
      body: patch,
      headers: { 'Content-Type': 'application/merge-patch+json' },
    }),
  );
}
