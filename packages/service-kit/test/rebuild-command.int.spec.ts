// The rebuild Job's command on the real servers: records written through a RecordStore are replayed from the
// event log into an empty read-model database, with MongoDB and PostgreSQL only.
import type { Connection } from 'mongoose';
import pino from 'pino';
import { infraEnv, uniqueNamespace } from '@crm/testkit';
import {
  ConfigError,
  connectBus,
  connectMongo,
  drainBus,
  dropDatabase,
  ensureStream,
  EventLog,
  EventPublisher,
  openReadModel,
  rebuildFromEventLog,
  RecordStore,
  rowProjection,
  type Bus,
  type ReadModel,
  type RecordStore as Store,
  type TenantRecord,
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
const silent = pino({ level: 'silent' });

describe('rebuildFromEventLog (node dist/rebuild.js)', () => {
  const env = infraEnv();
  const namespace = uniqueNamespace('rebuildcmd');
  const mongoDb = `test_${namespace}`;
  const liveDb = `test_${namespace}_live`;
  const rebuiltDb = `test_${namespace}_rebuilt`;
  let mongo: Connection;
  let bus: Bus;
  let live: ReadModel<ThingDb>;

  const storeOf = (deps: {
    mongo: Connection;
    db: ReadModel<ThingDb>['db'];
    events: EventLog;
    publisher: EventPublisher;
  }) =>
    new RecordStore<Thing>({
      model: thingModel(deps.mongo),
      kind: 'thing',
      policy: { resource: 'things' },
      events: deps.events,
      publisher: deps.publisher,
      log: silent,
      projections: [rowProjection<Thing, ThingDb>({ db: deps.db, table: 'things', toRow: thingRow })],
    });

  beforeAll(async () => {
    mongo = await connectMongo({ url: env.mongoUrl, dbName: mongoDb });
    bus = await connectBus({ url: env.natsUrl, name: 'rebuild-command-test', namespace });
    await ensureStream(bus, { name: 'THING', subjects: ['crm.thing.>'] });
    const events = new EventLog(mongo);
    await events.ensureIndexes();
    live = await openReadModel<ThingDb>({ url: env.postgresUrl, database: liveDb, migrations: thingMigrations });
    const store = storeOf({ mongo, db: live.db, events, publisher: new EventPublisher(bus) });
    for (const name of ['one', 'two', 'three']) {
      const thing = await store.create(
        admin,
        { _id: `thing-${name}`, ownerId: 'admin', teamId: 'acme-east', name, note: '' },
        thingMessages(namespace, admin, 'thing.created'),
      );
      await store.update(admin, thing._id, 1, () => ({
        set: { note: `${name} again` },
        messages: thingMessages(namespace, admin, 'thing.updated'),
      }));
    }
    await store.drain();
  });

  afterAll(async () => {
    await live.close();
    await dropDatabase(env.postgresUrl, liveDb);
    await dropDatabase(env.postgresUrl, rebuiltDb);
    await mongo.dropDatabase();
    await mongo.close();
    await drainBus(bus);
  });

  it('fills an empty read model with the rows the live one has', async () => {
    const lines: string[] = [];
    const replayed = await rebuildFromEventLog<ThingDb>({
      service: 'things',
      migrations: thingMigrations,
      stores: (deps) => [storeOf(deps) as unknown as Store<TenantRecord>],
      env: {
        MONGODB_URL: env.mongoUrl,
        MONGODB_DB: mongoDb,
        POSTGRES_URL: env.postgresUrl,
        POSTGRES_DB: rebuiltDb,
        LOG_LEVEL: 'silent',
      },
      print: (line) => lines.push(line),
    });
    expect(replayed).toBe(6);
    expect(lines.at(-1)).toMatch(/^done: 6 events replayed/);
    const rebuilt = await openReadModel<ThingDb>({
      url: env.postgresUrl,
      database: rebuiltDb,
      migrations: thingMigrations,
    });
    try {
      const rows = (db: ReadModel<ThingDb>['db']) => db.selectFrom('things').selectAll().orderBy('id').execute();
      const expected = await rows(live.db);
      expect(expected.map((r) => r.name)).toEqual(['one', 'three', 'two']);
      expect(await rows(rebuilt.db)).toEqual(expected);
    } finally {
      await rebuilt.close();
    }
  });

  it('names the variable that is missing', async () => {
    await expect(
      rebuildFromEventLog<ThingDb>({
        service: 'things',
        migrations: thingMigrations,
        stores: () => [],
        env: { POSTGRES_URL: env.postgresUrl },
      }),
    ).rejects.toThrow(new ConfigError(['MONGODB_URL: required']));
  });
});
