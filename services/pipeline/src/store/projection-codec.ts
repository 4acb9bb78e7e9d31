// How a projection document stores its cells: one compact JSON string, with every id written once in a
// dictionary and cells as rows of dictionary indexes plus count and amount. FerretDB v1 reads and writes at a
// few MB per second and pays per nested value, so a board of ~900 cells as nested objects took ~200 ms to read
// where this form takes a few ms. Pure: no I/O.
import { createHash } from 'node:crypto';
import { cellKey, type BoardCell, type ForecastCell } from '../domain/projection';

export type Cell = BoardCell | ForecastCell;

export interface Unpacked {
  cells: Map<string, Cell>;
  /** Digests of the event ids applied, oldest first. */
  applied: string[];
}

interface Packed {
  ids: string[];
  /** Board rows: stage, owner, team, currency, count, amount. Forecast rows: date, pipeline, stage, owner, team, currency, count, amount. */
  rows: number[][];
  applied: string[];
}

const BOARD_DIMENSIONS = ['stageId', 'ownerId', 'teamId', 'currency'] as const;
const FORECAST_DIMENSIONS = ['date', 'pipelineId', 'stageId', 'ownerId', 'teamId', 'currency'] as const;

export function unpack(data: string | undefined): Unpacked {
  if (!data) return { cells: new Map(), applied: [] };
  const packed = JSON.parse(data) as Packed;
  const cells = new Map<string, Cell>();
  for (const row of packed.rows) {
    const dimensions = row.length === BOARD_DIMENSIONS.length + 2 ? BOARD_DIMENSIONS : FORECAST_DIMENSIONS;
    const cell: Record<string, string | number> = {};
    dimensions.forEach((name, i) => (cell[name] = packed.ids[row[i] as number] as string));
    cell.count = row[dimensions.length] as number;
    cell.amountMinor = row[dimensions.length + 1] as number;
    cells.set(cellKey(cell as unknown as Cell), cell as unknown as Cell);
  }
  return { cells, applied: packed.applied };
}

export function pack(cells: Iterable<Cell>, applied: readonly string[]): string {
  const ids: string[] = [];
  const index = new Map<string, number>();
  const idOf = (value: string): number => {
    let i = index.get(value);
    if (i === undefined) {
      i = ids.push(value) - 1;
      index.set(value, i);
    }
    return i;
  };
  const rows: number[][] = [];
  for (const cell of cells) {
    const dimensions = 'date' in cell ? FORECAST_DIMENSIONS : BOARD_DIMENSIONS;
    rows.push([
      ...dimensions.map((name) => idOf((cell as unknown as Record<string, string>)[name] as string)),
      cell.count,
      cell.amountMinor,
    ]);
  }
  return JSON.stringify({ ids, rows, applied: [...applied] } satisfies Packed);
}

/** 72 bits of the event id's SHA-256: a collision among a thousand remembered ids is practically impossible. */
export function eventDigest(eventId: string): string {
  return createHash('sha256').update(eventId).digest('base64url').slice(0, 12);
}
