import type { Model, UpdateQuery } from 'mongoose';
import type { Principal } from '../auth/principal';
import { notFound, ServiceError, versionMismatch } from '../errors/service-error';
import { appendToOutbox, initialOutbox, type OutboxEntry } from '../outbox/outbox-entry';
import type { OutboxRelay } from '../outbox/outbox-relay';
import { lockKey, outboxStoreOf, type OutboxStore } from '../outbox/outbox-store';
import type { DocumentLocks } from './document-locks';
import { allOf, compareBy, equalityBranches, type Filter, type SortSpec } from './filters';
import { lookupEach } from './lookup-each';
import { matchesFilter, visibilityFilter, type Access, type ScopeFilter } from './visibility';

/** Fields every tenant-owned record carries; the server owns all but ownerId and teamId. */
/** A record of the outbox-in-document design (being replaced by records/RecordStore). */
export interface OutboxRecord {
  _id: string;
  tenantId: string;
  ownerId: string;
  teamId: string;
  version: number;
  createdAt: Date;
  updatedAt: Date;
  deletedAt?: Date | null;
  outbox?: OutboxEntry[];
  outboxPending?: boolean;
}

export interface FindOptions {
  sort?: SortSpec;
  limit?: number;
  includeDeleted?: boolean;
}

export interface VersionedUpdate {
  /** Change to apply; version, updatedAt and the outbox are managed here. */
  update: UpdateQuery<unknown>;
  /** Events describing the change, built with the version the record will have after it. */
  events: (newVersion: number) => OutboxEntry[];
  /** Whether soft-deleted records may be changed (restore). */
  includeDeleted?: boolean;
}

/**
 * Every query goes through scope(): the tenant and the principal's visibility are part of the filter, so no
 * handler can forget them. A record outside it is "not found", never "forbidden", so its existence does not leak.
 */
export class ScopedRepository<T extends OutboxRecord> {
  readonly outboxStore: OutboxStore;

  constructor(
    protected readonly model: Model<T>,
    /** Resource name for partner scopes, e.g. "contacts". */
    protected readonly resource: string,
    protected readonly kind: string,
    protected readonly relay: OutboxRelay,
    protected readonly locks: DocumentLocks,
  ) {
    this.outboxStore = outboxStoreOf(model, locks);
  }

  protected scope(principal: Principal, access: Access, includeDeleted = false): Filter {
    const visible: ScopeFilter | undefined = visibilityFilter(principal, this.resource, access);
    // An impossible filter rather than an error: the caller sees an empty result, as for any other record.
    const base: Filter = visible ?? { tenantId: principal.tenantId, _id: { $in: [] } };
    return includeDeleted ? base : { ...base, deletedAt: null };
  }

  /** Reads by _id alone, which every store answers from its primary index, and applies the scope in memory. */
  async findById(principal: Principal, id: string, options: { includeDeleted?: boolean } = {}): Promise<T | undefined> {
    const doc = await this.model.findOne({ _id: id }, { outbox: 0 }).lean<T>();
    if (!doc || !this.allows(principal, 'read', doc, options.includeDeleted)) return undefined;
    return doc;
  }

  protected allows(principal: Principal, access: Access, doc: T, includeDeleted = false): boolean {
    return matchesFilter(this.scope(principal, access, includeDeleted), doc as unknown as Record<string, unknown>);
  }

  /** The visible records among `ids`, each read by _id. */
  findByIds(principal: Principal, ids: readonly string[]): Promise<T[]> {
    return lookupEach(ids, (id) => this.findById(principal, id));
  }

  async getById(principal: Principal, id: string, options: { includeDeleted?: boolean } = {}): Promise<T> {
    const doc = await this.findById(principal, id, options);
    if (!doc) throw notFound(this.kind);
    return doc;
  }

  /**
   * Visible records matching `filter`. A scope that is a union of equalities (a manager's teams and own records)
   * runs as one query per branch, each answered from an index, merged here in the requested order.
   */
  async find(principal: Principal, filter: Filter, options: FindOptions = {}): Promise<T[]> {
    const branches = equalityBranches(this.scope(principal, 'read', options.includeDeleted));
    const found = await Promise.all(branches.map((branch) => this.findRaw(allOf(branch, filter), options)));
    if (found.length === 1) return found[0] ?? [];
    const merged = [...new Map(found.flat().map((doc) => [doc._id, doc])).values()];
    if (options.sort) merged.sort(compareBy(options.sort) as (a: T, b: T) => number);
    return options.limit ? merged.slice(0, options.limit) : merged;
  }

  /**
   * Every visible record matching `filter`, in batches, in no particular order: one pass over the store instead of
   * one sorted query per page, which on FerretDB reads every match again. A record that several branches of the
   * scope match comes from the first of them only.
   */
  async *scan(
    principal: Principal,
    filter: Filter,
    options: { batchSize?: number; includeDeleted?: boolean } = {},
  ): AsyncGenerator<T[]> {
    const batchSize = options.batchSize ?? 500;
    const branches = equalityBranches(this.scope(principal, 'read', options.includeDeleted));
    for (const [index, branch] of branches.entries()) {
      const earlier = branches.slice(0, index);
      let batch: T[] = [];
      for await (const doc of this.model.find(allOf(branch, filter), { outbox: 0 }).lean<T[]>().cursor({ batchSize })) {
        const record = doc as T;
        if (earlier.some((other) => matchesFilter(other, record as unknown as Record<string, unknown>))) continue;
        batch.push(record);
        if (batch.length >= batchSize) {
          yield batch;
          batch = [];
        }
      }
      if (batch.length > 0) yield batch;
    }
  }

