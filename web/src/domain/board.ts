// The deals board as the client holds it: moving a card between or within columns (optimistically, before the
// server answers), the request that tells the server where the card landed, and the column figures that follow.
import type { Board, BoardColumn, CurrencyTotal, Deal, DealMove, Stage } from '../api/types';

export interface Placement {
  stageId: string;
  /** Position in the target column's loaded deals, after the card left its old place. */
  index: number;
}

export interface DealLocation {
  column: number;
  index: number;
  deal: Deal;
}

export function locateDeal(board: Board, dealId: string): DealLocation | undefined {
  for (let column = 0; column < board.columns.length; column += 1) {
    const deals = board.columns[column]?.deals ?? [];
    const index = deals.findIndex((d) => d.id === dealId);
    const deal = deals[index];
    if (deal) return { column, index, deal };
  }
  return undefined;
}

export type DealStatus = 'open' | 'won' | 'lost';

export function statusOfStage(stage: Pick<Stage, 'kind'>): DealStatus {
  return stage.kind === 'won' ? 'won' : stage.kind === 'lost' ? 'lost' : 'open';
}

/** Σ amount × probability / 100, rounded once, as the server computes a column's weighted total. */
export function weighted(amountMinor: number, probability: number): number {
  return Math.round((amountMinor * probability) / 100);
}

function adjustTotals(totals: CurrencyTotal[], deal: Deal, stage: Stage, sign: 1 | -1): CurrencyTotal[] {
  const currency = deal.amount?.currency ?? '';
  const amountMinor = deal.amount?.amountMinor ?? 0;
  const next = totals.map((t) => ({ ...t }));
  let entry = next.find((t) => t.currency === currency);
  if (!entry) {
    entry = {
      currency,
      dealCount: 0,
      amount: currency ? { amountMinor: 0, currency } : null,
      weightedAmount: currency ? { amountMinor: 0, currency } : null,
    };
    next.push(entry);
    next.sort((a, b) => a.currency.localeCompare(b.currency));
  }
  entry.dealCount += sign;
  if (entry.amount) {
    const total = entry.amount.amountMinor + sign * amountMinor;
    entry.amount = { amountMinor: total, currency };
    entry.weightedAmount = { amountMinor: weighted(total, stage.probability), currency };
  }
  return next.filter((t) => t.dealCount > 0);
}

function withoutDeal(column: BoardColumn, deal: Deal): BoardColumn {
  return {
    ...column,
    deals: column.deals.filter((d) => d.id !== deal.id),
    dealCount: Math.max(0, column.dealCount - 1),
    totals: adjustTotals(column.totals, deal, column.stage, -1),
  };
}

function withDeal(column: BoardColumn, deal: Deal, index: number): BoardColumn {
  const deals = [...column.deals];
  deals.splice(Math.max(0, Math.min(index, deals.length)), 0, deal);
  return {
    ...column,
    deals,
    dealCount: column.dealCount + 1,
    totals: adjustTotals(column.totals, deal, column.stage, 1),
  };
}

/**
 * The board with one deal moved to a column and position; the deal takes the target stage's status and
 * probability, and both columns' counts and totals follow. Unknown deals or stages leave the board as it is.
 */
export function moveDealOnBoard(board: Board, dealId: string, to: Placement): Board {
  const from = locateDeal(board, dealId);
  const target = board.columns.findIndex((c) => c.stage.id === to.stageId);
  const targetColumn = board.columns[target];
  if (!from || !targetColumn) return board;
  if (from.column === target) {
    const deals = [...targetColumn.deals];
    deals.splice(from.index, 1);
    deals.splice(Math.max(0, Math.min(to.index, deals.length)), 0, from.deal);
    return { ...board, columns: board.columns.map((c, i) => (i === target ? { ...c, deals } : c)) };
  }
  const stage = targetColumn.stage;
  const moved: Deal = {
    ...from.deal,
    stageId: stage.id,
    status: statusOfStage(stage),
    probability: stage.probability,
    forecastCategory: stage.forecastCategory,
  };
  return {
    ...board,
    columns: board.columns.map((column, i) => {
      if (i === from.column) return withoutDeal(column, from.deal);
      if (i === target) return withDeal(column, moved, to.index);
      return column;
    }),
  };
}

/** Where the server should put the deal: between the neighbours it now has in its column on this board. */
export function moveRequestFor(board: Board, dealId: string, lostReason?: string): DealMove | undefined {
  const at = locateDeal(board, dealId);
  const column = at ? board.columns[at.column] : undefined;
  if (!at || !column) return undefined;
  const above = column.deals[at.index - 1];
  const below = column.deals[at.index + 1];
  const move: DealMove = { stageId: column.stage.id };
  if (above) move.afterDealId = above.id;
  if (below) move.beforeDealId = below.id;
  if (!above && !below) move.rank = 'top';
  if (lostReason) move.lostReason = lostReason;
  return move;
}

