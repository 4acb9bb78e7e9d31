import { JetStreamApiCodes, JetStreamApiError } from '@nats-io/jetstream';
import { Kvm, type KV } from '@nats-io/kv';
import { streamName, type Bus } from '@crm/service-kit/edge';

export interface SharedBuckets {
  idempotency: KV;
  rateLimits: KV;
}

const DAY_MS = 24 * 3_600_000;
const HOUR_MS = 3_600_000;

/**
 * The JetStream KV buckets every gateway replica shares. Idempotency keys expire after 24 h (the bucket's max
 * age); a rate-limit bucket idle for an hour is full again anyway, so it may expire after one.
 */
export async function openSharedBuckets(
  bus: Bus,
  names: { idempotency: string; rateLimits: string },
): Promise<SharedBuckets> {
  const kvm = new Kvm(bus.js);
  const [idempotency, rateLimits] = await Promise.all([
    kvm.create(streamName(bus, names.idempotency), { history: 1, ttl: DAY_MS, replicas: bus.streamReplicas ?? 1 }),
    kvm.create(streamName(bus, names.rateLimits), { history: 1, ttl: HOUR_MS, replicas: bus.streamReplicas ?? 1 }),
  ]);
  return { idempotency, rateLimits };
}

/** kv.create on a live key and kv.update with a stale revision both fail with "wrong last sequence". */
export function isRevisionConflict(error: unknown): boolean {
  return (
    error instanceof JetStreamApiError &&
    (error.code === JetStreamApiCodes.StreamWrongLastSequence ||
      error.code === JetStreamApiCodes.StreamWrongLastSequenceUnknown)
  );
}

/** KV keys allow [-/_=.a-zA-Z0-9]; identities are encoded so that no two map to one key. */
export function kvKeyPart(value: string): string {
  return Buffer.from(value, 'utf8').toString('base64url') || '_';
}
