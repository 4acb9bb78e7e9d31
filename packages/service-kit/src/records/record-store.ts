// The one write path of every aggregate (ARCHITECTURE.md, Storage): append the event (the compare-and-set), then
// replace the snapshot, update the read models, publish and mark published. No locks and no transactions; the
// event insert is the commit point, and whatever follows it is repeated by the sweeper after a crash.
import { randomUUID } from 'node:crypto';
import type { Model } from 'mongoose';
import type { Logger } from 'pino';
import { scopeAllows, scopeOf, type AccessPolicy, type Access } from '../access/scope';
import type { Principal } from '../auth/principal';
import { notFound, ServiceError, versionMismatch } from '../errors/service-error';
import { nextRequestWriteId } from '../grpc/request-key';
import type { EventPublisher } from '../messaging/publisher';
import { insertManyChunked } from './bulk-insert';
import { eventId, type EventLog, type LoggedEvent } from './event-log';
import type { EventMessage } from './event-message';
import { fieldChanges, type FieldChange } from './field-changes';
import type { Projection } from './projection';
import { withStoreRetry } from './store-retry';

/** Fields every tenant-owned record carries; the server owns all but ownerId and teamId. */
export interface TenantRecord {
  _id: string;
  tenantId: string;
  ownerId: string;
  teamId: string;
  version: number;
  createdAt: Date;
  updatedAt: Date;
  deletedAt?: Date | null;
}

/** What a creation supplies; the store adds the tenant, version and timestamps. */
export type NewRecord<T extends TenantRecord> = Omit<
  T,
  'tenantId' | 'version' | 'createdAt' | 'updatedAt' | 'deletedAt'
> &
  Partial<Pick<T, 'deletedAt'>>;

export interface Change<T> {
  /** Fields to set; version and updatedAt are managed here. */
  set: Partial<T>;
  /** The events of the change, built from the record as it will be stored. */
  messages: (next: T) => EventMessage[];
}

export interface UpdateOptions {
  /** Soft-deleted records may be changed (restore). */
  includeDeleted?: boolean;
  /** Access needed beyond reading it; 'write' by default. */
  access?: Access;
  /**
   * The record as the caller has just read or written it, instead of reading it again. A stale one only loses the
   * compare-and-set, as any race does (with `expectedVersion`: FAILED_PRECONDITION; without: re-decided).
   */
  current?: unknown;
}

export interface HistoryEntry {
  version: number;
  type: string;
  at: Date;
  actor: { userId: string; clientId: string };
  changes: FieldChange[];
}

export interface RecordStoreOptions<T extends TenantRecord> {
  model: Model<T>;
  /** Name in messages, e.g. "contact". */
  kind: string;
  policy: AccessPolicy;
  events: EventLog;
  publisher: EventPublisher;
  log: Logger;
  projections?: Array<Projection<T>>;
  /** Derived or internal fields that the history does not show. */
  historyOmits?: readonly string[];
  clock?: () => Date;
  /** A writer that has not finished its write this long after its event is presumed dead (repairs). */
  staleAfterMs?: number;
}

/** An unconditional update re-decides on the newest version after a lost race, this often at most. */
const UNCONDITIONAL_ATTEMPTS = 40;

export class RecordStore<T extends TenantRecord> {
  readonly kind: string;
  readonly collectionName: string;
  readonly policy: AccessPolicy;
  private readonly projections: Array<Projection<T>>;
  private readonly historyOmits: ReadonlySet<string>;
  private readonly clock: () => Date;
  private readonly staleAfterMs: number;
  /** Post-commit work still running (publish, mark), awaited on shutdown. */
  private readonly settling = new Set<Promise<unknown>>();
  /** Events this process is projecting now: it finishes them, or leaves them unmarked for the sweeper. */
  private readonly projecting = new Set<string>();

  constructor(private readonly options: RecordStoreOptions<T>) {
    this.kind = options.kind;
    this.policy = options.policy;
    this.collectionName = options.model.collection.collectionName;
    this.projections = options.projections ?? [];
    this.historyOmits = new Set(options.historyOmits ?? []);
    this.clock = options.clock ?? (() => new Date());
    this.staleAfterMs = options.staleAfterMs ?? 5_000;
  }

  get model(): Model<T> {
    return this.options.model;
  }

