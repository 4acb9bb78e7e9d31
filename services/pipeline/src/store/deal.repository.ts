import type { Model, UpdateQuery } from 'mongoose';
import type { Logger } from 'pino';
import {
  lockKey,
  lookupEach,
  ScopedRepository,
  type DocumentLocks,
  type Filter,
  type OutboxRelay,
  type Principal,
} from '@crm/service-kit';
import { placeInHead, removeFromHead, type HeadEntry } from '../domain/column-head';
import type { Column, ColumnHeadRepository } from './column-head.repository';
import { DEALS_COLLECTION, type DealDocument } from './deal.schema';
import { decodeCursor, encodeCursor } from './page-cursor';

export interface DealListFilter {
  pipelineId?: string;
  stageId?: string;
  status?: string;
  ownerId?: string;
  teamId?: string;
  contactId?: string;
  companyId?: string;
  includeDeleted?: boolean;
}

export interface DealPage {
  deals: DealDocument[];
  nextCursor: string;
}

export interface ColumnHeads {
  repository: ColumnHeadRepository;
  size: number;
  log: Logger;
}

/** The board column a live deal is in; deleted deals are in none. */
export function columnOf(deal: DealDocument): Column | undefined {
  return deal.deletedAt ? undefined : { tenantId: deal.tenantId, pipelineId: deal.pipelineId, stageId: deal.stageId };
}

const sameColumn = (a: Column, b: Column) =>
  a.tenantId === b.tenantId && a.pipelineId === b.pipelineId && a.stageId === b.stageId;

/** Deals, always scoped to the caller's tenant and visibility (resource "deals" for partner scopes). */
export class DealRepository extends ScopedRepository<DealDocument> {
  constructor(
    model: Model<DealDocument>,
    relay: OutboxRelay,
    locks: DocumentLocks,
    private readonly heads: ColumnHeads,
  ) {
    super(model, 'deals', 'deal', relay, locks);
  }

  /** Keeps the column heads in step with every deal write (see domain/column-head). */
  protected override async afterWrite(before: DealDocument | undefined, after: DealDocument): Promise<void> {
    const from = before ? columnOf(before) : undefined;
    const to = columnOf(after);
    const stays = Boolean(from && to && sameColumn(from, to));
    try {
      if (from && !stays) await this.heads.repository.change(from, (head) => removeFromHead(head, after._id));
      if (to && !(stays && before?.rank === after.rank))
        await this.heads.repository.change(to, (head) =>
          placeInHead(head, { id: after._id, rank: after.rank }, this.heads.size),
        );
    } catch (error) {
      // The write itself stands; the board finds the stale head when it checks it, and rebuilds it.
      this.heads.log.warn({ err: error, dealId: after._id }, 'column head not updated');
    }
  }

  /** The first `count` live deals of a column in board order, whoever owns them: what a column head is built from. */
  async firstOfColumn(column: Column, count: number): Promise<HeadEntry[]> {
    const deals = await this.model
      .find({ ...column, deletedAt: null }, { _id: 1, rank: 1 })
      .sort({ rank: 1, _id: 1 })
      .limit(count)
      .lean<Array<Pick<DealDocument, '_id' | 'rank'>>>();
    return deals.map((deal) => ({ id: deal._id, rank: deal.rank }));
  }

  /** Deals of a tenant by id, whoever may see them, each read by _id: for checking a column head. */
  inTenantByIds(tenantId: string, ids: readonly string[]): Promise<DealDocument[]> {
    return lookupEach(ids, async (id) => {
      const deal = await this.model.findOne({ _id: id }, { outbox: 0 }).lean<DealDocument>();
      return deal?.tenantId === tenantId ? deal : undefined;
    });
  }

  /**
   * One page in a stable order: board order (rank, then id) within a stage, else creation order (UUIDv7 ids).
   * The cursor holds the last item's sort key, so pages never skip or repeat an item that stays put.
   */
  async list(principal: Principal, filter: DealListFilter, limit: number, cursor = ''): Promise<DealPage> {
    const boardOrder = Boolean(filter.stageId);
    const after = decodeCursor(cursor);
    const query: Filter = fieldFilter(filter);
    if (after) {
      const clauses =
        boardOrder && after.r !== undefined
          ? [{ rank: { $gt: after.r } }, { rank: after.r, _id: { $gt: after.i } }]
          : [{ _id: { $gt: after.i } }];
      // Under $and, so that it cannot collide with the $or of the visibility filter.
      query.$and = [{ $or: clauses }];
    }
    const sort: Record<string, 1> = boardOrder ? { rank: 1, _id: 1 } : { _id: 1 };
    const found = await this.find(principal, query, { sort, limit: limit + 1, includeDeleted: filter.includeDeleted });
    const deals = found.slice(0, limit);
    const last = deals[deals.length - 1];
    const nextCursor =
      found.length > limit && last ? encodeCursor(boardOrder ? { r: last.rank, i: last._id } : { i: last._id }) : '';
    return { deals, nextCursor };
  }

  /** Every live deal in a stage, whoever owns it: archiving must not strand deals the admin cannot see. */
  countInStage(tenantId: string, pipelineId: string, stageId: string): Promise<number> {
    return this.model.countDocuments({ tenantId, pipelineId, stageId, deletedAt: null });
  }

  /** Ids of the deals (deleted ones too) that refer to a contact or company, for the contact-data consumer. */
  async idsReferencing(tenantId: string, field: 'contactId' | 'companyId', id: string): Promise<string[]> {
    const docs = await this.model.find({ tenantId, [field]: id }, { _id: 1 }).lean<Array<{ _id: string }>>();
    return docs.map((d) => d._id);
  }

  /**
   * A change the service makes on its own that is no edit of the deal (a refreshed contact summary): no version
   * bump and no event, but under the document's lock like every write. `change` sees the current document and
   * returns the update, or nothing to leave it alone.
   */
  async patchUnversioned(
    tenantId: string,
    id: string,
    change: (current: DealDocument) => UpdateQuery<DealDocument> | undefined,
  ): Promise<boolean> {
    return this.locks.withLock(lockKey(DEALS_COLLECTION, id), async () => {
      // By _id alone, which every store answers from its primary index; the tenant is checked on the document.
      const found = await this.model.findOne({ _id: id }, { outbox: 0 }).lean<DealDocument>();
      const current = found?.tenantId === tenantId ? found : undefined;
      const update = current ? change(current) : undefined;
      if (!update) return false;
      await this.model.updateOne({ _id: id }, update);
      return true;
    });
  }

  /**
   * Live deals of a tenant in batches, for rebuilding projections. One cursor rather than keyset pages: on
   * FerretDB v1 every page query (a range and a sort) would read all the tenant's deals again.
   */
  async *scanTenant(tenantId: string, batchSize = 1000): AsyncGenerator<DealDocument[]> {
    const cursor = this.model
      .find({ tenantId, deletedAt: null }, { outbox: 0, stageHistory: 0, customFields: 0 })
      .lean<DealDocument[]>()
      .cursor({ batchSize });
    let batch: DealDocument[] = [];
    for await (const deal of cursor) {
      batch.push(deal as DealDocument);
      if (batch.length >= batchSize) {
        yield batch;
        batch = [];
      }
    }
    if (batch.length > 0) yield batch;
  }
}

function fieldFilter(filter: DealListFilter): Filter {
  const query: Filter = {};
  for (const key of ['pipelineId', 'stageId', 'status', 'ownerId', 'teamId', 'contactId', 'companyId'] as const) {
    const value = filter[key];
    if (value) query[key] = value;
  }
  return query;
}
