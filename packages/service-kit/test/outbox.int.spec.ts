import { spawn } from 'node:child_process';
import path from 'node:path';
import { Schema, type Connection } from 'mongoose';
import pino from 'pino';
import { infraEnv, uniqueNamespace } from '@crm/testkit';
import { probeEntry } from './fixtures/events';
import {
  connectBus,
  connectMongo,
  DocumentLocks,
  drainBus,
  ensureStream,
  EventPublisher,
  initialOutbox,
  OutboxRelay,
  OutboxSweeper,
  outboxStoreOf,
  streamName,
  subjectOf,
  type Bus,
} from '@crm/service-kit';

function runChild(
  script: string,
  env: Record<string, string>,
): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [script], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('exit', (code, signal) => resolve({ code, signal, stderr }));
  });
}

describe('single-document outbox on the real servers', () => {
  const env = infraEnv();
  const namespace = uniqueNamespace('outbox');
  const dbName = `test_${namespace}`;
  let bus: Bus;
  let mongo: Connection;

  beforeAll(async () => {
    bus = await connectBus({ url: env.natsUrl, name: 'outbox-test', namespace });
    await ensureStream(bus, { name: 'THING', subjects: ['crm.thing.>'] });
    mongo = await connectMongo({ url: env.mongoUrl, dbName });
  });

  afterAll(async () => {
    await mongo.dropDatabase();
    await mongo.close();
    await drainBus(bus);
  });

  async function storedCount(): Promise<number> {
    const subject = subjectOf(bus, 'crm.thing.created');
    const info = await bus.jsm.streams.info(streamName(bus, 'THING'), { subjects_filter: subject });
    return info.state.subjects?.[subject] ?? 0;
  }

  it('loses no event when the process is killed between the write and the publish', async () => {
    const child = await runChild(path.join(__dirname, 'fixtures/write-then-die.js'), {
      MONGODB_URL: env.mongoUrl,
      DB_NAME: dbName,
      NATS_URL: env.natsUrl,
      NAMESPACE: namespace,
    });
    expect(child.stderr).toBe('');
    expect(child.signal).toBe('SIGKILL');

    const things = mongo.collection<{ _id: string; outbox: unknown[] }>('things');
    expect((await things.findOne({ _id: 'thing-1' }))?.outbox).toHaveLength(1);
    expect(await storedCount()).toBe(0);

    // The restarted process's sweeper publishes what the dead one left behind.
    const model = mongo.model('Thing', new Schema({ _id: String }, { strict: false }), 'things');
    const store = outboxStoreOf(model, new DocumentLocks(mongo));
    const sweeper = new OutboxSweeper(
      [store],
      new OutboxRelay(new EventPublisher(bus), pino({ level: 'silent' })),
      pino({ level: 'silent' }),
    );
    expect(await sweeper.sweepOnce({ minAgeMs: 0 })).toBe(1);
    expect(await storedCount()).toBe(1);
    expect((await things.findOne({ _id: 'thing-1' }))?.outbox).toHaveLength(0);

    // A second sweep finds nothing, and the stream still holds the event exactly once.
    expect(await sweeper.sweepOnce({ minAgeMs: 0 })).toBe(0);
    expect(await storedCount()).toBe(1);
  });

  it('drops the duplicate when a crash after publish makes the sweeper publish again', async () => {
    const things = mongo.collection('things');
    const model = mongo.models.Thing ?? mongo.model('Thing', new Schema({ _id: String }, { strict: false }), 'things');
    const publisher = new EventPublisher(bus);
    const entry = { ...probeEntry(namespace, 'thing-2', 1, 'thing.created'), createdAt: new Date(Date.now() - 60_000) };
    await things.insertOne({ _id: 'thing-2' as never, ...initialOutbox([entry]) });
    // Published, but the process died before pulling it from the outbox.
    await publisher.publish(entry);
    const before = await storedCount();
    const sweeper = new OutboxSweeper(
      [outboxStoreOf(model, new DocumentLocks(mongo))],
      new OutboxRelay(publisher, pino({ level: 'silent' })),
      pino({ level: 'silent' }),
    );
    expect(await sweeper.sweepOnce()).toBe(1);
    expect(await storedCount()).toBe(before);
  });
});
