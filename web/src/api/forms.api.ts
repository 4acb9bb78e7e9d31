// Web forms for lead capture (/api/v1/forms); the public endpoint they post to is /api/v1/public/forms/{id}.
import { useQuery } from '@tanstack/react-query';
import { api, idempotent, ifMatch, unwrap } from './http-client';
import type { components } from './openapi.gen';
import { queryKeys } from './query-keys';

type Schemas = components['schemas'];
export type WebForm = Schemas['Form'];
export type WebFormCreate = Schemas['FormCreate'];
export type WebFormPatch = Schemas['FormPatch'];
export type WebFormCreated = Schemas['FormCreated'];

export function useForms() {
  return useQuery({
    queryKey: queryKeys.forms.list,
    queryFn: ({ signal }) =>
      unwrap(api.GET('/api/v1/forms', { params: { query: { limit: 100 } }, signal })).then((page) => page.data),
  });
}

export function fetchForm(id: string, signal?: AbortSignal): Promise<WebForm> {
  return unwrap(api.GET('/api/v1/forms/{id}', { params: { path: { id } }, signal }));
}

export function useForm(id: string | undefined) {
  return useQuery({
    queryKey: queryKeys.forms.detail(id ?? ''),
    queryFn: ({ signal }) => fetchForm(id ?? '', signal),
    enabled: Boolean(id),
  });
}

export function createForm(body: WebFormCreate): Promise<WebFormCreated> {
  return idempotent((headers) => unwrap(api.POST('/api/v1/forms', { params: { header: headers }, body })));
}

export function patchForm(id: string, version: number, patch: WebFormPatch): Promise<WebForm> {
  return unwrap(
    api.PATCH('/api/v1/forms/{id}', {
      params: { path: { id }, header: ifMatch(version) },
      body: patch,
      headers: { 'Content-Type': 'application/merge-patch+json' },
    }),
  );
}
