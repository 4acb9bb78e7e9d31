// Incremental projections for the board and the forecast. A deal contributes one count and its amount to one
// board cell (pipeline, stage, owner, team, currency) and, when it has a forecast date, to one forecast cell of
// its day and one of its month (owner, team, pipeline, stage, currency): whole months are read from the small
// month documents, only the edges of a custom range from the day documents. A change is the difference of two
// contributions, so changes commute: applied in any order, each exactly once, they add up to the current state.
import type { DealStatus } from './deal';

export interface DealFacts {
  pipelineId: string;
  stageId: string;
  status: DealStatus;
  ownerId: string;
  teamId: string;
  currency: string;
  amountMinor: number;
  forecastDate: string;
  deleted: boolean;
}

export interface BoardCellId {
  stageId: string;
  ownerId: string;
  teamId: string;
  currency: string;
}

export interface ForecastCellId {
  /** The day ("2026-03-14") in day documents, the month ("2026-03") in month documents. */
  date: string;
  ownerId: string;
  teamId: string;
  pipelineId: string;
  stageId: string;
  currency: string;
}

export interface Tally {
  count: number;
  amountMinor: number;
}

export type BoardCell = BoardCellId & Tally;
export type ForecastCell = ForecastCellId & Tally;

export type ForecastGrain = 'day' | 'month';

export type ProjectionTarget =
  | { kind: 'board'; pipelineId: string }
  | { kind: 'forecast'; month: string; grain: ForecastGrain };

export function targetKey(target: ProjectionTarget): string {
  return target.kind === 'board' ? `board:${target.pipelineId}` : `forecast:${target.month}:${target.grain}`;
}

export interface CellChange {
  key: string;
  cell: BoardCellId | ForecastCellId;
  count: number;
  amountMinor: number;
}

export interface ProjectionChange {
  target: ProjectionTarget;
  cells: CellChange[];
}

/** What changes in which projection document when a deal goes from `previous` to `next` (either may be absent). */
export function projectionChanges(previous: DealFacts | undefined, next: DealFacts | undefined): ProjectionChange[] {
  const byTarget = new Map<string, ProjectionChange>();
  const add = (target: ProjectionTarget, cell: BoardCellId | ForecastCellId, sign: 1 | -1, facts: DealFacts): void => {
    const change = byTarget.get(targetKey(target)) ?? { target, cells: [] };
    byTarget.set(targetKey(target), change);
    const key = cellKey(cell);
    const existing = change.cells.find((c) => c.key === key);
    if (existing) {
      existing.count += sign;
      existing.amountMinor += sign * facts.amountMinor;
    } else {
      change.cells.push({ key, cell, count: sign, amountMinor: sign * facts.amountMinor });
    }
  };
  for (const [facts, sign] of [
    [previous, -1],
    [next, 1],
  ] as const) {
    if (!facts || facts.deleted) continue;
    add({ kind: 'board', pipelineId: facts.pipelineId }, boardCellOf(facts), sign, facts);
    if (!facts.forecastDate) continue;
    const month = facts.forecastDate.slice(0, 7);
    add({ kind: 'forecast', month, grain: 'day' }, forecastCellOf(facts), sign, facts);
    add({ kind: 'forecast', month, grain: 'month' }, { ...forecastCellOf(facts), date: month }, sign, facts);
  }
  // A change that cancels out (e.g. a title edit) touches nothing.
  return [...byTarget.values()]
    .map((change) => ({ ...change, cells: change.cells.filter((c) => c.count !== 0 || c.amountMinor !== 0) }))
    .filter((change) => change.cells.length > 0);
}

export function boardCellOf(facts: DealFacts): BoardCellId {
  return { stageId: facts.stageId, ownerId: facts.ownerId, teamId: facts.teamId, currency: facts.currency };
}

export function forecastCellOf(facts: DealFacts): ForecastCellId {
  return {
    date: facts.forecastDate,
    ownerId: facts.ownerId,
    teamId: facts.teamId,
    pipelineId: facts.pipelineId,
    stageId: facts.stageId,
    currency: facts.currency,
  };
}

/**
 * A cell's key inside its projection document. Parts are escaped so that no key contains "." or starts with
 * "$" (both special in Mongo field names), and "~" separates them.
 */
export function cellKey(cell: BoardCellId | ForecastCellId): string {
  const parts =
    'date' in cell
      ? [cell.date, cell.pipelineId, cell.stageId, cell.ownerId, cell.teamId, cell.currency]
      : [cell.stageId, cell.ownerId, cell.teamId, cell.currency];
  return parts.map(escapeKeyPart).join('~');
}

function escapeKeyPart(part: string): string {
  return part.replace(/[%.$~]/g, (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** Sums cells by key: the state that a list of changes produces from nothing (used to rebuild projections). */
export function foldChanges(changes: readonly ProjectionChange[]): Map<string, ProjectionChange> {
  const targets = new Map<string, { target: ProjectionTarget; cells: Map<string, CellChange> }>();
  for (const change of changes) {
    const key = targetKey(change.target);
    const into = targets.get(key) ?? { target: change.target, cells: new Map<string, CellChange>() };
    targets.set(key, into);
    for (const cell of change.cells) {
      const existing = into.cells.get(cell.key);
      if (existing) {
        existing.count += cell.count;
        existing.amountMinor += cell.amountMinor;
      } else {
        into.cells.set(cell.key, { ...cell });
      }
    }
  }
  return new Map([...targets.entries()].map(([key, t]) => [key, { target: t.target, cells: [...t.cells.values()] }]));
}
