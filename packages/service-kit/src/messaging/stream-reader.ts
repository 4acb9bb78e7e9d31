import { Envelope } from '@crm/proto/crm/events/v1/envelope';
import { streamName, subjectOf, type Bus } from './nats';

/**
 * The envelopes held by a stream (of one event type, when given), oldest first. Reads message by message, so it is for
 * inspection of small streams (tests, support tooling), not for consuming.
 */
export async function readStreamEvents(bus: Bus, stream: string, type?: string): Promise<Envelope[]> {
  const name = streamName(bus, stream);
  const subject = type ? subjectOf(bus, `crm.${type}`) : undefined;
  const info = await bus.jsm.streams.info(name);
  const envelopes: Envelope[] = [];
  for (let seq = info.state.first_seq; seq <= info.state.last_seq; seq++) {
    const msg = await bus.jsm.streams.getMessage(name, { seq }).catch(() => null);
    if (msg && (!subject || msg.subject === subject)) envelopes.push(Envelope.decode(msg.data));
  }
  return envelopes;
}
