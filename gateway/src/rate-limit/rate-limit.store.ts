import type { KV, KvEntry } from '@nats-io/kv';
import { isRevisionConflict } from '../kv/shared-buckets';
import { takeToken, type BucketDecision, type BucketPolicy, type BucketState } from './token-bucket';

const MAX_ATTEMPTS = 8;

/**
 * Token buckets in a JetStream KV bucket shared by every gateway replica. Each update is a compare-and-set on the
 * key's revision (kv.create for a new key, kv.update with the revision read), retried when another replica won.
 */
export class RateLimitStore {
  constructor(
    private readonly kv: KV,
    private readonly now: () => number = Date.now,
  ) {}

  async take(key: string, policy: BucketPolicy): Promise<BucketDecision> {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const entry = await this.kv.get(key);
      const current = liveState(entry);
      const decision = takeToken(current, policy, this.now());
      // A refused request changes nothing worth storing.
      if (!decision.allowed) return decision;
      if (await this.tryWrite(key, entry, decision.next)) return decision;
    }
    throw new Error(`rate-limit bucket ${key} stayed contended for ${MAX_ATTEMPTS} attempts`);
  }

  private async tryWrite(key: string, entry: KvEntry | null, next: BucketState): Promise<boolean> {
    const value = JSON.stringify(next);
    try {
      // A deleted or expired key still has a revision to compare against.
      if (entry) await this.kv.update(key, value, entry.revision);
      else await this.kv.create(key, value);
      return true;
    } catch (error) {
      if (isRevisionConflict(error)) return false;
      throw error;
    }
  }
}

function liveState(entry: KvEntry | null): BucketState | undefined {
  if (!entry || entry.operation !== 'PUT') return undefined;
  try {
    const parsed = entry.json<BucketState>();
    return typeof parsed.tokens === 'number' && typeof parsed.at === 'number' ? parsed : undefined;
  } catch {
    return undefined;
  }
}
