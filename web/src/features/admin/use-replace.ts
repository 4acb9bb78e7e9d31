// Saving a whole admin record (PUT with If-Match). On 412 the latest version is loaded and the records
// conflict dialog explains what changed meanwhile; re-applying puts the user's version on top of the latest.
import { useState } from 'react';
import { ApiError } from '../../api/problem';
import { changedFields, conflictOf } from '../../domain/record-conflict';
import { useToasts } from '../../ui/toast';
import type { PendingConflict } from '../records/use-versioned-patch';

export function useReplace<T extends { version: number }, I extends object>(options: {
  replace: (version: number, input: I) => Promise<T>;
  fetchLatest: () => Promise<T>;
  onSaved: (record: T) => void;
}) {
  const toasts = useToasts();
  const [pending, setPending] = useState<(PendingConflict<T, Partial<I>> & { input: I }) | undefined>();

  const save = async (base: T, input: I): Promise<boolean> => {
    try {
      options.onSaved(await options.replace(base.version, input));
      return true;
    } catch (error) {
      if (error instanceof ApiError && error.isConflict) {
        const latest = await options.fetchLatest();
        const mine = Object.fromEntries(
          changedFields(base, { ...base, ...input }).map((c) => [c.field, c.after]),
        ) as Partial<I>;
        setPending({ base, latest, patch: mine, input, conflict: conflictOf(base, latest, mine) });
      } else toasts.error(error, 'Not saved');
      return false;
    }
  };

  return {
    save,
    pending,
    reapply: async () => {
      if (!pending) return;
      setPending(undefined);
      await save(pending.latest, pending.input);
    },
    discard: () => {
      if (pending) options.onSaved(pending.latest);
      setPending(undefined);
    },
  };
}