  addProjection(projection: Projection<T>): void {
    this.projections.push(projection);
  }

  // ---- reads: by _id, with visibility decided on the record ----

  /** The record without any visibility check: for the service's own bookkeeping, never for a caller. */
  async load(id: string): Promise<T | undefined> {
    const doc = await withStoreRetry(() => this.options.model.collection.findOne({ _id: id as never }));
    return (doc as T | null) ?? undefined;
  }

  async find(principal: Principal, id: string, options: { includeDeleted?: boolean } = {}): Promise<T | undefined> {
    const doc = await this.load(id);
    if (!doc || !this.visible(principal, doc, 'read', options.includeDeleted)) return undefined;
    return doc;
  }

  async get(principal: Principal, id: string, options: { includeDeleted?: boolean } = {}): Promise<T> {
    const doc = await this.find(principal, id, options);
    if (!doc) throw notFound(this.kind);
    return doc;
  }

  /** The visible records among `ids`, in the order given; one read by _id each, concurrently. */
  async getMany(
    principal: Principal,
    ids: readonly string[],
    options: { includeDeleted?: boolean } = {},
  ): Promise<T[]> {
    const found = await Promise.all([...new Set(ids)].map((id) => this.find(principal, id, options)));
    const visible: T[] = [];
    for (const doc of found) if (doc) visible.push(doc);
    return visible;
  }

  visible(principal: Principal, record: T, access: Access = 'read', includeDeleted = false): boolean {
    if (record.deletedAt && !includeDeleted) return false;
    return scopeAllows(scopeOf(principal, this.policy, access), record);
  }

  /** The record's versions, newest first, with field-level changes; for whoever may read the record. */
  async history(principal: Principal, id: string): Promise<HistoryEntry[]> {
    await this.get(principal, id, { includeDeleted: true });
    const events = await this.options.events.history<T>(id);
    return events
      .filter((e) => e.collection === this.collectionName)
      .reverse()
      .map((e) => ({
        version: e.version,
        type: e.type,
        at: e.at,
        actor: e.actor,
        changes: this.changesOf(e),
      }));
  }

  /** An event's field changes; a creation stores none and lists the fields its state was created with. */
  private changesOf(event: LoggedEvent<T>): FieldChange[] {
    return event.version === 1 && event.changes.length === 0 && !event.redacted
      ? fieldChanges(undefined, event.state as Record<string, unknown>, this.historyOmits)
      : event.changes;
  }

  // ---- writes ----

  /** A new record at version 1: one event insert and one snapshot insert, no claim on anything shared. */
  async create(principal: Principal, record: NewRecord<T>, messages: (state: T) => EventMessage[]): Promise<T> {
    if (scopeOf(principal, this.policy, 'write').kind === 'none')
      throw new ServiceError('PERMISSION_DENIED', `not allowed to create a ${this.kind}`);
    const now = this.clock();
    const state = {
      deletedAt: null,
      ...record,
      tenantId: principal.tenantId,
      version: 1,
      createdAt: now,
      updatedAt: now,
    } as unknown as T;
    const write = this.writeIdOf(principal, 'create');
    const earlier = await this.earlierWrite(write);
    if (earlier) return earlier;
    const event = this.eventOf(principal, undefined, state, messages(state), now, write.id);
    if ((await this.options.events.append(event)) === 'version-taken') {
      const raced = await this.earlierWrite(write);
      if (raced) return raced;
      throw new ServiceError('ALREADY_EXISTS', `the ${this.kind} exists already`, { reason: 'ID_TAKEN' });
    }
    await this.afterCommit(event, undefined);
    return state;
  }