  private findRaw(filter: Filter, options: FindOptions): Promise<T[]> {
    const query = this.model.find(filter, { outbox: 0 });
    if (options.sort) query.sort(options.sort);
    if (options.limit) query.limit(options.limit);
    return query.lean<T[]>();
  }

  /** Inserts with its creation events in the same document, then relays them. */
  async insert(
    principal: Principal,
    record: Omit<T, 'tenantId' | 'version' | 'createdAt' | 'updatedAt' | 'outbox'>,
    events: (version: number) => OutboxEntry[],
  ): Promise<T> {
    if (!visibilityFilter(principal, this.resource, 'write'))
      throw new ServiceError('PERMISSION_DENIED', `not allowed to create ${this.kind}`);
    const now = new Date();
    const entries = events(1);
    const stamp = await this.beforeWrite(principal.tenantId, now);
    const created = await this.model.create({
      ...record,
      ...stamp,
      tenantId: principal.tenantId,
      version: 1,
      createdAt: now,
      updatedAt: now,
      deletedAt: null,
      ...initialOutbox(entries),
    });
    await this.relay.relayQuietly(this.outboxStore, String(created._id), entries);
    const stored = this.stripOutbox(created.toObject() as T);
    await this.afterWrite(undefined, stored);
    return stored;
  }

  /**
   * Applies the change only if the record is visible and still at expectedVersion, pushing its events into the
   * same document in the same write. The check and the write happen under the document's lock, so of two
   * writers with the same expected version exactly one succeeds on every supported store.
   */
  async updateVersioned(
    principal: Principal,
    id: string,
    expectedVersion: number,
    change: VersionedUpdate,
  ): Promise<T> {
    const newVersion = expectedVersion + 1;
    const { entries, before } = await this.locks.withLock(
      lockKey(this.model.collection.collectionName, id),
      async () => {
        const current = await this.model.findOne({ _id: id }, { outbox: 0 }).lean<T>();
        const refusal = this.refusal(principal, current, expectedVersion, change.includeDeleted);
        if (refusal || !current) throw refusal ?? notFound(this.kind);
        const events = change.events(newVersion);
        const outbox = appendToOutbox(events);
        const now = new Date();
        const stamp = await this.beforeWrite(current.tenantId, now);
        const update = mergeUpdate(change.update, {
          $set: { ...stamp, version: newVersion, updatedAt: now, ...outbox.$set },
          $push: outbox.$push,
        });
        await this.model.updateOne({ _id: id }, update);
        return { entries: events, before: current };
      },
    );
    await this.relay.relayQuietly(this.outboxStore, id, entries);
    const updated = await this.model.findOne({ _id: id }, { outbox: 0 }).lean<T>();
    if (!updated) throw notFound(this.kind);
    await this.afterWrite(before, updated);
    return updated;
  }

  /**
   * Called before a record is written with `updatedAt`; what it returns is stored with the write. For fields and
   * bookkeeping derived from the write time; a failure here fails the write before anything is stored.
   */
  protected async beforeWrite(_tenantId: string, _updatedAt: Date): Promise<Record<string, unknown>> {
    return {};
  }

  /**
   * Called once a write is stored and its events relayed, with the record before (none for an insert) and after.
   * For upkeep a subclass derives from its records; it must not throw, since the write has already happened.
   */
  protected async afterWrite(_before: T | undefined, _after: T): Promise<void> {}

  /** Why the caller may not change this record now: not visible (NOT_FOUND), stale, or visible but not theirs. */
  private refusal(
    principal: Principal,
    current: T | null,
    expectedVersion: number,
    includeDeleted = false,
  ): ServiceError | undefined {
    if (!current || !this.allows(principal, 'read', current, includeDeleted)) return notFound(this.kind);
    if (current.version !== expectedVersion) return versionMismatch(expectedVersion, current.version);
    if (!this.allows(principal, 'write', current, includeDeleted))
      return new ServiceError('PERMISSION_DENIED', `not allowed to change this ${this.kind}`);
    return undefined;
  }

  protected stripOutbox(doc: T): T {
    const { outbox: _outbox, ...rest } = doc;
    return rest as T;
  }
}

function mergeUpdate(
  base: UpdateQuery<unknown>,
  managed: { $set: Record<string, unknown>; $push: Record<string, unknown> },
): UpdateQuery<unknown> {
  const baseSet = (base.$set ?? {}) as Record<string, unknown>;
  const basePush = (base.$push ?? {}) as Record<string, unknown>;
  return { ...base, $set: { ...baseSet, ...managed.$set }, $push: { ...basePush, ...managed.$push } };
}
