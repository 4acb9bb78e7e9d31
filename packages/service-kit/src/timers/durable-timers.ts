// Durable timers in the service's PostgreSQL database: SLA breaches, workflow waits, reminders. A timer is a row
// with its due time; one loop per process reads the earliest due time (one index lookup), sleeps until then, and
// fires what is due. Due rows are claimed a batch at a time with a lease (one UPDATE over a SKIP LOCKED select,
// committed at once), so replicas share the work without firing one timer twice at once, and handlers run outside
// any transaction: a handler may schedule the timer it fires again. Fired timers are marked in batches too. Firing is at least once (a crash mid-handler fires again once the lease runs out), so
// handlers must be idempotent, e.g. with an event id derived from the timer id, which JetStream de-duplicates.
import { randomUUID } from 'node:crypto';
import { sql, type Kysely, type Migration } from 'kysely';
import type { Logger } from 'pino';
import { Histogram, type Registry } from 'prom-client';

export interface TimerSpec<P = unknown> {
  /** Deterministic, e.g. "sla:<ticketId>:first_reply:breach": scheduling it again moves it. */
  id: string;
  tenantId: string;
  /** Which handler fires it. */
  kind: string;
  dueAt: Date;
  payload: P;
}

export interface DueTimer<P = unknown> extends TimerSpec<P> {
  /** Earlier failed firings. */
  attempts: number;
}

export type TimerHandler = (timer: DueTimer) => Promise<void>;

interface TimerTable {
  kit_timers: {
    id: string;
    tenant_id: string;
    kind: string;
    due_at: Date;
    payload: unknown;
    attempts: number;
    fired_at: Date | null;
    /** Set when the handler kept failing: the timer is kept, with its error, and no longer fired. */
    failed_at: Date | null;
    last_error: string | null;
    /** The claim of the process firing it, until lease_until; scheduling the timer again drops the claim. */
    lease_token: string | null;
    lease_until: Date | null;
  };
}

/** Merge into the service's read-model migrations. */
export const timerMigrations: Record<string, Migration> = {
  '000-kit-timers': {
    async up(db) {
      await sql`
        create table if not exists kit_timers (
          id text primary key,
          tenant_id text not null,
          kind text not null,
          due_at timestamptz not null,
          payload jsonb not null,
          attempts int not null default 0,
          fired_at timestamptz,
          failed_at timestamptz,
          last_error text
        )`.execute(db);
      await sql`create index if not exists kit_timers_due on kit_timers (due_at)
        where fired_at is null and failed_at is null`.execute(db);
    },
  },
  '000-kit-timers-lease': {
    async up(db) {
      await sql`alter table kit_timers add column if not exists lease_token text,
        add column if not exists lease_until timestamptz`.execute(db);
    },
  },
};

export interface DurableTimersOptions {
  log: Logger;
  clock?: () => Date;
  /** Longest sleep between looks at the earliest due time (timers scheduled by other replicas). */
  maxSleepMs?: number;
  batchSize?: number;
  /** Failed firings are retried with backoff this many times, then kept unfired with their error. */
  maxAttempts?: number;
  /** How long a claimed timer is reserved for its handler; a process that dies loses it after this. */
  leaseMs?: number;
  /**
   * How many handlers run at once (default 1). Timers with the same `orderKey` (one entity's) still fire one after
   * the other in due order; different keys fire side by side, so one slow entity does not delay the others.
   */
  concurrency?: number;
  /** The ordering key of a timer when `concurrency` > 1; default: the whole id (no ordering between timers). */
  orderKey?: (timer: DueTimer) => string;
  metrics?: Registry;
}

export class DurableTimers {
  private readonly db: Kysely<TimerTable>;
  private readonly handlers = new Map<string, TimerHandler>();
  private readonly clock: () => Date;
  private readonly maxSleepMs: number;
  private readonly batchSize: number;
  private readonly maxAttempts: number;
  private readonly leaseMs: number;
  private readonly concurrency: number;
  private readonly lateness: Histogram | undefined;
  private running = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private plannedWake = Infinity;

