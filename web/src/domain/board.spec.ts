import { describe, expect, it } from 'vitest';
import type { Board, Deal, Stage } from '../api/types';
import {
  appendColumnPage,
  boardInconsistent,
  closingKindOf,
  locateDeal,
  moveDealOnBoard,
  moveRequestFor,
  normalizeBoard,
  planMove,
  replaceDeal,
  rollbackMove,
  weighted,
} from './board';

function stage(id: string, probability: number, kind: Stage['kind'] = 'open'): Stage {
  return {
    id,
    name: id,
    probability,
    kind,
    forecastCategory: kind === 'open' ? 'pipeline' : 'closed',
    archived: false,
    archiving: false,
  };
}

function deal(id: string, stageId: string, amountMinor?: number, currency = 'EUR'): Deal {
  return {
    id,
    title: `Deal ${id}`,
    stageId,
    status: 'open',
    probability: 10,
    forecastCategory: 'pipeline',
    version: 3,
    ownerId: 'u1',
    amount: amountMinor === undefined ? null : { amountMinor, currency },
  } as Deal;
}

function totals(deals: Deal[], probability: number) {
  const byCurrency = new Map<string, number[]>();
  for (const d of deals) {
    const c = d.amount?.currency ?? '';
    byCurrency.set(c, [...(byCurrency.get(c) ?? []), d.amount?.amountMinor ?? 0]);
  }
  return [...byCurrency.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([currency, amounts]) => {
      const sum = amounts.reduce((a, b) => a + b, 0);
      return {
        currency,
        dealCount: amounts.length,
        amount: currency ? { amountMinor: sum, currency } : null,
        weightedAmount: currency ? { amountMinor: weighted(sum, probability), currency } : null,
      };
    });
}

function board(columns: [Stage, Deal[]][]): Board {
  return {
    pipeline: { id: 'p1', name: 'Sales', stages: columns.map(([s]) => s), isDefault: true, version: 1 },
    columns: columns.map(([s, deals]) => ({
      stage: s,
      dealCount: deals.length,
      totals: totals(deals, s.probability),
      deals,
      nextCursor: null,
    })),
  } as Board;
}

const lead = stage('lead', 10);
const proposal = stage('proposal', 60);
const won = stage('won', 100, 'won');
const lost = stage('lost', 0, 'lost');

function sample(): Board {
  return board([
    [lead, [deal('a', 'lead', 10_000), deal('b', 'lead', 5_000), deal('c', 'lead')]],
    [proposal, [deal('d', 'proposal', 20_000), deal('e', 'proposal', 1_000, 'USD')]],
    [won, []],
    [lost, []],
  ]);
}

const ids = (b: Board, stageId: string) => b.columns.find((c) => c.stage.id === stageId)?.deals.map((d) => d.id);

describe('moving a deal on the board', () => {
  it('moves between columns to the given position and takes the stage', () => {
    const next = moveDealOnBoard(sample(), 'b', { stageId: 'proposal', index: 1 });
    expect(ids(next, 'lead')).toEqual(['a', 'c']);
    expect(ids(next, 'proposal')).toEqual(['d', 'b', 'e']);
    const moved = locateDeal(next, 'b')?.deal;
    expect(moved).toMatchObject({ stageId: 'proposal', probability: 60, status: 'open' });
  });

  it('keeps counts and per-currency totals of both columns right, weighted by the stage probability', () => {
    const next = moveDealOnBoard(sample(), 'a', { stageId: 'proposal', index: 0 });
    const [from, to] = next.columns;
    expect(from?.dealCount).toBe(2);
    expect(from?.totals).toEqual(totals([deal('b', 'lead', 5_000), deal('c', 'lead')], 10));
    expect(to?.dealCount).toBe(3);
    expect(to?.totals.find((t) => t.currency === 'EUR')).toEqual({
      currency: 'EUR',
      dealCount: 2,
      amount: { amountMinor: 30_000, currency: 'EUR' },
      weightedAmount: { amountMinor: 18_000, currency: 'EUR' },
    });
    expect(to?.totals.find((t) => t.currency === 'USD')?.dealCount).toBe(1);
  });

  it('drops a currency from a column when its last deal leaves, and adds it to an empty column', () => {
    const next = moveDealOnBoard(sample(), 'e', { stageId: 'won', index: 0 });
    expect(next.columns[1]?.totals.map((t) => t.currency)).toEqual(['EUR']);
    expect(next.columns[2]?.totals).toEqual([
      {
        currency: 'USD',
        dealCount: 1,
        amount: { amountMinor: 1_000, currency: 'USD' },
        weightedAmount: { amountMinor: 1_000, currency: 'USD' },
      },
    ]);
    expect(locateDeal(next, 'e')?.deal.status).toBe('won');
  });

  it('reorders within a column without touching counts or totals', () => {
    const before = sample();
    const next = moveDealOnBoard(before, 'c', { stageId: 'lead', index: 0 });
    expect(ids(next, 'lead')).toEqual(['c', 'a', 'b']);
    expect(next.columns[0]?.totals).toEqual(before.columns[0]?.totals);
    expect(next.columns[0]?.dealCount).toBe(3);
  });

  it('clamps a position beyond the end and leaves the board alone for an unknown deal or stage', () => {
    const next = moveDealOnBoard(sample(), 'a', { stageId: 'proposal', index: 99 });
    expect(ids(next, 'proposal')).toEqual(['d', 'e', 'a']);
    const same = sample();
    expect(moveDealOnBoard(same, 'zzz', { stageId: 'lead', index: 0 })).toBe(same);
    expect(moveDealOnBoard(same, 'a', { stageId: 'nope', index: 0 })).toBe(same);
  });

  it('does not change the board it was given', () => {
    const before = sample();
    const copy = JSON.parse(JSON.stringify(before)) as Board;
    moveDealOnBoard(before, 'a', { stageId: 'won', index: 0 });
    expect(before).toEqual(copy);
  });
});