  /**
   * New records in one round trip per step (imports), with the same guarantees as `create`, record by record: a
   * batch document first (so the sweeper finishes the lot if this process dies), the events, the snapshots, the
   * read models and the stream, then one mark on the batch. Returns the records stored; a record whose id is
   * taken already (by another write, or by an earlier attempt of the same import) is left out: see `finish`.
   */
  async createMany(
    principal: Principal,
    records: ReadonlyArray<{
      record: NewRecord<T>;
      messages: (state: T) => EventMessage[];
      /** When the record came to be, if not now (imports of history): its createdAt and its first version's time. */
      at?: Date;
    }>,
  ): Promise<T[]> {
    if (records.length === 0) return [];
    if (scopeOf(principal, this.policy, 'write').kind === 'none')
      throw new ServiceError('PERMISSION_DENIED', `not allowed to create a ${this.kind}`);
    const now = this.clock();
    const batch = randomUUID();
    const events = records.map(({ record, messages, at = now }) => {
      const state = {
        deletedAt: null,
        ...record,
        tenantId: principal.tenantId,
        version: 1,
        createdAt: at,
        updatedAt: at,
      } as unknown as T;
      return { ...this.eventOf(principal, undefined, state, messages(state), at), batch };
    });
    await this.options.events.beginBatch({
      _id: batch,
      collection: this.collectionName,
      tenantId: principal.tenantId,
      at: now,
      size: events.length,
      published: false,
    });
    const taken = await this.options.events.appendMany(events);
    const stored = events.filter((e) => !taken.has(e._id));
    await this.settleBatch(batch, stored, () => this.insertSnapshots(stored.map((e) => e.state)));
    return stored.map((e) => e.state);
  }

  /**
   * Finishes a write whose writer may have died after its event (snapshot, read models, stream), e.g. a record an
   * interrupted import created: a no-op when it was finished.
   */
  async finish(aggregateId: string, version: number): Promise<void> {
    const event = await this.options.events.get<T>(eventId(aggregateId, version));
    if (event && !(await this.options.events.isPublished(event))) await this.replay(event);
  }

  /**
   * Changes a record the caller may see and change. With `expectedVersion` the change applies only if the record
   * is still at that version (else FAILED_PRECONDITION with the current one); without, it is re-decided on the
   * newest version until it applies. `decide` sees the current record and returns the change, or null for none.
   */
  async update(
    principal: Principal,
    id: string,
    expectedVersion: number | undefined,
    decide: (current: T) => Change<T> | null,
    options: UpdateOptions = {},
  ): Promise<T> {
    const write = this.writeIdOf(principal, id);
    const earlier = await this.earlierWrite(write);
    if (earlier) return earlier;
    let current = (options.current as T | undefined) ?? (await this.load(id));
    for (let attempt = 1; ; attempt++) {
      this.check(principal, current, expectedVersion, options);
      const record = current as T;
      const change = decide(record);
      if (!change) return record;
      const now = this.clock();
      const next = { ...record, ...change.set, version: record.version + 1, updatedAt: now } as T;
      const event = this.eventOf(principal, record, next, change.messages(next), now, write.id);
      if ((await this.options.events.append(event)) === 'appended') {
        await this.afterCommit(event, record);
        return next;
      }
      const raced = await this.earlierWrite(write);
      if (raced) return raced;
      const latest = await this.newest(id, record);
      if (expectedVersion !== undefined || attempt >= UNCONDITIONAL_ATTEMPTS)
        throw versionMismatch(expectedVersion ?? record.version, latest.version);
      // Spread contenders out, so that one of them wins each round rather than all colliding again.
      await sleep(Math.random() * Math.min(2 * attempt, 20));
      current = latest;
    }
  }

  /** Removes personal data from the record's history (GDPR erase), once its pending events are published. */
  async redactHistory(id: string, redact: (state: T) => T, personalFields: readonly string[]): Promise<number> {
    await this.publishPending(id);
    const personal = new Set(personalFields);
    return this.options.events.redact<T>(id, (event) => ({
      state: redact(event.state),
      // A creation's changes are derived from its state: stored now, before the state loses its personal data.
      changes: this.changesOf(event).map((c) => (personal.has(c.field) ? { field: c.field, from: null, to: null } : c)),
    }));
  }

  // ---- convergence: the sweeper, the read-model consumer and rebuilds ----

  /** Brings the snapshot and read models up to an event and publishes it; safe to repeat. */
  async replay(event: LoggedEvent<T>): Promise<void> {
    await this.settle([event], () => this.repairSnapshot(event));
  }

  /** Finishes a bulk write whose writer died: every event of the batch, then the batch's one mark. */
  async replayBatch(batch: string, events: ReadonlyArray<LoggedEvent<T>>): Promise<void> {
    await this.settleBatch(batch, events, async () => {
      for (const event of events) await this.repairSnapshot(event);
    });
  }

