import type { KV, KvEntry } from '@nats-io/kv';
import { isRevisionConflict } from '../kv/shared-buckets';

export interface StoredResponse {
  status: number;
  headers: Record<string, string>;
  /** Body, base64. */
  body: string;
}

export type IdempotencyRecord =
  | { state: 'in-flight'; fingerprint: string; startedAt: number }
  | { state: 'done'; fingerprint: string; response: StoredResponse };

export type Claim =
  | { kind: 'claimed'; revision: number }
  | { kind: 'replay'; response: StoredResponse }
  | { kind: 'mismatch' }
  | { kind: 'in-flight' };

/**
 * Idempotency keys in a JetStream KV bucket (24 h max age) shared by every replica. A request claims its key with
 * kv.create, which only one request can win; the winner later replaces the claim with the response.
 */
export class IdempotencyStore {
  constructor(
    private readonly kv: KV,
    /** An in-flight claim older than this was abandoned (its replica died) and may be taken over. */
    private readonly staleAfterMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  async claim(key: string, fingerprint: string): Promise<Claim> {
    const claim = JSON.stringify({
      state: 'in-flight',
      fingerprint,
      startedAt: this.now(),
    } satisfies IdempotencyRecord);
    for (let attempt = 0; attempt < 4; attempt++) {
      try {
        return { kind: 'claimed', revision: await this.kv.create(key, claim) };
      } catch (error) {
        if (!isRevisionConflict(error)) throw error;
      }
      const entry = await this.kv.get(key);
      const record = recordOf(entry);
      if (!entry || !record) continue;
      if (record.fingerprint !== fingerprint) return { kind: 'mismatch' };
      if (record.state === 'done') return { kind: 'replay', response: record.response };
      if (this.now() - record.startedAt < this.staleAfterMs) return { kind: 'in-flight' };
      try {
        return { kind: 'claimed', revision: await this.kv.update(key, claim, entry.revision) };
      } catch (error) {
        if (!isRevisionConflict(error)) throw error;
      }
    }
    return { kind: 'in-flight' };
  }

  async complete(key: string, revision: number, fingerprint: string, response: StoredResponse): Promise<void> {
    await this.kv.update(
      key,
      JSON.stringify({ state: 'done', fingerprint, response } satisfies IdempotencyRecord),
      revision,
    );
  }

  /** Forgets a claim whose outcome must not be replayed (e.g. the service was unavailable), so a retry runs again. */
  async release(key: string, revision: number): Promise<void> {
    await this.kv.delete(key, { previousSeq: revision });
  }
}

function recordOf(entry: KvEntry | null): IdempotencyRecord | undefined {
  if (!entry || entry.operation !== 'PUT') return undefined;
  try {
    return entry.json<IdempotencyRecord>();
  } catch {
    return undefined;
  }
}
