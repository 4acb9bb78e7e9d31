// @vitest-environment jsdom
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { act, renderHook, screen, waitFor } from '@testing-library/react';
import type { ReactNode } from 'react';
import { describe, expect, it } from 'vitest';
import { ApiError } from '../../api/problem';
import type { Board, Deal, Stage } from '../../api/types';
import { locateDeal, type MovePlan } from '../../domain/board';
import { ToastProvider } from '../../ui/toast';
import { useDealMove } from './use-deal-move';

const stage = (id: string, probability: number): Stage => ({
  id,
  name: id === 'lead' ? 'Lead' : 'Proposal',
  probability,
  kind: 'open',
  forecastCategory: 'pipeline',
  archived: false,
  archiving: false,
});

const deal = (id: string, stageId: string, version = 1): Deal =>
  ({
    id,
    title: `Deal ${id}`,
    stageId,
    status: 'open',
    version,
    ownerId: 'u1',
    amount: { amountMinor: 1000, currency: 'EUR' },
  }) as Deal;

function board(): Board {
  const col = (s: Stage, deals: Deal[]) => ({
    stage: s,
    dealCount: deals.length,
    totals: [
      {
        currency: 'EUR',
        dealCount: deals.length,
        amount: { amountMinor: 1000 * deals.length, currency: 'EUR' },
        weightedAmount: { amountMinor: 0, currency: 'EUR' },
      },
    ],
    deals,
    nextCursor: null,
  });
  return {
    pipeline: { id: 'p', name: 'P', stages: [], isDefault: true, version: 1 },
    columns: [
      col(stage('lead', 10), [deal('a', 'lead'), deal('b', 'lead')]),
      col(stage('proposal', 50), [deal('c', 'proposal')]),
    ],
  } as unknown as Board;
}

const KEY = ['board', 'p', {}];

function setup(send: (plan: MovePlan) => Promise<Deal>) {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false, staleTime: Infinity } } });
  client.setQueryData(KEY, board());
  const wrapper = ({ children }: { children: ReactNode }) => (
    <QueryClientProvider client={client}>
      <ToastProvider>{children}</ToastProvider>
    </QueryClientProvider>
  );
  const hook = renderHook(() => useDealMove(KEY, send), { wrapper });
  const current = () => client.getQueryData<Board>(KEY)!;
  return { client, hook, current };
}

describe('moving a deal optimistically', () => {
  it('shows the move before the server answers, sends the neighbours and the version seen, then keeps the server copy', async () => {
    let resolve: (deal: Deal) => void = () => undefined;
    const sent: MovePlan[] = [];
    const { hook, current } = setup((plan) => {
      sent.push(plan);
      return new Promise((r) => (resolve = r));
    });
    act(() => {
      expect(hook.result.current.move('a', { stageId: 'proposal', index: 1 })).toBe(true);
    });
    expect(locateDeal(current(), 'a')).toMatchObject({ column: 1, index: 1 });
    expect(current().columns[1]?.dealCount).toBe(2);
    await waitFor(() => expect(sent).toHaveLength(1));
    expect(sent[0]?.move).toEqual({ stageId: 'proposal', afterDealId: 'c' });
    expect(sent[0]?.original.version).toBe(1);
    await act(async () => resolve({ ...deal('a', 'proposal', 2), rank: 'zz' } as Deal));
    await waitFor(() => expect(locateDeal(current(), 'a')?.deal.version).toBe(2));
    expect(locateDeal(current(), 'a')).toMatchObject({ column: 1, index: 1 });
  });

  it('puts the card back and says so when the deal changed meanwhile (412)', async () => {
    const rejects: ((error: unknown) => void)[] = [];
    const { hook, current } = setup(() => new Promise((_r, reject) => rejects.push(reject)));
    act(() => void hook.result.current.move('b', { stageId: 'proposal', index: 0 }));
    expect(locateDeal(current(), 'b')?.column).toBe(1);
    await waitFor(() => expect(rejects).toHaveLength(1));
    await act(async () =>
      rejects[0]?.(ApiError.fromAnswer(412, { title: 'Precondition Failed', detail: 'version moved' })),
    );
    await waitFor(() => expect(locateDeal(current(), 'b')).toMatchObject({ column: 0, index: 1 }));
    expect(current().columns[0]?.dealCount).toBe(2);
    expect(current().columns[1]?.dealCount).toBe(1);
    expect(await screen.findByText('Someone else changed “Deal b” meanwhile')).toBeTruthy();
  });

  it('rolls back only the refused move when another one succeeded meanwhile', async () => {
    const rejects: ((e: unknown) => void)[] = [];
    const resolves: ((d: Deal) => void)[] = [];
    const { hook, current } = setup(
      () =>
        new Promise((resolve, reject) => {
          resolves.push(resolve);
          rejects.push(reject);
        }),
    );
    act(() => void hook.result.current.move('a', { stageId: 'proposal', index: 0 }));
    act(() => void hook.result.current.move('c', { stageId: 'lead', index: 0 }));
    await waitFor(() => expect(rejects).toHaveLength(2));
    await act(async () => rejects[0]?.(ApiError.network()));
    await act(async () => resolves[1]?.(deal('c', 'lead', 5)));
    await waitFor(() => expect(locateDeal(current(), 'c')?.deal.version).toBe(5));
    // lead was [a, b]; a left, c arrived on top ([c, b]); a comes back to its old place: [a, c, b].
    expect(current().columns[0]?.deals.map((d) => d.id)).toEqual(['a', 'c', 'b']);
    expect(current().columns[1]?.deals.map((d) => d.id)).toEqual([]);
    expect(await screen.findByText('Could not move “Deal a”')).toBeTruthy();
  });

  it('does nothing for a drop where the card already was', () => {
    const sent: MovePlan[] = [];
    const { hook } = setup((plan) => (sent.push(plan), Promise.resolve(plan.original)));
    let moved = true;
    act(() => {
      moved = hook.result.current.move('a', { stageId: 'lead', index: 0 });
    });
    expect(moved).toBe(false);
    expect(sent).toHaveLength(0);
  });
});
