// Moving a deal on the board: the card lands at once (optimistic), the server is told where (between its new
// neighbours, with If-Match of the version the user saw), and a refusal puts exactly that card back and says why.
import { useMutation, useQueryClient, type QueryKey } from '@tanstack/react-query';
import { useCallback } from 'react';
import { moveDeal } from '../../api/deals.api';
import { ApiError, describeError } from '../../api/problem';
import { queryKeys } from '../../api/query-keys';
import type { Board, Deal } from '../../api/types';
import { normalizeBoard, planMove, replaceDeal, rollbackMove, type MovePlan, type Placement } from '../../domain/board';
import { useToasts } from '../../ui/toast';

export const MOVE_MUTATION_KEY = ['deal-move'] as const;

export type SendMove = (plan: MovePlan) => Promise<Deal>;

const sendMove: SendMove = (plan) => moveDeal(plan.original.id, plan.original.version, plan.move);

export function useDealMove(boardKey: QueryKey, send: SendMove = sendMove) {
  const client = useQueryClient();
  const toasts = useToasts();
  const mutation = useMutation({
    mutationKey: MOVE_MUTATION_KEY,
    mutationFn: (plan: MovePlan) => send(plan),
    onSuccess: (deal) => {
      const board = client.getQueryData<Board>(boardKey);
      if (board) client.setQueryData(boardKey, replaceDeal(board, deal));
      client.setQueryData(queryKeys.deals.detail(deal.id), deal);
    },
    onError: (error, plan) => {
      const board = client.getQueryData<Board>(boardKey);
      if (board) client.setQueryData(boardKey, rollbackMove(board, plan.original, plan.from));
      const title = plan.original.title;
      if (error instanceof ApiError && error.isConflict)
        toasts.show({
          kind: 'error',
          title: `Someone else changed “${title}” meanwhile`,
          body: 'Your move was undone; the board now shows the latest version. Try again if it still applies.',
        });
      else if (error instanceof ApiError && error.isNotFound)
        toasts.show({ kind: 'error', title: `“${title}” is no longer available`, body: describeError(error) });
      else toasts.error(error, `Could not move “${title}”`);
    },
    onSettled: () => {
      // While other moves are in flight their optimistic state stays; the last one to settle refetches.
      if (client.isMutating({ mutationKey: MOVE_MUTATION_KEY }) <= 1) {
        void client.invalidateQueries({ queryKey: queryKeys.boards.all });
        void client.invalidateQueries({ queryKey: queryKeys.forecast.all });
        void client.invalidateQueries({ queryKey: ['deals', 'list'] });
      }
    },
  });

  const { mutate } = mutation;
  /** Applies the move on screen in this very render, then sends it. False when the card did not move. */
  const move = useCallback(
    (dealId: string, to: Placement, lostReason?: string): boolean => {
      // A board fetch in flight must not land on top of the optimistic state (nor revert to before it).
      void client.cancelQueries({ queryKey: boardKey }, { revert: false, silent: true });
      const cached = client.getQueryData<Board>(boardKey);
      // Planned on the board as the user sees it (see normalizeBoard), not on a read model's momentary state.
      const plan = cached ? planMove(normalizeBoard(cached), dealId, to, lostReason) : undefined;
      if (!plan) return false;
      client.setQueryData(boardKey, plan.next);
      mutate(plan);
      return true;
    },
    [client, boardKey, mutate],
  );

  return { move, isPending: mutation.isPending };
}