describe('the move request sent to the server', () => {
  it('names the neighbours the card landed between', () => {
    const next = moveDealOnBoard(sample(), 'b', { stageId: 'proposal', index: 1 });
    expect(moveRequestFor(next, 'b')).toEqual({ stageId: 'proposal', afterDealId: 'd', beforeDealId: 'e' });
  });

  it('names only the deal below at the top, only the one above at the bottom, and top in an empty column', () => {
    expect(moveRequestFor(moveDealOnBoard(sample(), 'b', { stageId: 'proposal', index: 0 }), 'b')).toEqual({
      stageId: 'proposal',
      beforeDealId: 'd',
    });
    expect(moveRequestFor(moveDealOnBoard(sample(), 'b', { stageId: 'proposal', index: 2 }), 'b')).toEqual({
      stageId: 'proposal',
      afterDealId: 'e',
    });
    expect(moveRequestFor(moveDealOnBoard(sample(), 'b', { stageId: 'lost', index: 0 }), 'b', 'Price')).toEqual({
      stageId: 'lost',
      rank: 'top',
      lostReason: 'Price',
    });
  });

  it('plans nothing when the card is dropped where it was', () => {
    expect(planMove(sample(), 'b', { stageId: 'lead', index: 1 })).toBeUndefined();
    expect(planMove(sample(), 'b', { stageId: 'lead', index: 0 })?.move).toEqual({
      stageId: 'lead',
      beforeDealId: 'a',
    });
  });
});

describe('rolling a move back', () => {
  it('puts exactly that deal back in its place and state, keeping other moves made meanwhile', () => {
    const start = sample();
    const first = planMove(start, 'a', { stageId: 'proposal', index: 0 });
    expect(first).toBeDefined();
    const second = planMove(first!.next, 'd', { stageId: 'won', index: 0 });
    const rolledBack = rollbackMove(second!.next, first!.original, first!.from);
    expect(ids(rolledBack, 'lead')).toEqual(['a', 'b', 'c']);
    expect(locateDeal(rolledBack, 'a')?.deal).toEqual(first!.original);
    expect(ids(rolledBack, 'won')).toEqual(['d']);
    expect(rolledBack.columns[0]?.totals).toEqual(start.columns[0]?.totals);
    expect(rolledBack.columns[0]?.dealCount).toBe(3);
  });
});

describe('board helpers', () => {
  it('replaces a deal with the server copy in place', () => {
    const server = { ...deal('b', 'lead', 5_000), version: 9, rank: 'x' } as Deal;
    const next = replaceDeal(sample(), server);
    expect(locateDeal(next, 'b')).toMatchObject({ column: 0, index: 1, deal: { version: 9 } });
  });

  it('appends a further page of a column without duplicates', () => {
    const next = appendColumnPage(sample(), 'lead', [deal('c', 'lead'), deal('f', 'lead')], 'cur2');
    expect(ids(next, 'lead')).toEqual(['a', 'b', 'c', 'f']);
    expect(next.columns[0]?.nextCursor).toBe('cur2');
  });

  it('asks before a move into a won or lost stage, not within it or into an open one', () => {
    expect(closingKindOf(sample(), 'a', 'won')).toBe('won');
    expect(closingKindOf(sample(), 'a', 'lost')).toBe('lost');
    expect(closingKindOf(sample(), 'a', 'proposal')).toBeUndefined();
  });
});

describe('a board read while the read model catches up', () => {
  it('shows each deal once, in the column of its stage, at its rank', () => {
    const b = sample();
    const lagging: Board = {
      ...b,
      columns: b.columns.map((c, i) =>
        i === 0
          ? { ...c, deals: [...c.deals, { ...deal('d', 'proposal', 20_000), rank: 'm' } as Deal] }
          : i === 1
            ? { ...c, deals: c.deals.map((d) => ({ ...d, rank: d.id === 'd' ? 'm' : 'a' }) as Deal) }
            : c,
      ),
    };
    lagging.columns[0]!.deals[0] = { ...lagging.columns[0]!.deals[0]!, stageId: 'proposal', rank: 'z' } as Deal;
    expect(boardInconsistent(lagging)).toBe(true);
    const shown = normalizeBoard(lagging);
    expect(ids(shown, 'lead')).toEqual(['b', 'c']);
    expect(ids(shown, 'proposal')).toEqual(['e', 'd', 'a']);
  });

  it('leaves a consistent board as it is, and notices counts that do not add up', () => {
    const b = sample();
    expect(boardInconsistent(b)).toBe(false);
    expect(normalizeBoard(b)).toBe(b);
    expect(boardInconsistent({ ...b, columns: b.columns.map((c, i) => (i === 0 ? { ...c, dealCount: 4 } : c)) })).toBe(
      true,
    );
    expect(
      boardInconsistent({
        ...b,
        columns: b.columns.map((c, i) => (i === 0 ? { ...c, dealCount: 4, nextCursor: 'x' } : c)),
      }),
    ).toBe(false);
  });
});
