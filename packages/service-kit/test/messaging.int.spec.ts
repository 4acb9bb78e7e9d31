import type { Connection } from 'mongoose';
import pino from 'pino';
import { eventually, infraEnv, uniqueNamespace } from '@crm/testkit';
import {
  connectBus,
  connectMongo,
  drainBus,
  ensureDeadLetterStream,
  ensureStream,
  EventPublisher,
  HandledEvents,
  listDeadLetters,
  PoisonEventError,
  replayDeadLetters,
  startBatchConsumer,
  startConsumer,
  streamName,
  subjectOf,
  type Bus,
  type EventHandler,
} from '@crm/service-kit';
import { probeEntry } from './fixtures/events';

const log = pino({ level: 'silent' });

describe('JetStream messaging on a real NATS server', () => {
  const env = infraEnv();
  const namespace = uniqueNamespace('msg');
  let bus: Bus;
  let mongo: Connection;
  let handled: HandledEvents;

  beforeAll(async () => {
    bus = await connectBus({ url: env.natsUrl, name: 'messaging-test', namespace });
    await ensureStream(bus, { name: 'PROBE', subjects: ['crm.probe.>'] });
    await ensureDeadLetterStream(bus);
    mongo = await connectMongo({ url: env.mongoUrl, dbName: `test_${namespace}` });
    handled = new HandledEvents(mongo);
  });

  afterAll(async () => {
    await mongo.dropDatabase();
    await mongo.close();
    await drainBus(bus);
  });

  it('stores a message published twice with one id once', async () => {
    const publisher = new EventPublisher(bus);
    const entry = probeEntry(namespace, 'dup-1', 1, 'probe.duplicated');
    const first = await publisher.publish(entry);
    const second = await publisher.publish(entry);
    expect(first.duplicate).toBe(false);
    expect(second.duplicate).toBe(true);
    const info = await bus.jsm.streams.info(streamName(bus, 'PROBE'), {
      subjects_filter: subjectOf(bus, 'crm.probe.duplicated'),
    });
    expect(info.state.subjects?.[subjectOf(bus, 'crm.probe.duplicated')]).toBe(1);
  });

  it('redelivers to a consumer that died before ack, and the effect is applied once', async () => {
    const applied = mongo.collection<{ _id: string; version: number; applications: number }>('applied');
    // Applying is guarded by aggregate version, as ARCHITECTURE.md asks of every consumer.
    const applyOnce: EventHandler = async (event) => {
      await applied.updateOne(
        { _id: event.aggregateId, version: { $lt: event.aggregateVersion } },
        { $set: { version: event.aggregateVersion }, $inc: { applications: 1 } },
      );
    };
    await applied.insertOne({ _id: 'agg-1', version: 0, applications: 0 });

    // The first process applies the event, then dies before acking: its connection goes away mid-handler.
    const dyingBus = await connectBus({ url: env.natsUrl, name: 'dying', namespace });
    let firstAttempt: () => void = () => undefined;
    const firstAttemptSeen = new Promise<void>((resolve) => (firstAttempt = resolve));
    let releaseDeadHandler: () => void = () => undefined;
    const dying = await startConsumer(
      dyingBus,
      {
        stream: 'PROBE',
        durable: 'redelivery',
        filterSubjects: ['crm.probe.redelivered'],
        ackWaitMs: 1000,
        handled,
        handler: async (event, meta) => {
          await applyOnce(event, meta);
          firstAttempt();
          await dyingBus.nc.close();
          await new Promise<void>((resolve) => (releaseDeadHandler = resolve));
        },
      },
      log,
    );
    await new EventPublisher(bus).publish(probeEntry(namespace, 'agg-1', 1, 'probe.redelivered'));
    await firstAttemptSeen;

    const deliveries: number[] = [];
    const survivor = await startConsumer(
      bus,
      {
        stream: 'PROBE',
        durable: 'redelivery',
        filterSubjects: ['crm.probe.redelivered'],
        ackWaitMs: 1000,
        handled,
        handler: async (event, meta) => {
          deliveries.push(meta.deliveryCount);
          await applyOnce(event, meta);
        },
      },
      log,
    );
    await eventually(() => (deliveries.length > 0 ? true : undefined), 15_000);
    await survivor.stop();
    releaseDeadHandler();
    await dying.stop();

    expect(deliveries[0]).toBeGreaterThanOrEqual(2);
    expect(await applied.findOne({ _id: 'agg-1' })).toMatchObject({ version: 1, applications: 1 });
    const info = await bus.jsm.consumers.info(streamName(bus, 'PROBE'), 'redelivery');
    expect(info.num_ack_pending).toBe(0);
  });

  it('acks without re-applying an event whose id was already handled', async () => {
    const publisher = new EventPublisher(bus);
    const seen: string[] = [];
    const entry = probeEntry(namespace, 'agg-2', 1, 'probe.replayed');
    await handled.add('already', entry.id);
    const consumer = await startConsumer(
      bus,
      {
        stream: 'PROBE',
        durable: 'already',
        filterSubjects: ['crm.probe.replayed'],
        handled,
        handler: async (e) => void seen.push(e.id),
      },
      log,
    );
    const later = probeEntry(namespace, 'agg-2', 2, 'probe.replayed');
    await publisher.publish(entry);
    await publisher.publish(later);
    await eventually(() => (seen.includes(later.id) ? true : undefined));
    await consumer.stop();
    expect(seen).toEqual([later.id]);
  });

  it('dead-letters a poison message after max deliveries, and replays it', async () => {
    let healed = false;
    const applied: string[] = [];
    const consumer = await startConsumer(
      bus,
      {
        stream: 'PROBE',
        durable: 'poisoned',
        filterSubjects: ['crm.probe.poison'],
        maxDeliver: 3,
        ackWaitMs: 2000,
        handled,
        handler: async (event) => {
          if (!healed) throw new Error('cannot apply this event');
          applied.push(event.id);
        },
      },
      log,
    );
    const entry = probeEntry(namespace, 'agg-3', 1, 'probe.poison');
    await new EventPublisher(bus).publish(entry);

    const letters = await eventually(async () => {
      const list = await listDeadLetters(bus, 'poisoned');
      return list.length > 0 ? list : undefined;
    }, 20_000);
    expect(letters).toHaveLength(1);
    expect(letters[0]).toMatchObject({
      originalSubject: subjectOf(bus, 'crm.probe.poison'),
      error: 'cannot apply this event',
    });
    expect(applied).toEqual([]);

    healed = true;
    expect(await replayDeadLetters(bus, 'poisoned')).toBe(1);
    await eventually(() => (applied.length > 0 ? true : undefined), 10_000);
    await consumer.stop();
    expect(applied).toEqual([entry.id]);
    expect(await listDeadLetters(bus, 'poisoned')).toEqual([]);
  });

  it('dead-letters an undecodable message at once instead of retrying it', async () => {
    const calls: string[] = [];
    const consumer = await startConsumer(
      bus,
      {
        stream: 'PROBE',
        durable: 'garbage',
        filterSubjects: ['crm.probe.garbage'],
        handled,
        handler: async (e) => void calls.push(e.id),
      },
      log,
    );
    await bus.js.publish(subjectOf(bus, 'crm.probe.garbage'), Buffer.from([0xff, 0xff, 0xff, 0x01]));
    const letters = await eventually(async () => {
      const list = await listDeadLetters(bus, 'garbage');
      return list.length > 0 ? list : undefined;
    });
    await consumer.stop();
    expect(letters).toHaveLength(1);
    expect(calls).toEqual([]);
  });

  it("applies a batch consumer's events in batches, alone after a failed batch, and dead-letters poison at once", async () => {
    const publisher = new EventPublisher(bus);
    const batches: string[][] = [];
    const failing = new Set(['batch-7']);
    let failures = 0;
    for (let i = 0; i < 40; i++) await publisher.publish(probeEntry(namespace, `batch-${i}`, 1, 'probe.batched'));
    await publisher.publish(probeEntry(namespace, 'poison', 1, 'probe.batched'));
    const consumer = await startBatchConsumer(
      bus,
      {
        stream: 'PROBE',
        durable: 'batches',
        filterSubjects: ['crm.probe.batched'],
        maxBatch: 10,
        maxDeliver: 2,
        prepare: (event) => {
          if (event.aggregateId === 'poison') throw new PoisonEventError('cannot read it');
          return event.aggregateId;
        },
        apply: async (ids) => {
          // batch-7 fails on its first try only: its batch is retried event by event.
          if (ids.some((id) => failing.has(id))) {
            failing.clear();
            failures++;
            throw new Error('transient');
          }
          batches.push(ids);
        },
      },
      log,
    );
    await eventually(() => (batches.flat().length === 40 ? true : undefined), 20_000);
    const letters = await eventually(async () => {
      const found = await listDeadLetters(bus, 'batches');
      return found.length === 1 ? found : undefined;
    });
    await consumer.stop();
    expect(new Set(batches.flat()).size).toBe(40);
    // Events waited for each other: most batches hold several (the consumer was started after the 40 were stored).
    expect(batches.some((b) => b.length > 1)).toBe(true);
    expect(batches.every((b) => b.length <= 10)).toBe(true);
    expect(failures).toBe(1);
    expect(letters[0]?.error).toBe('cannot read it');
  });
});
