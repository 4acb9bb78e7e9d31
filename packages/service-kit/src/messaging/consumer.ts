import { AckPolicy, DeliverPolicy, type ConsumerMessages, type JsMsg } from '@nats-io/jetstream';
import { headers as natsHeaders, nanos } from '@nats-io/transport-node';
import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { Logger } from 'pino';
import { Envelope } from '@crm/proto/crm/events/v1/envelope';
import { contextFromHeaders } from '../telemetry/propagation';
import { streamName, subjectOf, type Bus } from './nats';
import { DEAD_LETTER_SUBJECT_PREFIX } from './streams';
import type { HandledEvents } from './handled-events';

const tracer = trace.getTracer('@crm/service-kit/messaging');

export type EventHandler = (event: Envelope, meta: { subject: string; deliveryCount: number }) => Promise<void>;

export interface ConsumerSpec {
  /** Stream name without namespace, e.g. "CONTACT". */
  stream: string;
  /** Durable name, e.g. "pipeline-contact-sync". */
  durable: string;
  /** Subjects without namespace, e.g. ["crm.contact.updated"]. */
  filterSubjects: string[];
  handler: EventHandler;
  /** After this many failed deliveries the message goes to the dead-letter subject. */
  maxDeliver?: number;
  ackWaitMs?: number;
  /** Records handled event ids, so a redelivered event that was already applied is only acked. */
  handled?: HandledEvents;
  /**
   * Messages handled at once (default 1, in stream order). More only for handlers that do not depend on order,
   * e.g. those that keep the newest aggregate version.
   */
  concurrency?: number;
}

/**
 * Thrown by a handler for an event no retry can help, e.g. a payload that does not decode as its type says: the
 * event is dead-lettered at once and the consumer goes on with the next.
 */
export class PoisonEventError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PoisonEventError';
  }
}

export interface RunningConsumer {
  stop(): Promise<void>;
}

export function deadLetterSubject(bus: Pick<Bus, 'namespace'>, durable: string): string {
  return subjectOf(bus, `${DEAD_LETTER_SUBJECT_PREFIX}.${durable}`);
}

/** A durable pull consumer with explicit ack; provisions itself, then processes until stopped. */
export async function startConsumer(bus: Bus, spec: ConsumerSpec, log: Logger): Promise<RunningConsumer> {
  const stream = streamName(bus, spec.stream);
  const maxDeliver = spec.maxDeliver ?? 5;
  await bus.jsm.consumers.add(stream, {
    durable_name: spec.durable,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    max_deliver: maxDeliver,
    ack_wait: nanos(spec.ackWaitMs ?? 30_000),
    filter_subjects: spec.filterSubjects.map((s) => subjectOf(bus, s)),
  });
  const consumer = await bus.js.consumers.get(stream, spec.durable);
  const messages = await consumer.consume({ max_messages: 64 });
  const done = processAll(
    messages,
    (msg) => handleMessage(bus, spec, maxDeliver, msg, log),
    log,
    spec.concurrency ?? 1,
  );
  return {
    async stop() {
      await messages.close();
      await done;
    },
  };
}

async function processAll(
  messages: ConsumerMessages,
  handle: (msg: JsMsg) => Promise<void>,
  log: Logger,
  concurrency: number,
): Promise<void> {
  const inFlight = new Set<Promise<void>>();
  for await (const msg of messages) {
    // An ack or nak that cannot reach the server (connection lost) must not end the loop: JetStream redelivers.
    const task: Promise<void> = handle(msg)
      .catch((error: unknown) => log.warn({ err: error, subject: msg.subject }, 'event settlement failed'))
      .finally(() => inFlight.delete(task));
    inFlight.add(task);
    if (inFlight.size >= concurrency) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
}

async function handleMessage(bus: Bus, spec: ConsumerSpec, maxDeliver: number, msg: JsMsg, log: Logger): Promise<void> {
  const deliveryCount = msg.info.deliveryCount;
  let event: Envelope;
  try {
    event = Envelope.decode(msg.data);
  } catch (error) {
    // Undecodable: no retry can help, so dead-letter it at once rather than loop.
    await deadLetterMessage(bus, spec.durable, msg, error);
    msg.term('undecodable envelope');
    log.error({ subject: msg.subject, seq: msg.seq }, 'undecodable event dead-lettered');
    return;
  }
  const parent = contextFromHeaders(headerRecord(msg));
  await tracer.startActiveSpan(
    `process ${msg.subject}`,
    {
      kind: SpanKind.CONSUMER,
      attributes: {
        'messaging.system': 'nats',
        'messaging.consumer.group.name': spec.durable,
        'messaging.message.id': event.id,
      },
    },
    parent,
    async (span) => {
      try {
        if (spec.handled && (await spec.handled.has(spec.durable, event.id))) {
          msg.ack();
          return;
        }
        await spec.handler(event, { subject: msg.subject, deliveryCount });
        await spec.handled?.add(spec.durable, event.id);
        msg.ack();
      } catch (error) {
        span.setStatus({ code: SpanStatusCode.ERROR });
        await settleFailedMessage(bus, spec.durable, maxDeliver, msg, error, log);
      } finally {
        span.end();
      }
    },
  );
}

/** A message whose handling failed: naked with backoff, or dead-lettered when poison or out of deliveries. */
export async function settleFailedMessage(
  bus: Bus,
  durable: string,
  maxDeliver: number,
  msg: JsMsg,
  error: unknown,
  log: Logger,
): Promise<void> {
  const deliveryCount = msg.info.deliveryCount;
  if (error instanceof PoisonEventError || deliveryCount >= maxDeliver) {
    // Say which: a poison event (one that can never be handled) is expected noise; running out of deliveries is not.
    const reason = error instanceof PoisonEventError ? 'poison event' : 'max deliveries reached';
    await deadLetterMessage(bus, durable, msg, error);
    msg.term(reason);
    log.error(
      { err: error, subject: msg.subject, seq: msg.seq, durable, deliveryCount },
      `event dead-lettered: ${reason}`,
    );
    return;
  }
  const backoffMs = Math.min(250 * 2 ** (deliveryCount - 1), 10_000);
  msg.nak(backoffMs);
  log.warn({ err: error, subject: msg.subject, deliveryCount, durable }, 'event handler failed; will retry');
}

/** Publishes a message to the consumer's dead-letter subject with where it came from and why it failed. */
export async function deadLetterMessage(bus: Bus, durable: string, msg: JsMsg, error: unknown): Promise<void> {
  const h = natsHeaders();
  for (const [key, value] of Object.entries(headerRecord(msg))) h.set(key, value);
  h.set('Crm-Original-Subject', msg.subject);
  h.set('Crm-Original-Stream', msg.info.stream);
  h.set('Crm-Original-Seq', String(msg.seq));
  h.set('Crm-Error', (error instanceof Error ? error.message : String(error)).slice(0, 500));
  h.set('Nats-Msg-Id', `deadletter:${durable}:${msg.info.stream}:${msg.seq}`);
  await bus.js.publish(deadLetterSubject(bus, durable), msg.data, { headers: h });
}

export function headerRecord(msg: Pick<JsMsg, 'headers'>): Record<string, string> {
  const record: Record<string, string> = {};
  if (!msg.headers) return record;
  for (const [key, values] of msg.headers) {
    if (key === 'Nats-Msg-Id' || values[0] === undefined) continue;
    record[key.toLowerCase() === 'traceparent' ? 'traceparent' : key] = values[0];
  }
  return record;
}
