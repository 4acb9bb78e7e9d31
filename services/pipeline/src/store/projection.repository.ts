import type { Collection, Connection } from 'mongoose';
import { lockKey, type DocumentLocks } from '@crm/service-kit';
import type { BoardCell, CellChange, ForecastCell, ProjectionChange, ProjectionTarget } from '../domain/projection';

interface ProjectionDocument {
  _id: string;
  tenantId: string;
  cells: Record<string, BoardCell | ForecastCell>;
  /** Ids of the latest events applied, oldest first: applying is idempotent within this memory. */
  applied: string[];
  updatedAt: Date;
}

export const BOARD_PROJECTIONS = 'board_projections';
export const FORECAST_PROJECTIONS = 'forecast_projections';

/**
 * How many event ids each projection document remembers. A redelivered event is one whose ack was lost, which
 * JetStream redelivers after the ack wait (30 s); this covers more than 30 changes per second to one pipeline.
 */
export const APPLIED_MEMORY = 1000;

/**
 * Board and forecast totals kept incrementally, one small document per (tenant, pipeline) and per (tenant,
 * month), each read by its _id: the only lookup that stays fast on FerretDB v1 as deals grow, where every other
 * query scans the whole collection. $group would scan too, and FerretDB v1 also sums only the first of several
 * accumulators in one $group.
 */
export class ProjectionRepository {
  private readonly board: Collection<ProjectionDocument>;
  private readonly forecast: Collection<ProjectionDocument>;

  constructor(
    connection: Connection,
    private readonly locks: DocumentLocks,
  ) {
    this.board = connection.collection<ProjectionDocument>(BOARD_PROJECTIONS);
    this.forecast = connection.collection<ProjectionDocument>(FORECAST_PROJECTIONS);
  }

  /** Applies one event's change to one document, once: the event id is recorded in the same write. */
  async apply(tenantId: string, eventId: string, change: ProjectionChange): Promise<boolean> {
    const { collection, id } = this.locate(tenantId, change.target);
    return this.locks.withLock(lockKey(collection.collectionName, id), async () => {
      const current = await collection.findOne({ _id: id }, { projection: { applied: 1, ...cellProjection(change.cells) } });
      if (current?.applied?.includes(eventId)) return false;
      const set: Record<string, unknown> = { tenantId, updatedAt: new Date(), applied: [...(current?.applied ?? []), eventId].slice(-APPLIED_MEMORY) };
      const unset: Record<string, ''> = {};
      for (const delta of change.cells) {
        const before = current?.cells?.[delta.key];
        const count = (before?.count ?? 0) + delta.count;
        const amountMinor = (before?.amountMinor ?? 0) + delta.amountMinor;
        if (count === 0 && amountMinor === 0) unset[`cells.${delta.key}`] = '';
        else set[`cells.${delta.key}`] = { ...delta.cell, count, amountMinor };
      }
      const update = Object.keys(unset).length > 0 ? { $set: set, $unset: unset } : { $set: set };
      await collection.updateOne({ _id: id }, update, { upsert: true });
      return true;
    });
  }

  async boardCells(tenantId: string, pipelineId: string): Promise<BoardCell[]> {
    const doc = await this.board.findOne({ _id: boardId(tenantId, pipelineId) }, { projection: { cells: 1 } });
    return Object.values(doc?.cells ?? {}) as BoardCell[];
  }

  async forecastCells(tenantId: string, months: readonly string[]): Promise<ForecastCell[]> {
    const docs = await Promise.all(months.map((month) => this.forecast.findOne({ _id: forecastId(tenantId, month) }, { projection: { cells: 1 } })));
    return docs.flatMap((doc) => Object.values(doc?.cells ?? {}) as ForecastCell[]);
  }

  /**
   * Replaces a tenant's projections with the given totals (a rebuild from the deals). Meant for quiet periods:
   * an event applied while the rebuild reads the deals may be counted twice or not at all.
   */
  async replaceTenant(tenantId: string, totals: Iterable<ProjectionChange>): Promise<number> {
    const written = new Set<string>();
    for (const change of totals) {
      const { collection, id } = this.locate(tenantId, change.target);
      const cells = Object.fromEntries(change.cells.filter((c) => c.count !== 0 || c.amountMinor !== 0).map((c) => [c.key, { ...c.cell, count: c.count, amountMinor: c.amountMinor }]));
      await this.locks.withLock(lockKey(collection.collectionName, id), () => collection.replaceOne({ _id: id }, { tenantId, cells, applied: [], updatedAt: new Date() }, { upsert: true }));
      written.add(`${collection.collectionName}:${id}`);
    }
    for (const collection of [this.board, this.forecast]) {
      const stale = await collection.find({ tenantId }, { projection: { _id: 1 } }).toArray();
      for (const doc of stale) {
        if (written.has(`${collection.collectionName}:${doc._id}`)) continue;
        await this.locks.withLock(lockKey(collection.collectionName, doc._id), () => collection.updateOne({ _id: doc._id }, { $set: { cells: {}, applied: [], updatedAt: new Date() } }));
      }
    }
    return written.size;
  }

  private locate(tenantId: string, target: ProjectionTarget): { collection: Collection<ProjectionDocument>; id: string } {
    return target.kind === 'board' ? { collection: this.board, id: boardId(tenantId, target.pipelineId) } : { collection: this.forecast, id: forecastId(tenantId, target.month) };
  }
}

function boardId(tenantId: string, pipelineId: string): string {
  return `${tenantId}:${pipelineId}`;
}

function forecastId(tenantId: string, month: string): string {
  return `${tenantId}:${month}`;
}

/** Reads only the cells a change touches, not the whole document. */
function cellProjection(cells: readonly CellChange[]): Record<string, 1> {
  return Object.fromEntries(cells.map((c) => [`cells.${c.key}`, 1 as const]));
}
