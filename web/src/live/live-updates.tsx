// Follows the live event stream while signed in and marks what each event changed as stale, so every open
// screen (the board of a colleague, a contact's timeline) shows it without a reload.
import { useQueryClient } from '@tanstack/react-query';
import { createContext, useContext, useEffect, useRef, useState, type ReactNode } from 'react';
import { useSession } from '../auth/session-context';
import type { Board } from '../api/types';
import { boardInconsistent } from '../domain/board';
import { invalidationsFor, staleRecords, type LiveEvent } from '../domain/live-events';
import { openEventStream, type StreamStatus } from './event-stream';

const StatusContext = createContext<StreamStatus>('connecting');

type Listener = (event: LiveEvent) => void;
const listeners = new Set<Listener>();

/** Screens that want the events themselves (e.g. to flash a card) subscribe here. */
export function onLiveEvent(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function LiveUpdatesProvider({ children }: { children: ReactNode }) {
  const { auth } = useSession();
  const client = useQueryClient();
  const [status, setStatus] = useState<StreamStatus>('connecting');
  const pending = useRef(new Map<string, readonly (string | number)[]>());
  const timer = useRef<number | undefined>(undefined);

  // Read models may lag a moment behind the events: a refetch that still shows an older version than an event
  // announced is repeated, with growing pauses, until it catches up.
  useEffect(() => {
    const announced = new Map<string, number>();
    const retries = new Map<string, number>();
    const forget = onLiveEvent((event) => {
      if ((announced.get(event.aggregateId) ?? 0) < event.aggregateVersion)
        announced.set(event.aggregateId, event.aggregateVersion);
    });
    const unsubscribe = client.getQueryCache().subscribe((change) => {
      if (change.type !== 'updated' || change.action.type !== 'success') return;
      const query = change.query;
      const data = query.state.data;
      const lagging =
        staleRecords(data, announced).length > 0 || (query.queryKey[0] === 'board' && boardInconsistent(data as Board));
      const attempt = retries.get(query.queryHash) ?? 0;
      if (!lagging || attempt >= 5) return void retries.delete(query.queryHash);
      retries.set(query.queryHash, attempt + 1);
      window.setTimeout(
        () => void client.invalidateQueries({ queryKey: query.queryKey, exact: true }),
        200 * 2 ** attempt,
      );
    });
    return () => {
      forget();
      unsubscribe();
    };
  }, [client]);

  useEffect(() => {
    // Bursts (an import, a bulk move) coalesce into one refetch per query.
    const flush = () => {
      timer.current = undefined;
      const keys = [...pending.current.values()];
      pending.current.clear();
      // A board with a move in flight is refetched when the move settles; refetching it now would flicker.
      const moving = client.isMutating({ mutationKey: ['deal-move'] }) > 0;
      for (const queryKey of keys) {
        if (moving && queryKey[0] === 'board') continue;
        void client.invalidateQueries({ queryKey: [...queryKey] });
      }
    };
    const stream = openEventStream({
      url: `${window.location.origin}/api/v1/events`,
      token: () => auth.accessToken(),
      renew: () => auth.renew(),
      onStatus: setStatus,
      onEvent: (event) => {
        for (const listener of listeners) listener(event);
        for (const key of invalidationsFor(event)) pending.current.set(JSON.stringify(key), key);
        timer.current ??= window.setTimeout(flush, 150);
      },
    });
    return () => {
      stream.close();
      if (timer.current) window.clearTimeout(timer.current);
    };
  }, [auth, client]);

  return <StatusContext.Provider value={status}>{children}</StatusContext.Provider>;
}

export function useLiveStatus(): StreamStatus {
  return useContext(StatusContext);
}
