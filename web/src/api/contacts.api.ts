import { keepPreviousData, useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, idempotent, ifMatch, unwrap } from './http-client';
import { queryKeys } from './query-keys';
import type { Activity, ActivityCreate, Contact, ContactCreate, ContactPatch, LifecycleStage, Page } from './types';

export interface ContactFilters {
  [key: string]: string | undefined;
  q?: string;
  ownerId?: string;
  teamId?: string;
  lifecycleStage?: LifecycleStage;
  tag?: string;
  companyId?: string;
}

const PAGE_SIZE = 50;

export function fetchContacts(filters: ContactFilters, cursor?: string, signal?: AbortSignal): Promise<Page<Contact>> {
  const { q, ...rest } = filters;
  // A search ignores the other filters and has no further pages.
  const query = q ? { q, limit: PAGE_SIZE } : { ...rest, limit: PAGE_SIZE, ...(cursor ? { cursor } : {}) };
  return unwrap(api.GET('/api/v1/contacts', { params: { query }, signal }));
}

export function useContactList(filters: ContactFilters) {
  return useInfiniteQuery({
    queryKey: queryKeys.contacts.list(filters),
    queryFn: ({ pageParam, signal }) => fetchContacts(filters, pageParam, signal),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    // Typing keeps the last results on screen until the new ones arrive, instead of a skeleton per keystroke.
    placeholderData: keepPreviousData,
    meta: { persist: true },
  });
}

export function fetchContact(id: string, signal?: AbortSignal): Promise<Contact> {
  return unwrap(api.GET('/api/v1/contacts/{id}', { params: { path: { id } }, signal }));
}

export function useContact(id: string) {
  return useQuery({
    queryKey: queryKeys.contacts.detail(id),
    queryFn: ({ signal }) => fetchContact(id, signal),
    meta: { persist: true },
  });
}

export function createContact(body: ContactCreate, allowDuplicates = false): Promise<Contact> {
  return idempotent((headers) =>
    unwrap(
      api.POST('/api/v1/contacts', {
        params: { query: allowDuplicates ? { allowDuplicates: 'true' } : {}, header: headers },
        body,
      }),
    ),
  );
}

export function useCreateContact() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ body, allowDuplicates }: { body: ContactCreate; allowDuplicates?: boolean }) =>
      createContact(body, allowDuplicates),
    onSuccess: (contact) => {
      client.setQueryData(queryKeys.contacts.detail(contact.id), contact);
      void client.invalidateQueries({ queryKey: ['contacts', 'list'] });
    },
  });
}

export function patchContact(id: string, version: number, patch: ContactPatch): Promise<Contact> {
  return unwrap(
    api.PATCH('/api/v1/contacts/{id}', {
      params: { path: { id }, header: ifMatch(version) },
      body: patch,
      headers: { 'Content-Type': 'application/merge-patch+json' },
    }),
  );
}

export function fetchActivities(contactId: string, cursor?: string, signal?: AbortSignal): Promise<Page<Activity>> {
  return unwrap(
    api.GET('/api/v1/contacts/{id}/activities', {
      params: { path: { id: contactId }, query: { limit: 30, ...(cursor ? { cursor } : {}) } },
      signal,
    }),
  );
}

export function useContactActivities(contactId: string) {
  return useInfiniteQuery({
    queryKey: queryKeys.contacts.activities(contactId),
    queryFn: ({ pageParam, signal }) => fetchActivities(contactId, pageParam, signal),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    meta: { persist: true },
  });
}

export function logActivity(contactId: string, body: ActivityCreate): Promise<Activity> {
  return idempotent((headers) =>
    unwrap(
      api.POST('/api/v1/contacts/{id}/activities', { params: { path: { id: contactId }, header: headers }, body }),
    ),
  );
}

export function useDuplicates(contactId: string, enabled = true) {
  return useQuery({
    queryKey: queryKeys.contacts.duplicates(contactId),
    queryFn: ({ signal }) =>
      unwrap(
        api.GET('/api/v1/contacts/{id}/duplicates', {
          params: { path: { id: contactId }, query: { limit: 5 } },
          signal,
        }),
      ),
    enabled,
  });
}

export function mergeContacts(targetId: string, sourceId: string, version: number) {
  return idempotent((headers) =>
    unwrap(
      api.POST('/api/v1/contacts/{id}/merge', {
        params: { path: { id: targetId }, header: { ...headers, ...ifMatch(version) } },
        body: { sourceId },
      }),
    ),
  );
}

export function exportContactData(id: string): Promise<Record<string, unknown>> {
  return unwrap(api.GET('/api/v1/contacts/{id}/export', { params: { path: { id } } }));
}

export function eraseContact(id: string) {
  return idempotent((headers) =>
    unwrap(api.POST('/api/v1/contacts/{id}/erase', { params: { path: { id }, header: headers } })),
  );
}

export function deleteContact(id: string, version: number): Promise<Contact> {
  return unwrap(api.DELETE('/api/v1/contacts/{id}', { params: { path: { id }, header: ifMatch(version) } }));
}

export function restoreContact(id: string): Promise<Contact> {
  return idempotent((headers) =>
    unwrap(api.POST('/api/v1/contacts/{id}/restore', { params: { path: { id }, header: headers } })),
  );
}
