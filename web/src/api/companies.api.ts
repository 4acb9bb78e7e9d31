import { keepPreviousData, useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, idempotent, ifMatch, unwrap } from './http-client';
import { queryKeys } from './query-keys';
import type { Activity, Company, CompanyCreate, CompanyPatch, Contact, Page } from './types';

export interface CompanyFilters {
  [key: string]: string | undefined;
  q?: string;
  ownerId?: string;
  teamId?: string;
  industry?: string;
  domain?: string;
}

const PAGE_SIZE = 50;

export function fetchCompanies(filters: CompanyFilters, cursor?: string, signal?: AbortSignal): Promise<Page<Company>> {
  const { q, ...rest } = filters;
  const query = q ? { q, limit: PAGE_SIZE } : { ...rest, limit: PAGE_SIZE, ...(cursor ? { cursor } : {}) };
  return unwrap(api.GET('/api/v1/companies', { params: { query }, signal }));
}

export function useCompanyList(filters: CompanyFilters) {
  return useInfiniteQuery({
    queryKey: queryKeys.companies.list(filters),
    queryFn: ({ pageParam, signal }) => fetchCompanies(filters, pageParam, signal),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    placeholderData: keepPreviousData,
    meta: { persist: true },
  });
}

export function fetchCompany(id: string, signal?: AbortSignal): Promise<Company> {
  return unwrap(api.GET('/api/v1/companies/{id}', { params: { path: { id } }, signal }));
}

export function useCompany(id: string | undefined) {
  return useQuery({
    queryKey: queryKeys.companies.detail(id ?? ''),
    queryFn: ({ signal }) => fetchCompany(id ?? '', signal),
    enabled: Boolean(id),
    meta: { persist: true },
  });
}

export function useCreateCompany() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: CompanyCreate) =>
      idempotent((headers) => unwrap(api.POST('/api/v1/companies', { params: { header: headers }, body }))),
    onSuccess: (company) => {
      client.setQueryData(queryKeys.companies.detail(company.id), company);
      void client.invalidateQueries({ queryKey: ['companies', 'list'] });
    },
  });
}

export function patchCompany(id: string, version: number, patch: CompanyPatch): Promise<Company> {
  return unwrap(
    api.PATCH('/api/v1/companies/{id}', {
      params: { path: { id }, header: ifMatch(version) },
      body: patch,
      headers: { 'Content-Type': 'application/merge-patch+json' },
    }),
  );
}

export function useCompanyContacts(id: string) {
  return useInfiniteQuery({
    queryKey: queryKeys.companies.contacts(id),
    queryFn: ({ pageParam, signal }): Promise<Page<Contact>> =>
      unwrap(
        api.GET('/api/v1/companies/{id}/contacts', {
          params: { path: { id }, query: { limit: 50, ...(pageParam ? { cursor: pageParam } : {}) } },
          signal,
        }),
      ),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
}

export function useCompanyActivities(id: string) {
  return useInfiniteQuery({
    queryKey: queryKeys.companies.activities(id),
    queryFn: ({ pageParam, signal }): Promise<Page<Activity>> =>
      unwrap(
        api.GET('/api/v1/companies/{id}/activities', {
          params: { path: { id }, query: { limit: 30, ...(pageParam ? { cursor: pageParam } : {}) } },
          signal,
        }),
      ),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
}
