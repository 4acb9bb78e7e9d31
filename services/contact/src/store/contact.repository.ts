import {
  allOf,
  lockKey,
  ScopedRepository,
  type DocumentLocks,
  type OutboxRelay,
  type Principal,
} from '@crm/service-kit';
import type { Model } from 'mongoose';
import type { CursorKey } from '../domain/cursor';
import type { ContactDoc } from './contact.schema';
import type { ListSlots } from './list-slots.repository';
import { newestFirstPage, stampSlot } from './slot-pages';

export interface ContactListFilter {
  ownerId?: string;
  teamId?: string;
  lifecycleStage?: string;
  tag?: string;
  companyId?: string;
  updatedSince?: Date;
  includeDeleted?: boolean;
}

export interface Page<T> {
  rows: T[];
  nextCursor: string;
}

/** Rows considered for ranking; type-ahead shows the best few of them. */
const SEARCH_CANDIDATES = 200;

export class ContactRepository extends ScopedRepository<ContactDoc> {
  constructor(
    model: Model<ContactDoc>,
    relay: OutboxRelay,
    locks: DocumentLocks,
    readonly slots: ListSlots,
  ) {
    super(model, 'contacts', 'contact', relay, locks);
  }

  /** Marks the write's slot before the write, so no stored contact is ever missing from the slot walk. */
  protected override beforeWrite(tenantId: string, updatedAt: Date): Promise<Record<string, unknown>> {
    return stampSlot(this.slots, tenantId, updatedAt);
  }

  get collectionName(): string {
    return this.model.collection.collectionName;
  }

  /** One page, newest change first: by time slots when nothing narrows it, else one indexed query (store/slot-pages). */
  async list(
    principal: Principal,
    filter: ContactListFilter,
    limit: number,
    cursor: CursorKey | undefined,
  ): Promise<Page<ContactDoc>> {
    return newestFirstPage(this, this.slots, principal, 'contacts', {
      clauses: listClauses(filter),
      narrowing: listClauses({ ...filter, updatedSince: undefined }),
      updatedSince: filter.updatedSince,
      includeDeleted: filter.includeDeleted,
      limit,
      cursor,
    });
  }

  /** Everything `list` would page through, in one pass and no particular order (exports). */
  scanList(principal: Principal, filter: ContactListFilter): AsyncGenerator<ContactDoc[]> {
    return this.scan(principal, allOf(...listClauses(filter)), { includeDeleted: filter.includeDeleted });
  }

  /**
   * Contacts holding every term as a token, for ranking by the caller. One equality per term rather than $all,
   * the longest first: that one stays a top-level equality, which the store answers from the token index, and
   * the store checks the others on those candidates only (cheaper on FerretDB than shipping them all here).
   */
  searchCandidates(principal: Principal, terms: readonly string[]): Promise<ContactDoc[]> {
    const longestFirst = [...terms].sort((a, b) => b.length - a.length);
    return this.find(principal, allOf(...longestFirst.map((term) => ({ searchTokens: term }))), {
      limit: SEARCH_CANDIDATES,
    });
  }

  /**
   * Visible contacts sharing an email, a phone or the folded name with the subject. One equality query per key,
   * united here: each is answered from an index, where one $or would be read in full on FerretDB.
   */
  async duplicateCandidates(
    principal: Principal,
    subject: Pick<ContactDoc, '_id' | 'emailKeys' | 'phoneKeys' | 'nameKey' | 'lastName'>,
    limit: number,
  ): Promise<ContactDoc[]> {
    const keys: Array<Record<string, string>> = [
      ...subject.emailKeys.map((key) => ({ emailKeys: key })),
      ...subject.phoneKeys.map((key) => ({ phoneKeys: key })),
      ...(subject.nameKey ? [{ nameKey: subject.nameKey }] : []),
    ];
    // Similar names share the last name's first letters; the scorer decides how similar.
    const last = subject.nameKey.split(' ').pop() ?? '';
    if (last.length >= 3) keys.push({ searchTokens: last.slice(0, 3) });
    const found = await Promise.all(keys.map((key) => this.find(principal, key, { limit: limit + 1 })));
    const byId = new Map(
      found
        .flat()
        .filter((row) => row._id !== subject._id)
        .map((row) => [row._id, row]),
    );
    return [...byId.values()].slice(0, limit);
  }

  /** Existence regardless of visibility or deletion: uniqueness claims belong to any stored contact. */
  async existsInTenant(tenantId: string, id: string): Promise<boolean> {
    return (await this.model.exists({ _id: id, tenantId })) !== null;
  }

  /**
   * Moves lastActivityAt forward without a version bump: it is activity bookkeeping, not an edit, and must not
   * make a client's expected_version stale. Under the document's lock because the store's updates are not atomic.
   */
  async touchLastActivity(tenantId: string, id: string, at: Date): Promise<Date | null> {
    return this.locks.withLock(lockKey(this.collectionName, id), async () => {
      const current = await this.model
        .findOne({ _id: id, tenantId }, { lastActivityAt: 1 })
        .lean<Pick<ContactDoc, 'lastActivityAt'>>();
      if (!current) return null;
      if (current.lastActivityAt && current.lastActivityAt.getTime() >= at.getTime()) return current.lastActivityAt;
      await this.model.updateOne({ _id: id, tenantId }, { $set: { lastActivityAt: at } });
      return at;
    });
  }

  /** Denormalised company name and domain on the company's contacts (company renamed); returns their ids. */
  idsByCompany(tenantId: string, companyId: string): Promise<Array<Pick<ContactDoc, '_id' | 'version'>>> {
    return this.model
      .find({ tenantId, companyId, deletedAt: null }, { _id: 1, version: 1 })
      .lean<Array<Pick<ContactDoc, '_id' | 'version'>>>();
  }

  /** Bulk insert of new contacts (imports, seeding); their creation events travel in a batch outbox. */
  async insertManyRaw(docs: ContactDoc[]): Promise<void> {
    if (docs.length > 0) await this.model.insertMany(docs, { ordered: false, lean: true });
  }

  findByImportBatch(tenantId: string, batch: string): Promise<ContactDoc[]> {
    return this.model.find({ tenantId, importBatch: batch }, { outbox: 0 }).lean<ContactDoc[]>();
  }
}

function listClauses(filter: ContactListFilter): Array<Record<string, unknown>> {
  const clauses: Array<Record<string, unknown>> = [];
  if (filter.ownerId) clauses.push({ ownerId: filter.ownerId });
  if (filter.teamId) clauses.push({ teamId: filter.teamId });
  if (filter.lifecycleStage) clauses.push({ lifecycleStage: filter.lifecycleStage });
  if (filter.tag) clauses.push({ tags: filter.tag.trim().toLowerCase() });
  if (filter.companyId) clauses.push({ companyId: filter.companyId });
  if (filter.updatedSince) clauses.push({ updatedAt: { $gte: filter.updatedSince } });
  return clauses;
}
