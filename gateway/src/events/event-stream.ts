import { DeliverPolicy, type ConsumerMessages } from '@nats-io/jetstream';
import type { Request, Response } from 'express';
import type { Logger } from 'pino';
import { Envelope } from '@crm/proto/crm/events/v1/envelope';
import { streamName, subjectOf, type Bus, type Principal } from '@crm/service-kit/edge';
import { formatCursor, parseCursor, type EventCursor } from './event-cursor';
import { apiEventOf } from './event-payloads';
import { canSeeEvent } from './event-visibility';

export interface EventStreamOptions {
  bus: Bus;
  /** Streams to relay, without namespace, e.g. ["CONTACT", "PIPELINE"]. */
  streams: string[];
  heartbeatMs: number;
  /** A client that lets more than this pile up unsent is disconnected rather than buffered without end. */
  maxBufferBytes: number;
  log: Logger;
}

const RETRY_ATTACH_MS = 5_000;

/**
 * One SSE connection: an ordered (ephemeral, flow-controlled) JetStream consumer per stream, starting right after
 * the client's Last-Event-ID or at the streams' current ends; each event the caller may see goes out with the
 * cursor of every stream as its id. Consumers are per connection, so a slow client only ever holds up itself.
 */
export class EventStreamSession {
  private readonly cursor: EventCursor;
  private readonly consumers: ConsumerMessages[] = [];
  private readonly timers: NodeJS.Timeout[] = [];
  private closed = false;

  constructor(
    private readonly options: EventStreamOptions,
    private readonly principal: Principal,
    private readonly res: Response,
    resumeFrom: EventCursor | undefined,
  ) {
    this.cursor = new Map(resumeFrom ?? []);
  }

  async start(resuming: boolean): Promise<void> {
    this.res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      // Proxies such as nginx must not buffer the stream.
      'x-accel-buffering': 'no',
    });
    this.res.once('close', () => void this.close());
    const missing = await this.attachAll(resuming);
    // The ready event's id lets a client that saw nothing yet resume from the moment it connected.
    this.send('ready', JSON.stringify({ streams: [...this.cursor.keys()], resumed: resuming }));
    if (missing.length > 0) this.timers.push(setInterval(() => void this.retryAttach(), RETRY_ATTACH_MS));
    this.timers.push(setInterval(() => this.write(': heartbeat\n\n'), this.options.heartbeatMs));
  }

  private pending = new Set<string>();

  private async attachAll(resuming: boolean): Promise<string[]> {
    const missing: string[] = [];
    for (const stream of this.options.streams) {
      if (!(await this.attach(stream, resuming))) {
        missing.push(stream);
        this.pending.add(stream);
      }
    }
    return missing;
  }

  private async retryAttach(): Promise<void> {
    // A stream created after the client connected holds only events after that: start it from the beginning.
    for (const stream of [...this.pending]) if (await this.attach(stream, true)) this.pending.delete(stream);
  }

  /** False when the stream does not exist (yet). */
  private async attach(stream: string, fromCursor: boolean): Promise<boolean> {
    const { bus } = this.options;
    const name = streamName(bus, stream);
    let lastSeq: number;
    try {
      lastSeq = (await bus.jsm.streams.info(name)).state.last_seq;
    } catch {
      return false;
    }
    if (this.closed) return true;
    const known = this.cursor.get(stream);
    const startSeq = fromCursor ? (known ?? 0) + 1 : lastSeq + 1;
    if (known === undefined) this.cursor.set(stream, startSeq - 1);
    const consumer = await bus.js.consumers.get(name, {
      filter_subjects: [subjectOf(bus, 'crm.>')],
      deliver_policy: DeliverPolicy.StartSequence,
      opt_start_seq: startSeq,
    });
    const messages = await consumer.consume({ max_messages: 256 });
    this.consumers.push(messages);
    void this.relay(stream, messages);
    return true;
  }

  private async relay(stream: string, messages: ConsumerMessages): Promise<void> {
    try {
      for await (const msg of messages) {
        if (this.closed) break;
        this.cursor.set(stream, msg.seq);
        let envelope: Envelope;
        try {
          envelope = Envelope.decode(msg.data);
        } catch {
          continue;
        }
        if (!canSeeEvent(this.principal, envelope)) continue;
        this.send(envelope.type, JSON.stringify(apiEventOf(envelope)));
      }
    } catch (err) {
      if (!this.closed) this.options.log.warn({ err, stream }, 'event relay stopped; closing the SSE connection');
      this.res.destroy();
    }
  }

  private send(event: string, data: string): void {
    this.write(`id: ${formatCursor(this.cursor)}\nevent: ${event}\ndata: ${data}\n\n`);
  }

  private write(chunk: string): void {
    if (this.closed) return;
    this.res.write(chunk);
    if (this.res.writableLength > this.options.maxBufferBytes) {
      this.options.log.warn({ buffered: this.res.writableLength }, 'SSE client too slow; disconnecting it');
      this.res.destroy();
      void this.close();
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const timer of this.timers) clearInterval(timer);
    await Promise.all(this.consumers.map((m) => m.close().catch(() => undefined)));
  }
}

/** Last-Event-ID, or ?lastEventId= for clients that cannot set headers on reconnect. */
export function resumePointOf(req: Request): EventCursor | undefined {
  const header = req.get('last-event-id');
  const query = typeof req.query.lastEventId === 'string' ? req.query.lastEventId : undefined;
  return parseCursor(header ?? query);
}
