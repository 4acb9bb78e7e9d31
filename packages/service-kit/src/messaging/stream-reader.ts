import { Envelope } from '@crm/proto/crm/events/v1/envelope';
import { streamName, subjectOf, type Bus } from './nats';

/**
 * The envelopes of one event type held by a stream, oldest first. Reads message by message, so it is for
 * inspection of small streams (tests, support tooling), not for consuming.
 */
export async function readStreamEvents(bus: Bus, stream: string, type: string): Promise<Envelope[]> {
  const name = streamName(bus, stream);
  const subject = subjectOf(bus, `crm.${type}`);
  const info = await bus.jsm.streams.info(name);
  const envelopes: Envelope[] = [];
  for (let seq = info.state.first_seq; seq <= info.state.last_seq; seq++) {
    const msg = await bus.jsm.streams.getMessage(name, { seq }).catch(() => null);
    if (msg && msg.subject === subject) envelopes.push(Envelope.decode(msg.data));
  }
  return envelopes;
}
