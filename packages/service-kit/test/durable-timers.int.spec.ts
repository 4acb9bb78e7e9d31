import pino from 'pino';
import { sql } from 'kysely';
import { infraEnv, uniqueDbName, eventually } from '@crm/testkit';
import {
  dropDatabase,
  DurableTimers,
  openReadModel,
  timerMigrations,
  type DueTimer,
  type ReadModel,
} from '@crm/service-kit';

const log = pino({ level: 'silent' });

describe('DurableTimers on the real PostgreSQL', () => {
  const env = infraEnv();
  const database = uniqueDbName('timers');
  let rm: ReadModel<unknown>;

  beforeAll(async () => {
    rm = await openReadModel({ url: env.postgresUrl, database, migrations: timerMigrations });
  });

  afterAll(async () => {
    await rm.close();
    await dropDatabase(env.postgresUrl, database);
  });

  it('fires each due timer once, in due order, and not before it is due (injectable clock)', async () => {
    let now = new Date('2027-01-01T00:00:00Z');
    const fired: string[] = [];
    const timers = new DurableTimers(rm.db, { log, clock: () => now }).on('t', async (t) => void fired.push(t.id));
    await timers.schedule([
      { id: 'a:2', tenantId: 'acme', kind: 't', dueAt: new Date('2027-01-01T00:02:00Z'), payload: {} },
      { id: 'a:1', tenantId: 'acme', kind: 't', dueAt: new Date('2027-01-01T00:01:00Z'), payload: { n: 1 } },
      { id: 'a:3', tenantId: 'acme', kind: 't', dueAt: new Date('2027-01-01T00:03:00Z'), payload: {} },
    ]);
    expect(await timers.fireDue()).toBe(0);
    now = new Date('2027-01-01T00:02:30Z');
    expect(await timers.fireDue()).toBe(2);
    expect(fired).toEqual(['a:1', 'a:2']);
    expect(await timers.fireDue()).toBe(0);
    await timers.cancel('a:3');
    now = new Date('2027-01-01T01:00:00Z');
    expect(await timers.fireDue()).toBe(0);
    expect(fired).toEqual(['a:1', 'a:2']);
  });

  it('moves a timer scheduled again, and cancels a whole prefix', async () => {
    let now = new Date('2027-02-01T00:00:00Z');
    const fired: DueTimer[] = [];
    const timers = new DurableTimers(rm.db, { log, clock: () => now }).on('t', async (t) => void fired.push(t));
    await timers.schedule({
      id: 'b:x',
      tenantId: 'acme',
      kind: 't',
      dueAt: new Date('2027-02-01T00:01:00Z'),
      payload: { v: 1 },
    });
    await timers.schedule({
      id: 'b:x',
      tenantId: 'acme',
      kind: 't',
      dueAt: new Date('2027-02-01T00:05:00Z'),
      payload: { v: 2 },
    });
    await timers.schedule({
      id: 'c:1',
      tenantId: 'acme',
      kind: 't',
      dueAt: new Date('2027-02-01T00:01:00Z'),
      payload: {},
    });
    await timers.schedule({
      id: 'c:2',
      tenantId: 'acme',
      kind: 't',
      dueAt: new Date('2027-02-01T00:01:00Z'),
      payload: {},
    });
    await timers.cancelPrefix('c:');
    now = new Date('2027-02-01T00:02:00Z');
    expect(await timers.fireDue()).toBe(0);
    now = new Date('2027-02-01T00:06:00Z');
    expect(await timers.fireDue()).toBe(1);
    expect(fired.map((t) => [t.id, t.payload])).toEqual([['b:x', { v: 2 }]]);
  });

  it('retries a failing handler with backoff and keeps the timer with its error after the last attempt', async () => {
    let now = new Date('2027-03-01T00:00:00Z');
    let calls = 0;
    const timers = new DurableTimers(rm.db, { log, clock: () => now, maxAttempts: 2 }).on('boom', async () => {
      calls++;
      throw new Error('receiver down');
    });
    await timers.schedule({ id: 'd:1', tenantId: 'acme', kind: 'boom', dueAt: now, payload: {} });
    await timers.fireDue();
    expect(calls).toBe(1);
    expect(await timers.fireDue()).toBe(0);
    now = new Date(now.getTime() + 60_000);
    await timers.fireDue();
    expect(calls).toBe(2);
    now = new Date(now.getTime() + 3_600_000);
    expect(await timers.fireDue()).toBe(0);
    expect(await timers.pending({ idPrefix: 'd:' })).toEqual([]);
  });

  it('lets a handler schedule the timer it fires again, which then fires again', async () => {
    let now = new Date('2027-04-01T00:00:00Z');
    const fired: string[] = [];
    const timers = new DurableTimers(rm.db, { log, clock: () => now });
    timers.on('repeat', async (t) => {
      fired.push(t.dueAt.toISOString());
      const next = new Date(t.dueAt.getTime() + 60_000);
      if (fired.length < 3) await timers.schedule({ ...t, dueAt: next });
    });
    await timers.schedule({ id: 'r:1', tenantId: 'acme', kind: 'repeat', dueAt: now, payload: {} });
    for (let i = 0; i < 4; i++) {
      await timers.fireDue();
      now = new Date(now.getTime() + 60_000);
    }
    expect(fired).toEqual(['2027-04-01T00:00:00.000Z', '2027-04-01T00:01:00.000Z', '2027-04-01T00:02:00.000Z']);
    expect(await timers.pending({ idPrefix: 'r:' })).toEqual([]);
  });

  it('gives a timer claimed by a process that died to another once the lease runs out', async () => {
    let now = new Date('2027-05-01T00:00:00Z');
    const fired: string[] = [];
    const dead = new DurableTimers(rm.db, { log, clock: () => now, leaseMs: 30_000 });
    dead.on('lease', () => new Promise<void>(() => undefined));
    await dead.schedule({ id: 'l:1', tenantId: 'acme', kind: 'lease', dueAt: now, payload: {} });
    void dead.fireDue();
    const leased = async () => {
      const { rows } = await sql<{
        lease_token: string | null;
      }>`select lease_token from kit_timers where id = 'l:1'`.execute(rm.db);
      return rows[0]?.lease_token ? true : undefined;
    };
    await eventually(leased);
    const other = new DurableTimers(rm.db, { log, clock: () => now }).on('lease', async (t) => void fired.push(t.id));
    expect(await other.fireDue()).toBe(0);
    now = new Date(now.getTime() + 31_000);
    expect(await other.fireDue()).toBe(1);
    expect(fired).toEqual(['l:1']);
  });

  it('with concurrency, fires different keys side by side and the timers of one key in due order', async () => {
    const now = new Date('2026-06-01T00:10:00Z');
    const fired: string[] = [];
    let inFlight = 0;
    let maxInFlight = 0;
    let release: () => void = () => undefined;
    // Each handler waits until three run at once (or gives up after 5 s): only side-by-side firing gets there.
    const together = new Promise<void>((resolve) => {
      release = resolve;
      setTimeout(resolve, 5_000).unref();
    });
    const timers = new DurableTimers(rm.db, {
      log,
      clock: () => now,
      concurrency: 4,
      orderKey: (t) => (t.payload as { key: string }).key,
    }).on('lane', async (t) => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      if (inFlight >= 3) release();
      await together;
      fired.push(t.id);
      inFlight--;
    });
    const at = (minute: number) => new Date(`2026-06-01T00:0${minute}:00Z`);
    await timers.schedule([
      { id: 'l:x3', tenantId: 'acme', kind: 'lane', dueAt: at(3), payload: { key: 'x' } },
      { id: 'l:x1', tenantId: 'acme', kind: 'lane', dueAt: at(1), payload: { key: 'x' } },
      { id: 'l:y', tenantId: 'acme', kind: 'lane', dueAt: at(2), payload: { key: 'y' } },
      { id: 'l:x2', tenantId: 'acme', kind: 'lane', dueAt: at(2), payload: { key: 'x' } },
      { id: 'l:z', tenantId: 'acme', kind: 'lane', dueAt: at(4), payload: { key: 'z' } },
    ]);
    await timers.fireDue();
    expect(maxInFlight).toBe(3);
    expect(fired.filter((id) => id.startsWith('l:x'))).toEqual(['l:x1', 'l:x2', 'l:x3']);
    expect([...fired].sort()).toEqual(['l:x1', 'l:x2', 'l:x3', 'l:y', 'l:z']);
  });

  it('fires on time from its own loop, and a restarted process fires what the stopped one left', async () => {
    const fired: Array<{ id: string; late: number }> = [];
    const handler = async (t: DueTimer) => void fired.push({ id: t.id, late: Date.now() - t.dueAt.getTime() });
    const first = new DurableTimers(rm.db, { log }).on('real', handler);
    first.start();
    await first.schedule({
      id: 'e:soon',
      tenantId: 'acme',
      kind: 'real',
      dueAt: new Date(Date.now() + 300),
      payload: {},
    });
    await eventually(() => (fired.length === 1 ? true : undefined), 5_000, 20);
    await first.schedule({
      id: 'e:later',
      tenantId: 'acme',
      kind: 'real',
      dueAt: new Date(Date.now() + 600),
      payload: {},
    });
    await first.stop();
    const second = new DurableTimers(rm.db, { log }).on('real', handler);
    second.start();
    await eventually(() => (fired.length === 2 ? true : undefined), 5_000, 20);
    await second.stop();
    expect(fired.map((f) => f.id)).toEqual(['e:soon', 'e:later']);
    expect(fired.every((f) => f.late >= 0)).toBe(true);
  });

  it('claims a batch per statement; the batch of a process that died passes whole to another once its leases run out', async () => {
    let now = new Date('2028-01-01T00:00:00Z');
    const ids = Array.from({ length: 120 }, (_, i) => `bl:${String(i).padStart(3, '0')}`);
    const dead = new DurableTimers(rm.db, { log, clock: () => now, leaseMs: 30_000, batchSize: 50, concurrency: 8 });
    dead.on('batch', () => new Promise<void>(() => undefined));
    await dead.schedule(ids.map((id) => ({ id, tenantId: 'acme', kind: 'batch', dueAt: now, payload: {} })));
    void dead.fireDue();
    const leasedIds = async () => {
      const { rows } = await sql<{ id: string }>`
        select id from kit_timers where id like 'bl:%' and lease_token is not null order by id`.execute(rm.db);
      return rows.length === 50 ? rows.map((r) => r.id) : undefined;
    };
    const heldByDead = await eventually(leasedIds);
    // The earliest due first, all under one claim.
    const { rows: tokens } = await sql<{ n: number }>`
      select count(distinct lease_token)::int as n from kit_timers where id like 'bl:%'`.execute(rm.db);
    expect(tokens[0]?.n).toBe(1);
    const fired: string[] = [];
    const other = new DurableTimers(rm.db, { log, clock: () => now, batchSize: 50, concurrency: 8 }).on(
      'batch',
      async (t) => void fired.push(t.id),
    );
    expect(await other.fireDue()).toBe(70);
    expect(fired.some((id) => heldByDead.includes(id))).toBe(false);
    now = new Date(now.getTime() + 31_000);
    expect(await other.fireDue()).toBe(50);
    expect([...fired].sort()).toEqual(ids);
    expect(await other.pending({ idPrefix: 'bl:' })).toEqual([]);
    expect(await other.fireDue()).toBe(0);
  });

  it('fires each timer once while two processes claim batches side by side', async () => {
    const now = new Date('2028-02-01T00:00:00Z');
    const ids = Array.from({ length: 400 }, (_, i) => `bs:${String(i).padStart(3, '0')}`);
    const fired: string[] = [];
    const handler = async (t: DueTimer) => {
      await new Promise((resolve) => setImmediate(resolve));
      fired.push(t.id);
    };
    const options = { log, clock: () => now, batchSize: 30, concurrency: 4 };
    const a = new DurableTimers(rm.db, options).on('side', handler);
    const b = new DurableTimers(rm.db, options).on('side', handler);
    await a.schedule(
      ids.map((id, i) => ({ id, tenantId: 'acme', kind: 'side', dueAt: new Date(+now - i), payload: {} })),
    );
    const [byA, byB] = await Promise.all([a.fireDue(), b.fireDue()]);
    expect(byA + byB).toBe(400);
    expect(fired).toHaveLength(400);
    expect([...fired].sort()).toEqual(ids);
    expect(await a.pending({ idPrefix: 'bs:' })).toEqual([]);
  });

  it('marks fired timers during a long batch, before their leases could run out', async () => {
    let now = new Date('2028-03-01T00:00:00Z');
    const seen: Array<string | null> = [];
    const firedAt = async (id: string) => {
      const { rows } = await sql<{ fired_at: Date | null }>`select fired_at from kit_timers where id = ${id}`.execute(
        rm.db,
      );
      return rows[0]?.fired_at ? 'fired' : null;
    };
    const timers = new DurableTimers(rm.db, { log, clock: () => now, leaseMs: 40_000 }).on('slow', async (t) => {
      if (t.id === 'ml:2') seen.push(await firedAt('ml:1'));
      if (t.id === 'ml:3') seen.push(await firedAt('ml:2'));
      // Each handler takes 11 s of the injected clock: more than a quarter of the lease.
      now = new Date(now.getTime() + 11_000);
    });
    await timers.schedule(
      ['ml:1', 'ml:2', 'ml:3'].map((id, i) => ({
        id,
        tenantId: 'acme',
        kind: 'slow',
        dueAt: new Date(+now - 3 + i),
        payload: {},
      })),
    );
    expect(await timers.fireDue()).toBe(3);
    expect(seen).toEqual([null, 'fired']);
    expect(await timers.pending({ idPrefix: 'ml:' })).toEqual([]);
  });
});
