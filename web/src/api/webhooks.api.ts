// Outbound webhook endpoints and their delivery log (/api/v1/webhook-endpoints).
import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { api, idempotent, ifMatch, unwrap } from './http-client';
import type { components } from './openapi.gen';
import { queryKeys } from './query-keys';

type Schemas = components['schemas'];
export type WebhookEndpoint = Schemas['WebhookEndpoint'];
export type WebhookEndpointCreate = Schemas['WebhookEndpointCreate'];
export type WebhookEndpointPatch = Schemas['WebhookEndpointPatch'];
export type WebhookDelivery = Schemas['WebhookDelivery'];
export type EndpointWithSecret = Schemas['WebhookEndpointWithSecret'];

export function useEndpoints() {
  return useQuery({
    queryKey: queryKeys.webhooks.list,
    queryFn: ({ signal }) =>
      unwrap(api.GET('/api/v1/webhook-endpoints', { params: { query: { limit: 100 } }, signal })).then(
        (page) => page.data,
      ),
  });
}

export function fetchEndpoint(id: string, signal?: AbortSignal): Promise<WebhookEndpoint> {
  return unwrap(api.GET('/api/v1/webhook-endpoints/{id}', { params: { path: { id } }, signal }));
}

export function useEndpoint(id: string | undefined) {
  return useQuery({
    queryKey: queryKeys.webhooks.detail(id ?? ''),
    queryFn: ({ signal }) => fetchEndpoint(id ?? '', signal),
    enabled: Boolean(id),
  });
}

export function createEndpoint(body: WebhookEndpointCreate): Promise<EndpointWithSecret> {
  return idempotent((headers) => unwrap(api.POST('/api/v1/webhook-endpoints', { params: { header: headers }, body })));
}

export function patchEndpoint(id: string, version: number, patch: WebhookEndpointPatch): Promise<WebhookEndpoint> {
  return unwrap(
    api.PATCH('/api/v1/webhook-endpoints/{id}', {
      params: { path: { id }, header: ifMatch(version) },
      body: patch,
      headers: { 'Content-Type': 'application/merge-patch+json' },
    }),
  );
}

export function rotateSecret(id: string): Promise<EndpointWithSecret> {
  return unwrap(api.POST('/api/v1/webhook-endpoints/{id}/rotate-secret', { params: { path: { id } }, body: {} }));
}

export function useDeliveries(endpointId: string | undefined) {
  return useInfiniteQuery({
    queryKey: queryKeys.webhooks.deliveries(endpointId ?? ''),
    queryFn: ({ pageParam, signal }) =>
      unwrap(
        api.GET('/api/v1/webhook-endpoints/{id}/deliveries', {
          params: {
            path: { id: endpointId ?? '' },
            query: { limit: 50, ...(pageParam ? { cursor: pageParam } : {}) },
          },
          signal,
        }),
      ),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    enabled: Boolean(endpointId),
    // Deliveries are attempted without any action of the user (and publish no event each time): the log follows,
    // briskly while one is still pending.
    refetchInterval: (query) =>
      query.state.data?.pages.some((p) => p.data.some((d) => d.status === 'pending')) ? 2000 : 10_000,
  });
}

export function replayDeliveries(endpointId: string, deliveryIds: string[]): Promise<{ deliveryIds: string[] }> {
  return unwrap(
    api.POST('/api/v1/webhook-endpoints/{id}/replay', {
      params: { path: { id: endpointId } },
      body: { deliveryIds },
    }),
  );
}