  /**
   * Whether the read models have the aggregate at `version` or newer, or this process is projecting that version
   * now (the stream's consumer skips it: the writer finishes it, or the sweeper does).
   */
  async projected(aggregateId: string, version: number): Promise<boolean> {
    if (this.projections.length === 0 || this.projecting.has(eventId(aggregateId, version))) return true;
    for (const projection of this.projections) {
      if (!projection.versionOf) return false;
      if (((await projection.versionOf(aggregateId)) ?? 0) < version) return false;
    }
    return true;
  }

  /** Applies states to the read models only (the consumer of the service's own stream, rebuilds). */
  async project(states: readonly T[]): Promise<void> {
    for (const projection of this.projections) await projection.apply(states);
  }

  async drain(): Promise<void> {
    await Promise.allSettled([...this.settling]);
  }

  // ---- internals ----

  private check(
    principal: Principal,
    current: T | undefined,
    expectedVersion: number | undefined,
    options: UpdateOptions,
  ): void {
    if (!current || !this.visible(principal, current, 'read', options.includeDeleted)) throw notFound(this.kind);
    if (expectedVersion !== undefined && current.version !== expectedVersion)
      throw versionMismatch(expectedVersion, current.version);
    if (!this.visible(principal, current, options.access ?? 'write', options.includeDeleted))
      throw new ServiceError('PERMISSION_DENIED', `not allowed to change this ${this.kind}`);
  }

  /**
   * The write's id: derived from the request key when the caller sent one (the same on a retry of the request),
   * scoped to the caller so that no one else's key can name it; else random.
   */
  private writeIdOf(principal: Principal, target: string): { id: string; keyed: boolean } {
    const keyed = nextRequestWriteId(`${this.collectionName}:${target}`);
    return keyed
      ? { id: `${principal.tenantId}|${principal.clientId}|${principal.userId}|${keyed}`, keyed: true }
      : { id: randomUUID(), keyed: false };
  }

  /** What an earlier attempt of the same keyed request stored (finished first, if its writer died mid-way). */
  private async earlierWrite(write: { id: string; keyed: boolean }): Promise<T | undefined> {
    if (!write.keyed) return undefined;
    const event = await this.options.events.byWriteId<T>(write.id);
    if (!event || event.collection !== this.collectionName) return undefined;
    if (!(await this.options.events.isPublished(event))) await this.replay(event);
    return event.state;
  }

  private eventOf(
    principal: Principal,
    before: T | undefined,
    state: T,
    messages: EventMessage[],
    at: Date,
    writeId: string = randomUUID(),
  ): LoggedEvent<T> {
    return {
      _id: eventId(state._id, state.version),
      aggregateId: state._id,
      collection: this.collectionName,
      tenantId: state.tenantId,
      version: state.version,
      type: messages[0]?.type ?? `${this.kind}.${before ? 'updated' : 'created'}`,
      at,
      actor: { userId: principal.userId, clientId: principal.clientId },
      // A creation's changes are its state's fields: derived when read (history), not stored twice.
      changes: before
        ? fieldChanges(before as Record<string, unknown>, state as Record<string, unknown>, this.historyOmits)
        : [],
      state,
      messages,
      published: false,
      writeId,
      attempt: randomUUID(),
    };
  }

  /** The event is stored: the write has happened. What follows is repeated by the sweeper if it fails here. */
  private async afterCommit(event: LoggedEvent<T>, before: T | undefined): Promise<void> {
    await this.settle([event], async () => {
      const snapshots = this.options.model.collection;
      if (!before) {
        await withStoreRetry(() =>
          snapshots.replaceOne({ _id: event.aggregateId as never }, event.state as never, { upsert: true }),
        );
        return;
      }
      // Guarded by the version it replaces, so a late writer never puts an older state over a newer one.
      const { matchedCount } = await withStoreRetry(() =>
        snapshots.replaceOne(
          { _id: event.aggregateId as never, version: before.version } as never,
          event.state as never,
        ),
      );
      if (matchedCount === 0) await this.repairSnapshot(event);
    });
  }

