// How far the facts are behind each stream, read from JetStream: events not yet applied, and the age of the oldest
// of them. Exposed as Prometheus gauges and in /readyz's details; lag never fails readiness (the dashboards still
// answer, a little behind).
import { streamName, type Bus } from '@crm/service-kit';
import { Gauge, type Registry } from 'prom-client';
import type { StreamName } from '../domain/fact-events';
import { durableOf, FACT_STREAMS } from './fact-consumers';

export interface StreamLag {
  /** Events in the stream the consumer has not applied yet (not delivered, or delivered and not acknowledged). */
  pending: number;
  /** Age of the oldest of them, in seconds; 0 when none. */
  lagSeconds: number;
}

export class ConsumerLag {
  private readonly pending: Gauge<'stream'>;
  private readonly lagSeconds: Gauge<'stream'>;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly bus: Bus,
    metrics: Registry,
    private readonly now: () => number = Date.now,
  ) {
    this.pending = new Gauge({
      name: 'reporting_projection_pending_events',
      help: 'Events of the stream the reporting facts do not include yet',
      labelNames: ['stream'],
      registers: [metrics],
    });
    this.lagSeconds = new Gauge({
      name: 'reporting_projection_lag_seconds',
      help: 'Age of the oldest event of the stream not yet applied to the reporting facts',
      labelNames: ['stream'],
      registers: [metrics],
    });
  }

  async read(): Promise<Record<StreamName, StreamLag | 'unavailable'>> {
    const entries = await Promise.all(
      FACT_STREAMS.map(async (stream) => [stream, await this.readOne(stream).catch(() => 'unavailable' as const)]),
    );
    return Object.fromEntries(entries) as Record<StreamName, StreamLag | 'unavailable'>;
  }

  start(periodMs: number): void {
    this.timer = setInterval(() => void this.read().catch(() => undefined), periodMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private async readOne(stream: StreamName): Promise<StreamLag> {
    const name = streamName(this.bus, stream);
    const info = await this.bus.jsm.consumers.info(name, durableOf(stream));
    const pending = info.num_pending + info.num_ack_pending;
    let lagSeconds = 0;
    if (pending > 0) {
      const oldest = await this.bus.jsm.streams
        .getMessage(name, { seq: info.ack_floor.stream_seq + 1 })
        .catch(() => null);
      if (oldest) lagSeconds = Math.max(0, (this.now() - oldest.time.getTime()) / 1000);
    }
    this.pending.set({ stream }, pending);
    this.lagSeconds.set({ stream }, lagSeconds);
    return { pending, lagSeconds };
  }
}
