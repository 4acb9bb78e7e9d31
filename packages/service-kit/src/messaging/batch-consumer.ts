// A durable pull consumer that applies events in batches: what arrives while a batch is being applied forms the
// next one, so an idle consumer applies each event at once and a busy one commits many per transaction (one
// fsync for hundreds of events). For handlers that do not depend on event order, e.g. projections that keep the
// newest version of each row.
import { AckPolicy, DeliverPolicy, type JsMsg } from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';
import { SpanKind, SpanStatusCode, trace, type Link } from '@opentelemetry/api';
import type { Logger } from 'pino';
import { Envelope } from '@crm/proto/crm/events/v1/envelope';
import { contextFromHeaders } from '../telemetry/propagation';
import {
  deadLetterMessage,
  headerRecord,
  PoisonEventError,
  settleFailedMessage,
  type RunningConsumer,
} from './consumer';
import { streamName, subjectOf, type Bus } from './nats';

const tracer = trace.getTracer('@crm/service-kit/messaging');

export interface BatchConsumerSpec<T> {
  /** Stream name without namespace, e.g. "PIPELINE". */
  stream: string;
  durable: string;
  /** Subjects without namespace. */
  filterSubjects: string[];
  /**
   * Turns one event into what `apply` takes, before it joins a batch. A PoisonEventError dead-letters that event
   * alone, at once. `storedAt` is when the stream stored the message (an event's occurredAt may be years older:
   * imported history), the start of any lag measured.
   */
  prepare(event: Envelope, subject: string, storedAt: Date): T;
  /**
   * Applies a batch; every message of it is acknowledged when this resolves. When it fails, each message of the batch
   * is applied again on its own, so that one failing event neither blocks nor fails the others.
   */
  apply(items: T[]): Promise<void>;
  /** Most messages per batch (default 200). */
  maxBatch?: number;
  /** Batches applied at once (default 1). */
  concurrency?: number;
  maxDeliver?: number;
  ackWaitMs?: number;
}

interface Prepared<T> {
  msg: JsMsg;
  item: T;
}

export function isBatchConsumerSpec(spec: object): spec is BatchConsumerSpec<unknown> {
  return 'apply' in spec && 'prepare' in spec;
}

export async function startBatchConsumer<T>(
  bus: Bus,
  spec: BatchConsumerSpec<T>,
  log: Logger,
): Promise<RunningConsumer> {
  const stream = streamName(bus, spec.stream);
  const maxDeliver = spec.maxDeliver ?? 5;
  const maxBatch = spec.maxBatch ?? 200;
  await bus.jsm.consumers.add(stream, {
    durable_name: spec.durable,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    max_deliver: maxDeliver,
    ack_wait: nanos(spec.ackWaitMs ?? 30_000),
    filter_subjects: spec.filterSubjects.map((s) => subjectOf(bus, s)),
  });
  const consumer = await bus.js.consumers.get(stream, spec.durable);
  const messages = await consumer.consume({ max_messages: Math.max(64, maxBatch * 2) });
  const buffer: Prepared<T>[] = [];
  const workers = new Set<Promise<void>>();
  let wake: (() => void) | undefined;

  const settle = (msg: JsMsg, error: unknown) =>
    settleFailedMessage(bus, spec.durable, maxDeliver, msg, error, log).catch((e: unknown) =>
      log.warn({ err: e, subject: msg.subject }, 'event settlement failed'),
    );

  const applyBatch = async (batch: Prepared<T>[]): Promise<void> => {
    const links: Link[] = batch.slice(0, 32).flatMap(({ msg }) => {
      const context = trace.getSpanContext(contextFromHeaders(headerRecord(msg)));
      return context ? [{ context }] : [];
    });
    await tracer.startActiveSpan(
      `process ${spec.durable} batch`,
      {
        kind: SpanKind.CONSUMER,
        links,
        attributes: {
          'messaging.system': 'nats',
          'messaging.consumer.group.name': spec.durable,
          'messaging.batch.message_count': batch.length,
        },
      },
      async (span) => {
        try {
          await spec.apply(batch.map((p) => p.item));
          for (const { msg } of batch) msg.ack();
        } catch (error) {
          span.setStatus({ code: SpanStatusCode.ERROR });
          if (batch.length === 1) await settle((batch[0] as Prepared<T>).msg, error);
          else for (const one of batch) await applyBatch([one]);
        } finally {
          span.end();
        }
      },
    );
  };

  const pump = () => {
    while (buffer.length && workers.size < (spec.concurrency ?? 1)) {
      const work = applyBatch(buffer.splice(0, maxBatch))
        .catch((error: unknown) => log.warn({ err: error, durable: spec.durable }, 'event batch failed'))
        .finally(() => {
          workers.delete(work);
          pump();
          wake?.();
        });
      workers.add(work);
    }
  };

  const done = (async () => {
    for await (const msg of messages) {
      let event: Envelope;
      try {
        event = Envelope.decode(msg.data);
      } catch (error) {
        await deadLetterMessage(bus, spec.durable, msg, error);
        msg.term('undecodable envelope');
        log.error({ subject: msg.subject, seq: msg.seq }, 'undecodable event dead-lettered');
        continue;
      }
      try {
        buffer.push({ msg, item: spec.prepare(event, msg.subject, msg.time) });
      } catch (error) {
        await settle(msg, error instanceof PoisonEventError ? error : new PoisonEventError(String(error)));
        continue;
      }
      pump();
      // Hold back while the buffer is full, so that unacknowledged messages stay within ack_wait.
      while (buffer.length >= maxBatch * 4) await new Promise<void>((resolve) => (wake = resolve));
    }
    while (workers.size) await Promise.race(workers);
  })();

  return {
    async stop() {
      await messages.close();
      await done;
    },
  };
}
