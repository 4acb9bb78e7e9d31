// The first deals of a board column in rank order, kept beside the deals so that showing the top of a column
// reads a few deals by id instead of sorting the whole column (which FerretDB does in memory).

export interface HeadEntry {
  id: string;
  rank: string;
}

export interface ColumnHead {
  /** Ascending by (rank, id), the board's order. */
  entries: HeadEntry[];
  /** True when the entries are the whole column; otherwise every deal left out ranks after the last entry. */
  complete: boolean;
}

/** Enough for the largest first page the board serves (100) with room for deals the caller may not see. */
export const HEAD_SIZE = 200;

export function compareEntries(a: HeadEntry, b: HeadEntry): number {
  if (a.rank !== b.rank) return a.rank < b.rank ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** The head made from the first deals of a column, read in board order (at most size + 1 of them). */
export function headOf(firstDeals: readonly HeadEntry[], size = HEAD_SIZE): ColumnHead {
  return {
    entries: firstDeals.slice(0, size).map(({ id, rank }) => ({ id, rank })),
    complete: firstDeals.length <= size,
  };
}

/** A deal that entered the column or took a new rank in it. */
export function placeInHead(head: ColumnHead, entry: HeadEntry, size = HEAD_SIZE): ColumnHead {
  const others = head.entries.filter((e) => e.id !== entry.id);
  const last = others[others.length - 1];
  // Past the last entry of an incomplete head, deals the head does not hold may rank first: leave it out.
  const belongs = head.complete || (last !== undefined && compareEntries(entry, last) < 0);
  if (!belongs) return { entries: others, complete: head.complete };
  const entries = [...others, { id: entry.id, rank: entry.rank }].sort(compareEntries);
  return entries.length <= size
    ? { entries, complete: head.complete }
    : { entries: entries.slice(0, size), complete: false };
}

/** A deal that left the column (moved, deleted). */
export function removeFromHead(head: ColumnHead, id: string): ColumnHead {
  return { entries: head.entries.filter((e) => e.id !== id), complete: head.complete };
}

/** `firsts` (in order, at most `count`) with `entry` added if it is among the first `count`: for building heads in one pass. */
export function keepFirst(firsts: HeadEntry[], entry: HeadEntry, count: number): HeadEntry[] {
  const last = firsts[firsts.length - 1];
  if (firsts.length >= count && last !== undefined && compareEntries(entry, last) >= 0) return firsts;
  const at = firsts.findIndex((e) => compareEntries(entry, e) < 0);
  const next = at < 0 ? [...firsts, entry] : [...firsts.slice(0, at), entry, ...firsts.slice(at)];
  return next.slice(0, count);
}
