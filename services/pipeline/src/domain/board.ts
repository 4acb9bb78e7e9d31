// Board totals: per active stage, the count and, per currency, the total and weighted amounts.
import { weightedSum } from './money';
import type { Stage } from './stage';

/** The deals of one stage in one currency that the caller may see: a row of the read model's aggregate. */
export interface BoardCell {
  stageId: string;
  currency: string;
  count: number;
  amountMinor: number;
}

export interface CurrencyTotal {
  currency: string;
  dealCount: number;
  amountMinor: number;
  /** Σ amount × probability / 100, rounded once. */
  weightedMinor: number;
}

export interface ColumnTotals {
  stage: Stage;
  dealCount: number;
  totals: CurrencyTotal[];
}

/**
 * Cells must already be limited to what the caller may see. Every stage that is not archived has a column; an
 * archived stage only while deals are still in it (a crash during its archive), so no deal is ever out of sight.
 * Cells of unknown stages are left out.
 */
export function boardTotals(stages: readonly Stage[], cells: readonly BoardCell[]): ColumnTotals[] {
  const holding = new Set(cells.filter((c) => c.count > 0).map((c) => c.stageId));
  return stages
    .filter((stage) => !stage.archived || holding.has(stage.id))
    .map((stage) => {
      const byCurrency = new Map<string, { dealCount: number; amountMinor: number }>();
      for (const cell of cells) {
        if (cell.stageId !== stage.id || cell.count === 0) continue;
        const total = byCurrency.get(cell.currency) ?? { dealCount: 0, amountMinor: 0 };
        total.dealCount += cell.count;
        total.amountMinor += cell.amountMinor;
        byCurrency.set(cell.currency, total);
      }
      const totals = [...byCurrency.entries()]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([currency, t]) => ({
          currency,
          dealCount: t.dealCount,
          amountMinor: t.amountMinor,
          weightedMinor: weightedSum([{ amountMinor: t.amountMinor, probability: stage.probability }]),
        }));
      return { stage, dealCount: totals.reduce((n, t) => n + t.dealCount, 0), totals };
    });
}
