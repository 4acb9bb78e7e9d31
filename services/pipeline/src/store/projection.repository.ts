import type { Collection, Connection } from 'mongoose';
import { lockKey, type DocumentLocks } from '@crm/service-kit';
import type { BoardCell, ForecastCell, ForecastGrain, ProjectionChange, ProjectionTarget } from '../domain/projection';
import { eventDigest, pack, unpack, type Cell } from './projection-codec';

interface ProjectionDocument {
  _id: string;
  tenantId: string;
  /** Cells and applied event digests, packed by projection-codec. */
  data: string;
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
 * Board and forecast totals kept incrementally, one small document per (tenant, pipeline) and two per (tenant,
 * month), by day and by month, each read by its _id. On FerretDB v1 a sum over the deals would read every deal,
 * $group sums only the first of several accumulators, and reads cost in proportion to bytes: hence these small
 * documents and the compact encoding of projection-codec.
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

  /** Applies one event's change to one document, once: the event's digest is recorded in the same write. */
  async apply(tenantId: string, eventId: string, change: ProjectionChange): Promise<boolean> {
    const { collection, id } = this.locate(tenantId, change.target);
    const digest = eventDigest(eventId);
    return this.locks.withLock(lockKey(collection.collectionName, id), async () => {
      const { cells, applied } = unpack((await collection.findOne({ _id: id }))?.data);
      if (applied.includes(digest)) return false;
      for (const delta of change.cells) {
        const before = cells.get(delta.key);
        const count = (before?.count ?? 0) + delta.count;
        const amountMinor = (before?.amountMinor ?? 0) + delta.amountMinor;
        // A cell that nets to nothing goes, so documents only hold what exists.
        if (count === 0 && amountMinor === 0) cells.delete(delta.key);
        else cells.set(delta.key, { ...delta.cell, count, amountMinor } as Cell);
      }
      const data = pack(cells.values(), [...applied, digest].slice(-APPLIED_MEMORY));
      await collection.updateOne({ _id: id }, { $set: { tenantId, data, updatedAt: new Date() } }, { upsert: true });
      return true;
    });
  }

  async boardCells(tenantId: string, pipelineId: string): Promise<BoardCell[]> {
    const doc = await this.board.findOne({ _id: boardId(tenantId, pipelineId) });
    return [...unpack(doc?.data).cells.values()] as BoardCell[];
  }

  /** Cells of the given month documents: per day, or (for months a period covers whole) per month. */
  async forecastCells(
    tenantId: string,
    months: ReadonlyArray<{ month: string; grain: ForecastGrain }>,
  ): Promise<ForecastCell[]> {
    const docs = await Promise.all(
      months.map(({ month, grain }) => this.forecast.findOne({ _id: forecastId(tenantId, month, grain) })),
    );
    return docs.flatMap((doc) => [...unpack(doc?.data).cells.values()] as ForecastCell[]);
  }

  /**
   * Replaces a tenant's projections with the given totals (a rebuild from the deals). Meant for quiet periods:
   * an event applied while the rebuild reads the deals may be counted twice or not at all.
   */
  async replaceTenant(tenantId: string, totals: Iterable<ProjectionChange>): Promise<number> {
    const written = new Set<string>();
    for (const change of totals) {
      const { collection, id } = this.locate(tenantId, change.target);
      const cells = change.cells
        .filter((c) => c.count !== 0 || c.amountMinor !== 0)
        .map((c) => ({ ...c.cell, count: c.count, amountMinor: c.amountMinor }) as Cell);
      await this.locks.withLock(lockKey(collection.collectionName, id), () =>
        collection.replaceOne(
          { _id: id },
          { tenantId, data: pack(cells, []), updatedAt: new Date() },
          { upsert: true },
        ),
      );
      written.add(`${collection.collectionName}:${id}`);
    }
    for (const collection of [this.board, this.forecast]) {
      const existing = await collection.find({ tenantId }, { projection: { _id: 1 } }).toArray();
      for (const doc of existing) {
        if (written.has(`${collection.collectionName}:${doc._id}`)) continue;
        await this.locks.withLock(lockKey(collection.collectionName, doc._id), () =>
          collection.deleteOne({ _id: doc._id }),
        );
      }
    }
    return written.size;
  }

  private locate(
    tenantId: string,
    target: ProjectionTarget,
  ): { collection: Collection<ProjectionDocument>; id: string } {
    return target.kind === 'board'
      ? { collection: this.board, id: boardId(tenantId, target.pipelineId) }
      : { collection: this.forecast, id: forecastId(tenantId, target.month, target.grain) };
  }
}

function boardId(tenantId: string, pipelineId: string): string {
  return `${tenantId}:${pipelineId}`;
}

function forecastId(tenantId: string, month: string, grain: ForecastGrain): string {
  return `${tenantId}:${month}:${grain}`;
}