  constructor(
    db: Kysely<unknown>,
    private readonly options: DurableTimersOptions,
  ) {
    this.db = db as unknown as Kysely<TimerTable>;
    this.clock = options.clock ?? (() => new Date());
    this.maxSleepMs = options.maxSleepMs ?? 1_000;
    this.batchSize = options.batchSize ?? 200;
    this.maxAttempts = options.maxAttempts ?? 10;
    this.leaseMs = options.leaseMs ?? 60_000;
    this.concurrency = Math.max(1, options.concurrency ?? 1);
    this.lateness = options.metrics
      ? new Histogram({
          name: 'timer_lateness_seconds',
          help: 'How late durable timers fire after their due time',
          labelNames: ['kind'],
          buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 30],
          registers: [options.metrics],
        })
      : undefined;
  }

  on(kind: string, handler: TimerHandler): this {
    this.handlers.set(kind, handler);
    return this;
  }

  /** Creates or moves timers (a fired one scheduled again fires again). */
  async schedule(timers: TimerSpec | readonly TimerSpec[]): Promise<void> {
    const list = Array.isArray(timers) ? timers : [timers as TimerSpec];
    if (list.length === 0) return;
    await this.db
      .insertInto('kit_timers')
      .values(
        list.map((t) => ({
          id: t.id,
          tenant_id: t.tenantId,
          kind: t.kind,
          due_at: t.dueAt,
          payload: JSON.stringify(t.payload ?? null),
          attempts: 0,
          fired_at: null,
          failed_at: null,
          last_error: null,
          lease_token: null,
          lease_until: null,
        })),
      )
      .onConflict((oc) =>
        oc.column('id').doUpdateSet((eb) => ({
          tenant_id: eb.ref('excluded.tenant_id'),
          kind: eb.ref('excluded.kind'),
          due_at: eb.ref('excluded.due_at'),
          payload: eb.ref('excluded.payload'),
          attempts: 0,
          fired_at: null,
          failed_at: null,
          last_error: null,
          lease_token: null,
          lease_until: null,
        })),
      )
      .execute();
    const earliest = Math.min(...list.map((t) => t.dueAt.getTime()));
    if (earliest < this.plannedWake) this.wake?.();
  }

  async cancel(ids: string | readonly string[]): Promise<void> {
    const list = typeof ids === 'string' ? [ids] : [...ids];
    if (list.length > 0) await this.db.deleteFrom('kit_timers').where('id', 'in', list).execute();
  }

  /** Cancels every timer whose id starts with the prefix (e.g. all timers of one ticket). */
  async cancelPrefix(prefix: string): Promise<void> {
    await this.db.deleteFrom('kit_timers').where('id', '>=', prefix).where('id', '<', `${prefix}\uffff`).execute();
  }

  /** Unfired timers, e.g. for a status page. */
  async pending(filter: { idPrefix?: string } = {}): Promise<Array<DueTimer & { lastError: string | null }>> {
    let query = this.db
      .selectFrom('kit_timers')
      .selectAll()
      .where('fired_at', 'is', null)
      .where('failed_at', 'is', null);
    if (filter.idPrefix) query = query.where('id', '>=', filter.idPrefix).where('id', '<', `${filter.idPrefix}\uffff`);
    const rows = await query.orderBy('due_at').execute();
    return rows.map((r) => ({
      id: r.id,
      tenantId: r.tenant_id,
      kind: r.kind,
      dueAt: r.due_at,
      payload: r.payload,
      attempts: r.attempts,
      lastError: r.last_error,
    }));
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
  }

  /** Fires every timer due now; returns how many fired. The loop calls it; tests may too. */
  async fireDue(): Promise<number> {
    let fired = 0;
    for (;;) {
      const batch = await this.fireBatch();
      fired += batch;
      if (batch < this.batchSize) return fired;
    }
  }

  private async run(): Promise<void> {
    while (this.running) {
      try {
        await this.fireDue();
        const next = await this.nextDue();
        const now = this.clock().getTime();
        await this.sleep(next === undefined ? this.maxSleepMs : Math.min(Math.max(next - now, 0), this.maxSleepMs));
      } catch (error) {
        this.options.log.warn({ err: error }, 'durable timers: firing failed; retrying');
        await this.sleep(this.maxSleepMs);
      }
    }
  }

  private async nextDue(): Promise<number | undefined> {
    const row = await this.db
      .selectFrom('kit_timers')
      .select('due_at')
      .where('fired_at', 'is', null)
      .where('failed_at', 'is', null)
      .orderBy('due_at')
      .limit(1)
      .executeTakeFirst();
    return row?.due_at.getTime();
  }

  private sleep(ms: number): Promise<void> {
    if (!this.running) return Promise.resolve();
    this.plannedWake = this.clock().getTime() + ms;
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = () => {
        this.wake = undefined;
        this.plannedWake = Infinity;
        done();
      };
    });
  }

  private async fireBatch(): Promise<number> {
    const claimed = await this.claimDue();
    // Each lane in due order: handlers of one entity often depend on order (a warning before its breach).
    const lanes = this.lanesOf(claimed);
    const marks = new FiredMarks((ids, token) => this.markFired(ids, token), this.leaseMs / 4, this.clock);
    const worker = async () => {
      for (let lane = lanes.shift(); lane; lane = lanes.shift())
        for (const row of lane) if (await this.fire(row)) await marks.add(row.id, row.lease_token as string);
    };
    try {
      await Promise.all(Array.from({ length: Math.min(this.concurrency, lanes.length) }, worker));
    } finally {
      await marks.flush();
    }
    return claimed.length;
  }

  /**
   * Marks fired timers, only where our claim still holds: a handler (or anyone) that scheduled the timer again has
   * dropped it, and it stays due. A mark lost to a crash fires the timer again once the lease runs out.
   */
  private async markFired(ids: string[], token: string): Promise<void> {
    await this.db
      .updateTable('kit_timers')
      .set({ fired_at: this.clock(), lease_token: null, lease_until: null })
      .where('id', 'in', ids)
      .where('lease_token', '=', token)
      .execute();
  }

  /** The claimed rows (in due order) as lanes of one ordering key each, the earliest due first. */
  private lanesOf(rows: Array<TimerTable['kit_timers']>): Array<Array<TimerTable['kit_timers']>> {
    if (this.concurrency === 1) return rows.length > 0 ? [rows] : [];
    const lanes = new Map<string, Array<TimerTable['kit_timers']>>();
    for (const row of rows) {
      const key = this.options.orderKey?.(dueTimerOf(row)) ?? row.id;
      const lane = lanes.get(key);
      if (lane) lane.push(row);
      else lanes.set(key, [row]);
    }
    return [...lanes.values()];
  }

  /** Reserves due timers for this process in one statement: a committed lease, so handlers run outside it. */
  private async claimDue(): Promise<Array<TimerTable['kit_timers']>> {
    const now = this.clock();
    const token = randomUUID();
    const rows = await this.db
      .updateTable('kit_timers')
      .set({ lease_token: token, lease_until: new Date(now.getTime() + this.leaseMs) })
      .where('id', 'in', (eb) =>
        eb
          .selectFrom('kit_timers')
          .select('id')
          .where('fired_at', 'is', null)
          .where('failed_at', 'is', null)
          .where('due_at', '<=', now)
          .where((w) => w.or([w('lease_until', 'is', null), w('lease_until', '<', now)]))
          .orderBy('due_at')
          .limit(this.batchSize)
          .forUpdate()
          .skipLocked(),
      )
      .returningAll()
      .execute();
    return rows.sort((a, b) => a.due_at.getTime() - b.due_at.getTime());
  }

  /** Runs the handler; true when it succeeded and the timer is to be marked fired. */
  private async fire(row: TimerTable['kit_timers']): Promise<boolean> {
    const timer = dueTimerOf(row);
    const handler = this.handlers.get(row.kind);
    try {
      if (!handler) throw new Error(`no handler for timer kind "${row.kind}"`);
      await handler(timer);
      this.lateness?.observe({ kind: row.kind }, Math.max(0, this.clock().getTime() - row.due_at.getTime()) / 1000);
      return true;
    } catch (error) {
      await this.failed(row, error);
      return false;
    }
  }

  private async failed(row: TimerTable['kit_timers'], error: unknown): Promise<void> {
    const attempts = row.attempts + 1;
    const message = (error instanceof Error ? error.message : String(error)).slice(0, 500);
    this.options.log.warn({ err: error, timer: row.id, attempts }, 'durable timer handler failed');
    const giveUp = attempts >= this.maxAttempts;
    const retryAt = new Date(this.clock().getTime() + Math.min(500 * 2 ** (attempts - 1), 60_000));
    await this.db
      .updateTable('kit_timers')
      .set({
        attempts,
        last_error: message,
        lease_token: null,
        lease_until: null,
        ...(giveUp ? { failed_at: this.clock() } : { due_at: retryAt }),
      })
      .where('id', '=', row.id)
      .where('lease_token', '=', row.lease_token)
      .execute();
  }
}

/**
 * Fired timers waiting for their mark: written when enough have gathered or the oldest has waited a quarter of
 * the lease (so a long batch does not let leases of fired timers run out), and at the end of the batch.
 */
class FiredMarks {
  private ids: string[] = [];
  private token = '';
  private since = 0;

  constructor(
    private readonly write: (ids: string[], token: string) => Promise<void>,
    private readonly maxWaitMs: number,
    private readonly clock: () => Date,
    private readonly maxIds = 100,
  ) {}

  async add(id: string, token: string): Promise<void> {
    if (this.ids.length === 0) this.since = this.clock().getTime();
    this.ids.push(id);
    this.token = token;
    if (this.ids.length >= this.maxIds || this.clock().getTime() - this.since >= this.maxWaitMs) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.ids.length === 0) return;
    const ids = this.ids;
    this.ids = [];
    await this.write(ids, this.token);
  }
}

function dueTimerOf(row: TimerTable['kit_timers']): DueTimer {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    kind: row.kind,
    dueAt: row.due_at,
    payload: row.payload,
    attempts: row.attempts,
  };
}
