import { PersistQueryClientProvider } from '@tanstack/react-query-persist-client';
import { useMemo } from 'react';
import { RouterProvider } from 'react-router';
import type { Session } from '../auth/session-context';
import { SessionProvider } from '../auth/session-context';
import { LiveUpdatesProvider } from '../live/live-updates';
import { ToastProvider } from '../ui/toast';
import { PERSIST_MAX_AGE_MS, cacheKeyOf, createQueryClient, indexedDbPersister } from './query-client';
import { createRouter } from './routes';

/** Bump when a cached shape changes incompatibly; a new build never reads an older build's cache wrongly. */
const CACHE_BUSTER = 'v1';

export function App({ session }: { session: Session }) {
  const { auth, profile } = session;
  const client = useMemo(
    () =>
      createQueryClient(() => {
        // The session is over (renewal failed): sign in again and come back here.
        if (navigator.onLine) void auth.signIn(window.location.pathname + window.location.search);
      }),
    [auth],
  );
  const persister = useMemo(() => indexedDbPersister(cacheKeyOf(profile.tenant, profile.userId)), [profile]);
  const router = useMemo(() => createRouter(), []);
  return (
    <SessionProvider session={session}>
      <PersistQueryClientProvider
        client={client}
        // What was kept on this device shows at once; then everything on screen is refreshed from the server.
        onSuccess={() => void client.invalidateQueries()}
        persistOptions={{
          persister,
          maxAge: PERSIST_MAX_AGE_MS,
          buster: CACHE_BUSTER,
          dehydrateOptions: { shouldDehydrateQuery: (q) => q.state.status === 'success' && q.meta?.persist === true },
        }}
      >
        <ToastProvider>
          <LiveUpdatesProvider>
            <RouterProvider router={router} />
          </LiveUpdatesProvider>
        </ToastProvider>
      </PersistQueryClientProvider>
    </SessionProvider>
  );
}
