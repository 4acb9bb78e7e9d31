import { nanos } from '@nats-io/transport-node';
import { DiscardPolicy, RetentionPolicy, StorageType, type StreamConfig } from '@nats-io/jetstream';
import { streamName, subjectOf, type Bus } from './nats';

export interface StreamSpec {
  /** e.g. "CONTACT"; namespaced by the bus. */
  name: string;
  /** e.g. ["crm.contact.>", "crm.company.>"]; namespaced by the bus. */
  subjects: string[];
  /** Window in which a repeated Nats-Msg-Id is dropped; longer than the event sweeper's period. */
  duplicateWindowMs?: number;
  maxAgeMs?: number;
}

export const DEAD_LETTER_STREAM = 'DEADLETTER';
export const DEAD_LETTER_SUBJECT_PREFIX = 'crm.deadletter';

/** Creates the stream, or brings an existing one's subjects and limits up to date. Idempotent. */
export async function ensureStream(bus: Bus, spec: StreamSpec): Promise<string> {
  const name = streamName(bus, spec.name);
  const config: Partial<StreamConfig> & { name: string } = {
    name,
    subjects: spec.subjects.map((s) => subjectOf(bus, s)),
    retention: RetentionPolicy.Limits,
    storage: StorageType.File,
    num_replicas: bus.streamReplicas ?? 1,
    discard: DiscardPolicy.Old,
    duplicate_window: nanos(spec.duplicateWindowMs ?? 10 * 60_000),
    max_age: nanos(spec.maxAgeMs ?? 7 * 24 * 3_600_000),
    // Direct get lets the dead-letter list read by subject without a consumer.
    allow_direct: true,
  };
  try {
    await bus.jsm.streams.info(name);
    await bus.jsm.streams.update(name, config);
  } catch (error) {
    if (!isNotFound(error)) throw error;
    await bus.jsm.streams.add(config);
  }
  return name;
}

export function ensureDeadLetterStream(bus: Bus): Promise<string> {
  return ensureStream(bus, {
    name: DEAD_LETTER_STREAM,
    subjects: [`${DEAD_LETTER_SUBJECT_PREFIX}.>`],
    maxAgeMs: 30 * 24 * 3_600_000,
  });
}

function isNotFound(error: unknown): boolean {
  return error instanceof Error && /not found/i.test(error.message);
}
