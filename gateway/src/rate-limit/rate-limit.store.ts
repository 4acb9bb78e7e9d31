import type { KV, KvEntry } from '@nats-io/kv';
import { isRevisionConflict } from '../kv/shared-buckets';
import { takeTokens, type BucketDecision, type BucketPolicy, type BucketState } from './token-bucket';

const MAX_ATTEMPTS = 8;
const MAX_CACHED_KEYS = 10_000;

interface Waiter {
  resolve: (decision: BucketDecision) => void;
  reject: (error: unknown) => void;
}

interface KeyQueue {
  policy: BucketPolicy;
  waiting: Waiter[];
  running: boolean;
}

/**
 * Token buckets in a JetStream KV bucket shared by every gateway replica. Each update is a compare-and-set on the
 * key's revision (kv.create for a new key, kv.update with the revision read), retried when another replica won.
 * Within a replica, requests for one key that arrive while an update is running are coalesced into the next
 * update, so a hot bucket costs one round of KV calls per batch instead of a storm of conflicting ones.
 */
export class RateLimitStore {
  private readonly queues = new Map<string, KeyQueue>();
  /** What this replica last wrote per key: tried first, so an uncontended bucket costs one KV call. */
  private readonly lastWritten = new Map<string, { state: BucketState; revision: number }>();

  constructor(
    private readonly kv: KV,
    private readonly now: () => number = Date.now,
  ) {}

  take(key: string, policy: BucketPolicy): Promise<BucketDecision> {
    return new Promise((resolve, reject) => {
      let queue = this.queues.get(key);
      if (!queue) {
        queue = { policy, waiting: [], running: false };
        this.queues.set(key, queue);
      }
      queue.waiting.push({ resolve, reject });
      if (!queue.running) void this.drain(key, queue);
    });
  }

  private async drain(key: string, queue: KeyQueue): Promise<void> {
    queue.running = true;
    while (queue.waiting.length > 0) {
      const batch = queue.waiting.splice(0);
      try {
        const decisions = await this.takeBatch(key, queue.policy, batch.length);
        batch.forEach((waiter, i) => waiter.resolve(decisions[i] as BucketDecision));
      } catch (error) {
        for (const waiter of batch) waiter.reject(error);
      }
    }
    queue.running = false;
    this.queues.delete(key);
  }

  private async takeBatch(key: string, policy: BucketPolicy, count: number): Promise<BucketDecision[]> {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const cached = attempt === 0 ? this.lastWritten.get(key) : undefined;
      const current = cached ?? (await this.read(key));
      const { next, decisions } = takeTokens(current.state, policy, this.now(), count);
      // A batch that is refused entirely changes nothing worth storing.
      if (!decisions.some((d) => d.allowed)) return decisions;
      const revision = await this.tryWrite(key, current.revision, next);
      if (revision !== undefined) {
        this.rememberWrite(key, next, revision);
        return decisions;
      }
      this.lastWritten.delete(key);
    }
    throw new Error(`rate-limit bucket ${key} stayed contended for ${MAX_ATTEMPTS} attempts`);
  }

  private async read(key: string): Promise<{ state: BucketState | undefined; revision: number | undefined }> {
    const entry = await this.kv.get(key);
    return { state: liveState(entry), revision: entry?.revision };
  }

  /** The new revision, or undefined when another writer got there first. */
  private async tryWrite(key: string, revision: number | undefined, next: BucketState): Promise<number | undefined> {
    const value = JSON.stringify(next);
    try {
      // A deleted or expired key still has a revision to compare against.
      return revision !== undefined ? await this.kv.update(key, value, revision) : await this.kv.create(key, value);
    } catch (error) {
      if (isRevisionConflict(error)) return undefined;
      throw error;
    }
  }

  private rememberWrite(key: string, state: BucketState, revision: number): void {
    // Bounded: the cache only saves a read, so forgetting the oldest entries is harmless.
    if (this.lastWritten.size >= MAX_CACHED_KEYS)
      this.lastWritten.delete(this.lastWritten.keys().next().value as string);
    this.lastWritten.set(key, { state, revision });
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
