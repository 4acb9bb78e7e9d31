import { context, SpanKind, trace } from '@opentelemetry/api';
import { headers as natsHeaders } from '@nats-io/transport-node';
import type { OutboxEntry } from '../outbox/outbox-entry';
import { contextFromHeaders, currentTraceHeaders } from '../telemetry/propagation';
import type { Bus } from './nats';

const tracer = trace.getTracer('@crm/service-kit/messaging');

export interface PublishResult {
  seq: number;
  duplicate: boolean;
}

export class EventPublisher {
  constructor(private readonly bus: Bus) {}

  /**
   * Publishes with Nats-Msg-Id = event id, so a re-publish by the sweeper is dropped by JetStream. The span is a
   * child of the trace that wrote the event, which the entry carried through the outbox.
   */
  async publishEntry(entry: OutboxEntry): Promise<PublishResult> {
    const parent = contextFromHeaders(entry.headers);
    return tracer.startActiveSpan(
      `publish ${entry.subject}`,
      {
        kind: SpanKind.PRODUCER,
        attributes: {
          'messaging.system': 'nats',
          'messaging.destination.name': entry.subject,
          'messaging.message.id': entry.id,
        },
      },
      parent,
      async (span) => {
        try {
          const h = natsHeaders();
          for (const [key, value] of Object.entries(currentTraceHeaders(context.active()))) h.set(key, value);
          const ack = await this.bus.js.publish(entry.subject, entry.data, { msgID: entry.id, headers: h });
          return { seq: ack.seq, duplicate: ack.duplicate };
        } finally {
          span.end();
        }
      },
    );
  }
}
