// Saving an edit to a versioned record: PATCH with If-Match of the version on screen. On 412 the latest version
// is loaded and a conflict is raised, so the user sees what changed and can re-apply their edit on top of it.
import { useQueryClient, type QueryKey } from '@tanstack/react-query';
import { useCallback, useState } from 'react';
import { ApiError } from '../../api/problem';
import { conflictOf, type Conflict } from '../../domain/record-conflict';
import { useToasts } from '../../ui/toast';

export interface Versioned {
  version: number;
}

export interface PendingConflict<T, P> {
  base: T;
  latest: T;
  patch: P;
  conflict: Conflict;
}

export interface VersionedPatch<T, P> {
  save: (patch: P) => Promise<boolean>;
  saving: boolean;
  conflict: PendingConflict<T, P> | undefined;
  reapply: () => Promise<void>;
  discard: () => void;
}

export function useVersionedPatch<T extends Versioned, P extends object>(options: {
  queryKey: QueryKey;
  send: (version: number, patch: P) => Promise<T>;
  fetchLatest: () => Promise<T>;
  onSaved?: (record: T) => void;
}): VersionedPatch<T, P> {
  const client = useQueryClient();
  const toasts = useToasts();
  const [saving, setSaving] = useState(false);
  const [conflict, setConflict] = useState<PendingConflict<T, P> | undefined>();
  const { queryKey, send, fetchLatest, onSaved } = options;

  const save = useCallback(
    async (patch: P): Promise<boolean> => {
      const base = client.getQueryData<T>(queryKey);
      if (!base) return false;
      setSaving(true);
      try {
        const saved = await send(base.version, patch);
        client.setQueryData(queryKey, saved);
        onSaved?.(saved);
        return true;
      } catch (error) {
        if (error instanceof ApiError && error.isConflict) {
          const latest = await fetchLatest();
          client.setQueryData(queryKey, latest);
          setConflict({ base, latest, patch, conflict: conflictOf(base, latest, patch) });
        } else {
          toasts.error(error, 'Not saved');
        }
        return false;
      } finally {
        setSaving(false);
      }
    },
    [client, queryKey, send, fetchLatest, onSaved, toasts],
  );

  const reapply = useCallback(async () => {
    if (!conflict) return;
    setConflict(undefined);
    await save(conflict.patch);
  }, [conflict, save]);

  return { save, saving, conflict, reapply, discard: () => setConflict(undefined) };
}