/** The server's copy of a deal (new version and rank) in place of the optimistic one, wherever it sits. */
export function replaceDeal(board: Board, deal: Deal): Board {
  const at = locateDeal(board, deal.id);
  if (!at) return board;
  return {
    ...board,
    columns: board.columns.map((column, i) =>
      i === at.column ? { ...column, deals: column.deals.map((d) => (d.id === deal.id ? deal : d)) } : column,
    ),
  };
}

/** More deals of a column (the next page in board order), without duplicates. */
export function appendColumnPage(board: Board, stageId: string, deals: Deal[], nextCursor: string | null): Board {
  return {
    ...board,
    columns: board.columns.map((column) => {
      if (column.stage.id !== stageId) return column;
      const known = new Set(column.deals.map((d) => d.id));
      return { ...column, deals: [...column.deals, ...deals.filter((d) => !known.has(d.id))], nextCursor };
    }),
  };
}

/** A move into a won or lost stage asks first (and for lost, the reason the API requires). */
export function closingKindOf(board: Board, dealId: string, stageId: string): 'won' | 'lost' | undefined {
  const at = locateDeal(board, dealId);
  const stage = board.columns.find((c) => c.stage.id === stageId)?.stage;
  if (!at || !stage || at.deal.stageId === stageId) return undefined;
  return stage.kind === 'won' ? 'won' : stage.kind === 'lost' ? 'lost' : undefined;
}

export interface MovePlan {
  /** The board as it looks once the move is applied (shown at once, before the server answers). */
  next: Board;
  /** What POST /deals/{id}/move is sent. */
  move: DealMove;
  /** The deal as it was, and where it was: what a rollback restores. */
  original: Deal;
  from: Placement;
}

/** Everything an optimistic move needs; undefined when the card did not actually move. */
export function planMove(board: Board, dealId: string, to: Placement, lostReason?: string): MovePlan | undefined {
  const at = locateDeal(board, dealId);
  const column = at ? board.columns[at.column] : undefined;
  if (!at || !column) return undefined;
  const from = { stageId: column.stage.id, index: at.index };
  if (from.stageId === to.stageId && from.index === to.index) return undefined;
  const next = moveDealOnBoard(board, dealId, to);
  const move = moveRequestFor(next, dealId, lostReason);
  if (!move) return undefined;
  return { next, move, original: at.deal, from };
}

/**
 * Undoes one optimistic move on the board as it is now (other moves made meanwhile stay): the deal goes back
 * to its old place with its old state.
 */
export function rollbackMove(board: Board, original: Deal, from: Placement): Board {
  return replaceDeal(moveDealOnBoard(board, original.id, from), original);
}

/**
 * The board as the server's read model may briefly return it after a write: a deal already in its new stage but
 * still listed under its old column (or under both). Each deal is shown once, in the column of its stage, at its
 * rank; the refetch that follows (see live updates) brings the columns themselves up to date.
 */
export function normalizeBoard(board: Board): Board {
  const byStage = new Map(board.columns.map((c) => [c.stage.id, [] as Deal[]]));
  const seen = new Set<string>();
  let changed = false;
  for (const column of board.columns)
    for (const deal of column.deals) {
      if (seen.has(deal.id)) {
        changed = true;
        continue;
      }
      seen.add(deal.id);
      const target = byStage.has(deal.stageId) ? deal.stageId : column.stage.id;
      if (target !== column.stage.id) changed = true;
      byStage.get(target)?.push(deal);
    }
  if (!changed) return board;
  const byRank = (a: Deal, b: Deal) => (a.rank < b.rank ? -1 : a.rank > b.rank ? 1 : a.id.localeCompare(b.id));
  return {
    ...board,
    columns: board.columns.map((column) => ({
      ...column,
      deals: [...(byStage.get(column.stage.id) ?? [])].sort(byRank),
    })),
  };
}

/** True when the columns disagree with themselves: a deal in a column not of its stage, or listed twice, or a
 * fully loaded column whose count is not the number of its deals. */
export function boardInconsistent(board: Board): boolean {
  const seen = new Set<string>();
  for (const column of board.columns) {
    if (column.nextCursor === null && column.dealCount !== column.deals.length) return true;
    for (const deal of column.deals) {
      if (deal.stageId !== column.stage.id || seen.has(deal.id)) return true;
      seen.add(deal.id);
    }
  }
  return false;
}
