import { context, SpanKind, trace } from '@opentelemetry/api';
import { headers as natsHeaders } from '@nats-io/transport-node';
import type { EventMessage } from '../records/event-message';
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
   * child of the trace that wrote the event, which the message carried through the event log.
   */
  async publish(message: EventMessage): Promise<PublishResult> {
    const parent = contextFromHeaders(message.headers);
    return tracer.startActiveSpan(
      `publish ${message.subject}`,
      {
        kind: SpanKind.PRODUCER,
        attributes: {
          'messaging.system': 'nats',
          'messaging.destination.name': message.subject,
          'messaging.message.id': message.id,
        },
      },
      parent,
      async (span) => {
        try {
          const h = natsHeaders();
          for (const [key, value] of Object.entries(currentTraceHeaders(context.active()))) h.set(key, value);
          const ack = await this.bus.js.publish(message.subject, message.data, { msgID: message.id, headers: h });
          return { seq: ack.seq, duplicate: ack.duplicate };
        } finally {
          span.end();
        }
      },
    );
  }
}
