// Tickets: queues over cursors, one ticket, its conversation, changes with If-Match, macros and merging.
import { keepPreviousData, useInfiniteQuery, useQuery, useQueryClient } from '@tanstack/react-query';
import type { TicketListQuery } from '../domain/ticket-queues';
import { api, idempotent, ifMatch, unwrap } from './http-client';
import type { components } from './openapi.gen';
import type { Page } from './types';

type Schemas = components['schemas'];
export type Ticket = Schemas['Ticket'];
export type TicketCreate = Schemas['TicketCreate'];
export type TicketPatch = Schemas['TicketPatch'];
export type TicketComment = Schemas['Comment'];
export type CommentCreate = Schemas['CommentCreate'];
export type Macro = Schemas['Macro'];
export type MacroInput = Schemas['MacroInput'];
export type MacroResult = Schemas['MacroResults']['data'][number];
export type SupportAgent = Schemas['SupportAgent'];
export type SupportGroup = Schemas['SupportGroup'];

export const ticketKeys = {
  all: ['tickets'] as const,
  lists: ['tickets', 'list'] as const,
  list: (query: TicketListQuery) => ['tickets', 'list', query] as const,
  detail: (id: string) => ['tickets', 'detail', id] as const,
  comments: (id: string) => ['tickets', 'comments', id] as const,
  macros: ['macros'] as const,
  agents: ['support-agents'] as const,
  groups: ['support-groups'] as const,
};

const PAGE_SIZE = 50;

export function fetchTickets(query: TicketListQuery, cursor?: string, signal?: AbortSignal): Promise<Page<Ticket>> {
  return unwrap(
    api.GET('/api/v1/tickets', {
      params: { query: { ...query, limit: PAGE_SIZE, ...(cursor ? { cursor } : {}) } as never },
      signal,
    }),
  );
}

export function useTicketList(query: TicketListQuery) {
  return useInfiniteQuery({
    queryKey: ticketKeys.list(query),
    queryFn: ({ pageParam, signal }) => fetchTickets(query, pageParam, signal),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    placeholderData: keepPreviousData,
    meta: { persist: true },
  });
}

export function fetchTicket(id: string, signal?: AbortSignal): Promise<Ticket> {
  return unwrap(api.GET('/api/v1/tickets/{id}', { params: { path: { id } }, signal }));
}

export function useTicket(id: string) {
  return useQuery({
    queryKey: ticketKeys.detail(id),
    queryFn: ({ signal }) => fetchTicket(id, signal),
    meta: { persist: true },
    // A 404 (deleted, or not visible to this user) will not change on a retry.
    retry: (count, error) => !(error instanceof Error && 'status' in error && error.status === 404) && count < 2,
  });
}

export function createTicket(body: TicketCreate): Promise<Ticket> {
  return idempotent((headers) => unwrap(api.POST('/api/v1/tickets', { params: { header: headers }, body })));
}

export function patchTicket(id: string, version: number, patch: TicketPatch): Promise<Ticket> {
  return unwrap(
    api.PATCH('/api/v1/tickets/{id}', {
      params: { path: { id }, header: ifMatch(version) },
      body: patch,
      headers: { 'Content-Type': 'application/merge-patch+json' },
    }),
  );
}

/** The whole conversation, oldest first: every page is loaded (a ticket's thread is short). */
export function useTicketComments(id: string) {
  return useInfiniteQuery({
    queryKey: ticketKeys.comments(id),
    queryFn: ({ pageParam, signal }) =>
      unwrap(
        api.GET('/api/v1/tickets/{id}/comments', {
          params: { path: { id }, query: { limit: 100, ...(pageParam ? { cursor: pageParam } : {}) } },
          signal,
        }),
      ),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    meta: { persist: true },
  });
}

export function addComment(ticketId: string, body: CommentCreate) {
  return idempotent((headers) =>
    unwrap(api.POST('/api/v1/tickets/{id}/comments', { params: { path: { id: ticketId }, header: headers }, body })),
  );
}

export function mergeTickets(targetId: string, version: number, sourceIds: string[]): Promise<Ticket> {
  return idempotent((headers) =>
    unwrap(
      api.POST('/api/v1/tickets/{id}/merge', {
        params: { path: { id: targetId }, header: { ...headers, ...ifMatch(version) } },
        body: { sourceIds },
      }),
    ),
  );
}

export function useMacros(enabled = true) {
  return useQuery({
    queryKey: ticketKeys.macros,
    queryFn: ({ signal }) => unwrap(api.GET('/api/v1/macros', { signal })).then((p) => p.data),
    staleTime: 60_000,
    enabled,
  });
}

export function applyMacro(macroId: string, ticketIds: string[]): Promise<MacroResult[]> {
  return idempotent((headers) =>
    unwrap(
      api.POST('/api/v1/macros/{id}/apply', {
        params: { path: { id: macroId }, header: headers },
        body: { ticketIds },
      }),
    ),
  ).then((r) => r.data);
}

export function createMacro(body: MacroInput): Promise<Macro> {
  return idempotent((headers) => unwrap(api.POST('/api/v1/macros', { params: { header: headers }, body })));
}

export function replaceMacro(id: string, version: number, body: MacroInput): Promise<Macro> {
  return unwrap(api.PUT('/api/v1/macros/{id}', { params: { path: { id }, header: ifMatch(version) }, body }));
}

export function deleteMacro(id: string, version: number): Promise<Macro> {
  return unwrap(api.DELETE('/api/v1/macros/{id}', { params: { path: { id }, header: ifMatch(version) } }));
}

export function useSupportAgents(enabled = true) {
  return useQuery({
    queryKey: ticketKeys.agents,
    queryFn: ({ signal }) => unwrap(api.GET('/api/v1/support-agents', { signal })).then((p) => p.data),
    staleTime: 5 * 60_000,
    enabled,
  });
}

export function useSupportGroups(enabled = true) {
  return useQuery({
    queryKey: ticketKeys.groups,
    queryFn: ({ signal }) => unwrap(api.GET('/api/v1/support-groups', { signal })).then((p) => p.data),
    staleTime: 5 * 60_000,
    enabled,
  });
}

/** A changed ticket replaces the cached one and the queues reload (its place in them may have moved). */
export function useTicketCache() {
  const client = useQueryClient();
  return (ticket: Ticket) => {
    client.setQueryData(ticketKeys.detail(ticket.id), ticket);
    void client.invalidateQueries({ queryKey: ticketKeys.lists });
  };
}
