import { ServiceError, visibilityFilter, type Principal } from '@crm/service-kit';
import { headOf, type ColumnHead } from '../domain/column-head';
import type { Column, StoredHead } from '../store/column-head.repository';
import type { DealPage } from '../store/deal.repository';
import type { DealDocument } from '../store/deal.schema';
import { encodeCursor } from '../store/page-cursor';
import { visibilityPredicate } from '../store/scope-matcher';
import type { AppDeps } from './app-deps';

/** A head older than this is rebuilt in the background, healing an update lost to a crash. */
export const HEAD_MAX_AGE_MS = 60 * 60_000;

export interface ColumnFilter {
  ownerId?: string;
  teamId?: string;
}

/**
 * The first page of a board column. A caller who sees only one owner's deals reads them by owner, an indexed
 * equality. Everyone else reads the column's head, the first deals by rank, checking each against the deal
 * itself; a head found stale is rebuilt, and a caller who sees too few of its deals reads the column.
 */
export async function firstPageOfColumn(
  deps: AppDeps,
  principal: Principal,
  column: Column,
  filter: ColumnFilter,
  limit: number,
): Promise<DealPage> {
  const direct = () =>
    deps.deals.list(principal, { pipelineId: column.pipelineId, stageId: column.stageId, ...filter }, limit);
  if (readsOneOwner(principal, filter)) return direct();
  try {
    return (await pageFromCurrentHead(deps, principal, column, filter, limit)) ?? (await direct());
  } catch (error) {
    // Another reader is building this head (its lock is busy): answer from the column itself meanwhile.
    if (error instanceof ServiceError && error.code === 'ABORTED') return direct();
    throw error;
  }
}

async function pageFromCurrentHead(
  deps: AppDeps,
  principal: Principal,
  column: Column,
  filter: ColumnFilter,
  limit: number,
): Promise<DealPage | undefined> {
  let head = await currentHead(deps, column);
  for (let attempt = 0; attempt < 2; attempt++) {
    const read = await pageFromHead(deps, principal, column, head, filter, limit);
    if (read.page || !read.stale) return read.page;
    head = await rebuildHead(deps, column);
  }
  return undefined;
}

function readsOneOwner(principal: Principal, filter: ColumnFilter): boolean {
  return Boolean(filter.ownerId) || typeof visibilityFilter(principal, 'deals', 'read')?.ownerId === 'string';
}

async function currentHead(deps: AppDeps, column: Column): Promise<StoredHead> {
  const stored = await deps.heads.repository.get(column);
  if (!stored) return rebuildHead(deps, column);
  if (Date.now() - stored.builtAt.getTime() > HEAD_MAX_AGE_MS) {
    rebuildHead(deps, column).catch((error: unknown) =>
      deps.heads.log.warn({ err: error, column }, 'column head rebuild failed'),
    );
  }
  return stored;
}

function rebuildHead(deps: AppDeps, column: Column): Promise<StoredHead> {
  return deps.heads.repository.rebuild(
    column,
    async (): Promise<ColumnHead> =>
      headOf(await deps.deals.firstOfColumn(column, deps.heads.size + 1), deps.heads.size),
  );
}

interface HeadRead {
  page?: DealPage;
  /** An entry no longer matches its deal: the head must be rebuilt before it can answer. */
  stale: boolean;
}

/** Walks the head in slices of one page, reading each slice's deals by id, until a full page is visible. */
async function pageFromHead(
  deps: AppDeps,
  principal: Principal,
  column: Column,
  head: ColumnHead,
  filter: ColumnFilter,
  limit: number,
): Promise<HeadRead> {
  const visible = visibilityPredicate(principal, 'deals');
  const found: DealDocument[] = [];
  for (let at = 0; at < head.entries.length && found.length <= limit; at += limit + 1) {
    const slice = head.entries.slice(at, at + limit + 1);
    const deals = new Map(
      (
        await deps.deals.inTenantByIds(
          column.tenantId,
          slice.map((entry) => entry.id),
        )
      ).map((deal) => [deal._id, deal]),
    );
    for (const entry of slice) {
      const deal = deals.get(entry.id);
      if (
        !deal ||
        deal.deletedAt ||
        deal.pipelineId !== column.pipelineId ||
        deal.stageId !== column.stageId ||
        deal.rank !== entry.rank
      )
        return { stale: true };
      if (visible(deal) && (!filter.teamId || deal.teamId === filter.teamId)) found.push(deal);
    }
  }
  if (found.length > limit) {
    const deals = found.slice(0, limit);
    const last = deals[deals.length - 1] as DealDocument;
    return { page: { deals, nextCursor: encodeCursor({ r: last.rank, i: last._id }) }, stale: false };
  }
  return { page: head.complete ? { deals: found, nextCursor: '' } : undefined, stale: false };
}
