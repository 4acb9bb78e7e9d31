import { headers as natsHeaders } from '@nats-io/transport-node';
import type { StoredMsg } from '@nats-io/jetstream';
import { streamName, type Bus } from './nats';
import { deadLetterSubject } from './consumer';
import { DEAD_LETTER_STREAM } from './streams';

export interface DeadLetter {
  /** Sequence in the dead-letter stream; the handle for replay. */
  seq: number;
  consumer: string;
  originalSubject: string;
  originalSeq: number;
  error: string;
  deadLetteredAt: Date;
}

export async function listDeadLetters(bus: Bus, consumer: string, limit = 100): Promise<DeadLetter[]> {
  const stream = streamName(bus, DEAD_LETTER_STREAM);
  const subject = deadLetterSubject(bus, consumer);
  const letters: DeadLetter[] = [];
  let nextSeq = 1;
  while (letters.length < limit) {
    const stored = await bus.jsm.direct.getMessage(stream, { next_by_subj: subject, seq: nextSeq }).catch(() => null);
    if (!stored) break;
    letters.push(toDeadLetter(stored, consumer));
    nextSeq = stored.seq + 1;
  }
  return letters;
}

/**
 * Publishes the event again on its original subject and removes it from the dead-letter stream. Consumers that
 * had already handled it skip it by its event id; the one that failed gets another try.
 */
export async function replayDeadLetter(bus: Bus, seq: number): Promise<void> {
  const stream = streamName(bus, DEAD_LETTER_STREAM);
  const stored = await bus.jsm.streams.getMessage(stream, { seq });
  if (!stored) throw new Error(`no dead letter with seq ${seq}`);
  const original = stored.header.get('Crm-Original-Subject');
  if (!original) throw new Error(`dead letter ${seq} has no original subject`);
  const h = natsHeaders();
  const traceparent = stored.header.get('traceparent');
  if (traceparent) h.set('traceparent', traceparent);
  await bus.js.publish(original, stored.data, { msgID: `replay:${stream}:${seq}`, headers: h });
  await bus.jsm.streams.deleteMessage(stream, seq);
}

export async function replayDeadLetters(bus: Bus, consumer: string): Promise<number> {
  const letters = await listDeadLetters(bus, consumer, 10_000);
  for (const letter of letters) await replayDeadLetter(bus, letter.seq);
  return letters.length;
}

function toDeadLetter(stored: StoredMsg, consumer: string): DeadLetter {
  return {
    seq: stored.seq,
    consumer,
    originalSubject: stored.header.get('Crm-Original-Subject'),
    originalSeq: Number(stored.header.get('Crm-Original-Seq')),
    error: stored.header.get('Crm-Error'),
    deadLetteredAt: stored.time,
  };
}
