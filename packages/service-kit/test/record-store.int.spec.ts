import { spawn } from 'node:child_process';
import path from 'node:path';
import type { Connection, Model } from 'mongoose';
import pino from 'pino';
import { sql } from 'kysely';
import { eventually, infraEnv, uniqueNamespace } from '@crm/testkit';
import {
  connectBus,
  connectMongo,
  drainBus,
  dropDatabase,
  ensureStream,
  EventLog,
  EventPublisher,
  EventSweeper,
  openReadModel,
  readStreamEvents,
  rebuildReadModels,
  RecordStore,
  rowProjection,
  ServiceError,
  type Bus,
  type ReadModel,
  type TenantRecord,
  withRequestKey,
} from '@crm/service-kit';
import {
  principalOf,
  thingMessages,
  thingMigrations,
  thingModel,
  thingRow,
  type Thing,
  type ThingDb,
} from './fixtures/records';

const admin = principalOf('admin', ['crm-admin']);
const rep1 = principalOf('rep1', ['sales-rep'], ['acme-east']);
const rep2 = principalOf('rep2', ['sales-rep'], ['acme-east']);
const manager = principalOf('manager', ['sales-manager'], ['acme-east']);
const silent = pino({ level: 'silent' });

describe('RecordStore: lock-free writes through the event log, on the real servers', () => {
  const env = infraEnv();
  const namespace = uniqueNamespace('records');
  const dbName = `test_${namespace}`;
  let mongo: Connection;
  let bus: Bus;
  let model: Model<Thing>;
  let events: EventLog;
  let readModel: ReadModel<ThingDb>;
  let store: RecordStore<Thing>;

  const newStore = () =>
    new RecordStore<Thing>({
      model,
      kind: 'thing',
      policy: { resource: 'things' },
      events,
      publisher: new EventPublisher(bus),
      log: silent,
      projections: [rowProjection<Thing, ThingDb>({ db: readModel.db, table: 'things', toRow: thingRow })],
    });

  const create = (by = admin, name = 'first', owner?: { ownerId: string; teamId: string }) =>
    store.create(
      by,
      {
        _id: `thing-${Math.random().toString(36).slice(2)}`,
        ownerId: owner?.ownerId ?? by.userId,
        teamId: owner?.teamId ?? 'acme-east',
        name,
        note: '',
      },
      thingMessages(namespace, by, 'thing.created'),
    );

  const rename = (id: string, expected: number | undefined, name: string, by = admin) =>
    store.update(by, id, expected, () => ({ set: { name }, messages: thingMessages(namespace, by, 'thing.updated') }));

  const streamVersions = async (id: string) =>
    (await readStreamEvents(bus, 'THING')).filter((e) => e.aggregateId === id).map((e) => e.aggregateVersion);

  const row = async (id: string) =>
    readModel.db.selectFrom('things').selectAll().where('id', '=', id).executeTakeFirst();

  beforeAll(async () => {
    mongo = await connectMongo({ url: env.mongoUrl, dbName });
    bus = await connectBus({ url: env.natsUrl, name: 'records-test', namespace });
    await ensureStream(bus, { name: 'THING', subjects: ['crm.thing.>'] });
    model = thingModel(mongo);
    events = new EventLog(mongo);
    await events.ensureIndexes();
    readModel = await openReadModel<ThingDb>({ url: env.postgresUrl, database: dbName, migrations: thingMigrations });
    store = newStore();
  });

  afterAll(async () => {
    await store.drain();
    await readModel.close();
    await dropDatabase(env.postgresUrl, dbName);
    await mongo.dropDatabase();
    await mongo.close();
    await drainBus(bus);
  });

  it('lets exactly one of 50 concurrent updates with the same expected version win; the rest get FAILED_PRECONDITION', async () => {
    const thing = await create();
    const outcomes = await Promise.allSettled(
      Array.from({ length: 50 }, (_, i) => rename(thing._id, 1, `contender ${i}`)),
    );
    const won = outcomes.filter((o) => o.status === 'fulfilled');
    const lost = outcomes.flatMap((o) => (o.status === 'rejected' ? [o.reason as ServiceError] : []));
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(49);
    expect(lost.every((e) => e instanceof ServiceError && e.code === 'FAILED_PRECONDITION')).toBe(true);
    expect(lost.every((e) => e.metadata.currentVersion === '2')).toBe(true);

    const winner = (won[0] as PromiseFulfilledResult<Thing>).value;
    expect(await store.get(admin, thing._id)).toMatchObject({ version: 2, name: winner.name });
    const history = await store.history(admin, thing._id);
    expect(history.map((h) => h.version)).toEqual([2, 1]);
    expect(history[0]?.changes).toEqual([{ field: 'name', from: 'first', to: winner.name }]);
    await store.drain();
    expect((await streamVersions(thing._id)).sort()).toEqual([1, 2]);
    expect(await row(thing._id)).toMatchObject({ version: 2, name: winner.name });
  });

  it('applies every one of 20 concurrent unconditional updates, each on the newest version', async () => {
    const thing = await create();
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => rename(thing._id, undefined, `n${i}`)));
    expect(new Set(results.map((r) => r.version)).size).toBe(20);
    expect((await store.get(admin, thing._id)).version).toBe(21);
    await store.drain();
    expect((await streamVersions(thing._id)).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 21 }, (_, i) => i + 1),
    );
  });

  it('creates 50 records concurrently without any failing, each once in the store, stream and read model', async () => {
    const created = await Promise.all(Array.from({ length: 50 }, (_, i) => create(admin, `bulk ${i}`)));
    expect(new Set(created.map((c) => c._id)).size).toBe(50);
    await store.drain();
    const rows = await readModel.db.selectFrom('things').select('id').where('name', 'like', 'bulk %').execute();
    expect(rows).toHaveLength(50);
    const onStream = (await readStreamEvents(bus, 'THING')).filter((e) => e.type === 'thing.created');
    for (const thing of created) expect(onStream.filter((e) => e.aggregateId === thing._id)).toHaveLength(1);
  });

  it('creates a batch with one mark for all its events, and a retry of the batch stores nothing twice', async () => {
    const ids = Array.from({ length: 30 }, (_, i) => `batch-${namespace}-${i}`);
    const records = ids.map((id, i) => ({
      record: { _id: id, ownerId: 'admin', teamId: 'acme-east', name: `batched ${i}`, note: '' },
      messages: thingMessages(namespace, admin, 'thing.created'),
    }));
    const created = await store.createMany(admin, records);
    expect(created.map((t) => t._id)).toEqual(ids);
    await store.drain();
    const stored = await Promise.all(ids.map((id) => events.get<Thing>(`${id}:1`)));
    const batch = stored[0]?.batch ?? '';
    expect(batch).not.toBe('');
    expect(stored.every((e) => e?.batch === batch && e.published === false)).toBe(true);
    expect(await events.isPublished(stored[0]!)).toBe(true);
    expect(await events.unpublished(new Date(), 1000)).toEqual([]);
    expect((await store.load(ids[7] as string))?.name).toBe('batched 7');
    expect(await row(ids[29] as string)).toMatchObject({ version: 1, name: 'batched 29' });
    // The same records again (an import retrying its batch): all taken, nothing new anywhere.
    expect(await store.createMany(admin, records)).toEqual([]);
    await store.drain();
    const onStream = (await readStreamEvents(bus, 'THING')).filter((e) => ids.includes(e.aggregateId));
    expect(onStream).toHaveLength(30);
  });

  it('creates a batch of several bulk chunks after a writer died mid-batch: what it stored counts as written, the rest once', async () => {
    const ids = Array.from({ length: 250 }, (_, i) => `chunks-${namespace}-${i}`);
    const records = ids.map((id, i) => ({
      record: { _id: id, ownerId: 'admin', teamId: 'acme-east', name: `chunked ${i}`, note: '' },
      messages: thingMessages(namespace, admin, 'thing.created'),
    }));
    // The dead writer's batch: events of records in three different chunks, one with its snapshot, none published.
    const dead = [3, 120, 249];
    const at = new Date();
    await events.beginBatch({
      _id: `dead-${namespace}`,
      collection: 'things',
      tenantId: 'acme',
      at,
      size: 3,
      published: false,
    });
    const states = dead.map((i) => ({
      ...records[i]!.record,
      tenantId: 'acme',
      version: 1,
      createdAt: at,
      updatedAt: at,
      deletedAt: null,
    })) as Thing[];
    await events.appendMany(
      states.map((state) => ({
        _id: `${state._id}:1`,
        aggregateId: state._id,
        collection: 'things',
        tenantId: 'acme',
        version: 1,
        type: 'thing.created',
        at,
        actor: { userId: 'admin', clientId: 'test' },
        changes: [],
        state,
        messages: thingMessages(namespace, admin, 'thing.created')(state),
        published: false,
        writeId: `dead-${state._id}`,
        batch: `dead-${namespace}`,
      })),
    );
    await model.collection.insertOne(states[1] as never);

    const created = await store.createMany(admin, records);
    expect(created).toHaveLength(247);
    expect(created.map((t) => t._id)).toEqual(ids.filter((_, i) => !dead.includes(i)));
    // The ids it left out are the dead writer's: finished from its events (as an import does), and the sweeper
    // finishing the dead batch again publishes nothing twice.
    for (const i of dead) await store.finish(ids[i] as string, 1);
    const sweeper = new EventSweeper(events, [store as unknown as RecordStore<TenantRecord>], silent, { minAgeMs: 0 });
    expect(await sweeper.sweepOnce({ minAgeMs: 0 })).toBe(3);
    await store.drain();
    for (const i of [0, 3, 99, 100, 120, 200, 249]) {
      expect((await store.load(ids[i] as string))?.version).toBe(1);
      expect(await row(ids[i] as string)).toMatchObject({ version: 1, name: `chunked ${i}` });
    }
    const onStream = (await readStreamEvents(bus, 'THING')).filter((e) => ids.includes(e.aggregateId));
    expect(onStream).toHaveLength(250);
    expect(new Set(onStream.map((e) => e.aggregateId)).size).toBe(250);
  });

  it('finishes a batch whose writer died after its events, through the sweeper, publishing each once', async () => {
    const ids = Array.from({ length: 5 }, (_, i) => `dead-batch-${namespace}-${i}`);
    const at = new Date();
    await events.beginBatch({
      _id: `b-${namespace}`,
      collection: 'things',
      tenantId: 'acme',
      at,
      size: 5,
      published: false,
    });
    const messages = thingMessages(namespace, admin, 'thing.created');
    await events.appendMany(
      ids.map((id) => {
        const state = {
          _id: id,
          tenantId: 'acme',
          ownerId: 'admin',
          teamId: 'acme-east',
          name: id,
          note: '',
          version: 1,
          createdAt: at,
          updatedAt: at,
          deletedAt: null,
        } as Thing;
        return {
          _id: `${id}:1`,
          aggregateId: id,
          collection: 'things',
          tenantId: 'acme',
          version: 1,
          type: 'thing.created',
          at,
          actor: { userId: 'admin', clientId: 'test' },
          changes: [],
          state,
          messages: messages(state),
          published: false,
          writeId: id,
          batch: `b-${namespace}`,
        };
      }),
    );
    expect(await store.load(ids[0] as string)).toBeUndefined();
    const sweeper = new EventSweeper(events, [store as unknown as RecordStore<TenantRecord>], silent, { minAgeMs: 0 });
    expect(await sweeper.sweepOnce({ minAgeMs: 0 })).toBe(5);
    expect((await store.load(ids[4] as string))?.version).toBe(1);
    expect(await row(ids[4] as string)).toMatchObject({ version: 1 });
    expect(await sweeper.sweepOnce({ minAgeMs: 0 })).toBe(0);
    const onStream = (await readStreamEvents(bus, 'THING')).filter((e) => ids.includes(e.aggregateId));
    expect(onStream).toHaveLength(5);
  });

  it('serves the read model row to a reader right after the write returns', async () => {
    const thing = await create();
    await rename(thing._id, 1, 'read your write');
    expect(await row(thing._id)).toMatchObject({ version: 2, name: 'read your write' });
  });

  it('hides records outside the caller scope as not found, reads and writes alike', async () => {
    const own = await create(rep1, 'rep1 thing', { ownerId: 'rep1', teamId: 'acme-east' });
    await expect(store.get(rep2, own._id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(rename(own._id, 1, 'taken over', rep2)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(store.get(principalOf('gadmin', ['crm-admin'], [], 'globex'), own._id)).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    expect((await store.get(manager, own._id)).name).toBe('rep1 thing');
    expect((await rename(own._id, 1, 'by the manager', manager)).version).toBe(2);
  });

  it('answers 412-style FAILED_PRECONDITION only when the version really moved', async () => {
    const thing = await create();
    await expect(rename(thing._id, 2, 'from the future')).rejects.toMatchObject({ code: 'FAILED_PRECONDITION' });
    expect((await store.get(admin, thing._id)).version).toBe(1);
    expect((await rename(thing._id, 1, 'right version')).version).toBe(2);
  });

  it('finishes a write whose process was killed after its event and before its snapshot, exactly once', async () => {
    const thing = await create(admin, 'before the crash');
    await store.drain();
    const child = spawn(process.execPath, [path.join(__dirname, 'fixtures/event-then-die.js')], {
      env: {
        ...process.env,
        MONGODB_URL: env.mongoUrl,
        DB_NAME: dbName,
        NATS_URL: env.natsUrl,
        NAMESPACE: namespace,
        THING_ID: thing._id,
        EXPECTED_VERSION: '1',
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const signal = await new Promise<NodeJS.Signals | null>((resolve) =>
      child.on('exit', (_code, sig) => resolve(sig)),
    );
    expect(stderr).toBe('');
    expect(signal).toBe('SIGKILL');

    // Killed between the steps: the log has version 2, nothing else does.
    expect((await events.get(`${thing._id}:2`))?.published).toBe(false);
    expect((await store.load(thing._id))?.version).toBe(1);
    expect(await row(thing._id)).toMatchObject({ version: 1 });
    expect(await streamVersions(thing._id)).toEqual([1]);
    // A writer that read version 1 now loses: the version really moved, in the log.
    await expect(rename(thing._id, 1, 'stale writer')).rejects.toMatchObject({ code: 'FAILED_PRECONDITION' });

    // The restarted service's sweeper finishes the write.
    const restarted = newStore();
    const sweeper = new EventSweeper(events, [restarted as unknown as RecordStore<TenantRecord>], silent, {
      minAgeMs: 0,
    });
    await sweeper.sweepOnce({ minAgeMs: 0 });
    await restarted.drain();
    expect(await store.load(thing._id)).toMatchObject({ version: 2, name: 'renamed by the process that died' });
    expect(await row(thing._id)).toMatchObject({ version: 2, name: 'renamed by the process that died' });
    expect(await streamVersions(thing._id)).toEqual([1, 2]);
    expect((await events.get(`${thing._id}:2`))?.published).toBe(true);
    // Sweeping again changes nothing and publishes nothing twice.
    await sweeper.sweepOnce({ minAgeMs: 0 });
    expect(await streamVersions(thing._id)).toEqual([1, 2]);
  });

  it('rebuilds a dropped read model from the event log to what was maintained live', async () => {
    const live = await readModel.db.selectFrom('things').selectAll().orderBy('id').execute();
    expect(live.length).toBeGreaterThan(50);
    await sql`truncate things`.execute(readModel.db);
    const progress: number[] = [];
    await rebuildReadModels({
      events,
      stores: [store as unknown as RecordStore<TenantRecord>],
      batchSize: 40,
      onProgress: (p) => progress.push(p.events),
    });
    expect(progress.length).toBeGreaterThan(1);
    expect(await readModel.db.selectFrom('things').selectAll().orderBy('id').execute()).toEqual(live);
  });

  it('keeps field-level history and redacts personal data from it while keeping the versions', async () => {
    const thing = await create(admin, 'Ada');
    await store.update(admin, thing._id, 1, () => ({
      set: { note: 'call on Monday' },
      messages: thingMessages(namespace, admin, 'thing.updated'),
    }));
    await rename(thing._id, 2, 'Ada Lovelace');
    const history = await store.history(admin, thing._id);
    expect(history.map((h) => [h.version, h.type, h.changes.map((c) => c.field)])).toEqual([
      [3, 'thing.updated', ['name']],
      [2, 'thing.updated', ['note']],
      [1, 'thing.created', ['ownerId', 'teamId', 'name']],
    ]);
    expect(history[0]?.actor.userId).toBe('admin');

    await store.redactHistory(thing._id, (state) => ({ ...state, name: '', note: '' }), ['name', 'note']);
    const after = await store.history(admin, thing._id);
    expect(after.map((h) => h.version)).toEqual([3, 2, 1]);
    const stored = await events.history<Thing>(thing._id);
    const text = JSON.stringify(stored);
    expect(text).not.toContain('Ada');
    expect(text).not.toContain('Monday');
    expect(stored.every((e) => e.redacted && e.messages.length === 0)).toBe(true);
  });

  it('applies a keyed request once however often it is retried, even concurrently, and only for its caller', async () => {
    const key = `key-${Math.random().toString(36).slice(2)}`;
    const created = await Promise.all(
      Array.from({ length: 5 }, () => withRequestKey(key, () => create(rep1, 'keyed'))),
    );
    expect(new Set(created.map((t) => t._id)).size).toBe(1);
    const id = created[0]!._id;
    // The same key from another caller is another request.
    const other = await withRequestKey(key, () => create(rep2, 'keyed'));
    expect(other._id).not.toBe(id);

    // A retried update (its first answer lost) answers with what the first attempt stored, even past If-Match.
    const first = await withRequestKey(`${key}-u`, () => rename(id, 1, 'renamed once', rep1));
    const retried = await withRequestKey(`${key}-u`, () => rename(id, 1, 'renamed once', rep1));
    expect(retried).toEqual(first);
    const moves = await Promise.all(
      Array.from({ length: 5 }, () => withRequestKey(`${key}-m`, () => rename(id, undefined, 'moved', rep1))),
    );
    expect(moves.map((m) => m.version)).toEqual([3, 3, 3, 3, 3]);
    // Two writes of one request to one record are two writes, and the retry repeats neither.
    const twice = () =>
      withRequestKey(`${key}-t`, async () => {
        await rename(id, undefined, 'a', rep1);
        return rename(id, undefined, 'b', rep1);
      });
    expect((await twice()).version).toBe(5);
    expect((await twice()).version).toBe(5);
    // Without a key every call is a write of its own.
    expect((await rename(id, undefined, 'c', rep1)).version).toBe(6);
    expect((await store.history(admin, id)).map((h) => h.version)).toEqual([6, 5, 4, 3, 2, 1]);
    await store.drain();
    await eventually(async () => ((await streamVersions(id)).length >= 6 ? true : undefined));
    expect(await streamVersions(id)).toEqual([1, 2, 3, 4, 5, 6]);
  });
});
