// The server-state cache. Lists, boards and records a user has seen are kept in IndexedDB (per tenant and user),
// so the installed app shows them offline; mutations pause while offline and run once the network is back.
import { QueryCache, QueryClient } from '@tanstack/react-query';
import type { PersistedClient, Persister } from '@tanstack/react-query-persist-client';
import { del, get, set } from 'idb-keyval';
import { ApiError } from '../api/problem';

declare module '@tanstack/react-query' {
  interface Register {
    queryMeta: { persist?: boolean };
  }
}

export const PERSIST_MAX_AGE_MS = 7 * 24 * 3600 * 1000;

export function createQueryClient(onUnauthorized: () => void): QueryClient {
  return new QueryClient({
    queryCache: new QueryCache({
      onError: (error) => {
        if (error instanceof ApiError && error.status === 401) onUnauthorized();
      },
    }),
    defaultOptions: {
      queries: {
        staleTime: 15_000,
        gcTime: PERSIST_MAX_AGE_MS,
        // Only failures that may pass on their own are retried; a 4xx will answer the same again.
        retry: (count, error) =>
          error instanceof ApiError && (error.kind === 'network' || error.status >= 500) && count < 2,
        refetchOnWindowFocus: true,
      },
      mutations: { retry: false },
    },
  });
}

/** Persists to IndexedDB at most once a second (the cache changes on every keystroke of a search). */
export function indexedDbPersister(key: string, throttleMs = 1000): Persister {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let latest: PersistedClient | undefined;
  const flush = () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    if (latest) void set(key, latest).catch(() => undefined);
    latest = undefined;
  };
  // Leaving the page (or the app going to the background) writes what is pending instead of waiting.
  window.addEventListener('pagehide', flush);
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'hidden') flush();
  });
  return {
    persistClient: (client) => {
      latest = client;
      timer ??= setTimeout(flush, throttleMs);
    },
    restoreClient: () => get<PersistedClient>(key),
    removeClient: async () => {
      if (timer) clearTimeout(timer);
      timer = undefined;
      latest = undefined;
      await del(key);
    },
  };
}

export function cacheKeyOf(tenant: string, userId: string): string {
  return `crm-cache:${tenant}:${userId}`;
}