  /**
   * Snapshot first, then the read models and the stream, then the mark: the writer reads its own write, and
   * consumers never see an event whose record is not stored. A failure leaves the event unmarked and the sweeper
   * repeats the lot (every step is idempotent). The mark is not awaited by the caller.
   */
  private async settle(events: ReadonlyArray<LoggedEvent<T>>, storeSnapshots: () => Promise<void>): Promise<void> {
    const ids = events.map((e) => e._id);
    if (!(await this.projectAndPublish(events, storeSnapshots))) return;
    this.track(
      this.options.events
        .markPublished(ids)
        .catch((error: unknown) => this.failed(error, ids, 'marking events published failed; the sweeper will')),
    );
  }

  /** As `settle`, for a batch: one mark on the batch document instead of one per event. */
  private async settleBatch(
    batch: string,
    events: ReadonlyArray<LoggedEvent<T>>,
    storeSnapshots: () => Promise<void>,
  ): Promise<void> {
    if (!(await this.projectAndPublish(events, storeSnapshots))) return;
    this.track(
      this.options.events
        .markBatchPublished(batch)
        .catch((error: unknown) => this.failed(error, [batch], 'marking a batch published failed; the sweeper will')),
    );
  }

  private async projectAndPublish(
    events: ReadonlyArray<LoggedEvent<T>>,
    storeSnapshots: () => Promise<void>,
  ): Promise<boolean> {
    const ids = events.map((e) => e._id);
    try {
      await storeSnapshots();
    } catch (error) {
      this.options.log.warn({ err: error, events: ids }, 'event stored, snapshot not; the sweeper will repair it');
      return false;
    }
    // The read models and the stream are independent: one being down does not hold the other back.
    for (const id of ids) this.projecting.add(id);
    const [projected, published] = await Promise.all([
      this.project(events.map((e) => e.state))
        .then(
          () => true,
          (error: unknown) =>
            this.failed(error, ids, 'read-model update failed; the sweeper and the consumer will retry'),
        )
        .finally(() => ids.forEach((id) => this.projecting.delete(id))),
      this.publishAll(events).then(
        () => true,
        (error: unknown) => this.failed(error, ids, 'publishing failed; the sweeper will publish'),
      ),
    ]);
    return projected && published;
  }

  /** Post-commit work the caller does not wait for, awaited by `drain`. */
  private track(work: Promise<unknown>): void {
    const tracked: Promise<unknown> = work.finally(() => this.settling.delete(tracked));
    this.settling.add(tracked);
  }

  /** New snapshots in bulk (bulk-insert.ts); one stored already (a retried bulk write) is left as it is. */
  private async insertSnapshots(states: readonly T[]): Promise<void> {
    await insertManyChunked(this.options.model.collection as never, states as never);
  }

  private async publishAll(events: ReadonlyArray<LoggedEvent<T>>): Promise<void> {
    // Messages of one event in order (a state change before the signal it implies); events side by side.
    await Promise.all(
      events.map(async (event) => {
        for (const message of event.messages) await this.options.publisher.publish(message);
      }),
    );
  }

  private failed(error: unknown, events: string[], message: string): false {
    this.options.log.warn({ err: error, events }, message);
    return false;
  }

  /** Puts the event's state in the snapshot unless the snapshot is at that version or newer already. */
  private async repairSnapshot(event: LoggedEvent<T>): Promise<void> {
    const snapshots = this.options.model.collection;
    const current = await this.load(event.aggregateId);
    if (current && current.version >= event.version) return;
    if (!current) {
      await withStoreRetry(() =>
        snapshots.replaceOne({ _id: event.aggregateId as never }, event.state as never, { upsert: true }),
      );
      return;
    }
    await withStoreRetry(() =>
      snapshots.replaceOne(
        { _id: event.aggregateId as never, version: current.version } as never,
        event.state as never,
      ),
    );
  }

  /**
   * The newest state after a lost race: from the log, which is ahead of the snapshot while a writer is between
   * its event and its snapshot. A snapshot left behind by a writer that died is repaired on the way.
   */
  private async newest(id: string, known: T): Promise<T> {
    const latest = await this.options.events.latest<T>(id);
    if (!latest || latest.version <= known.version) return (await this.load(id)) ?? known;
    if (this.clock().getTime() - latest.at.getTime() > this.staleAfterMs) await this.replay(latest);
    return latest.state;
  }

  private async publishPending(id: string): Promise<void> {
    for (const event of await this.options.events.history<T>(id))
      if (!(await this.options.events.isPublished(event))) await this.replay(event);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
