import type { KV, KvEntry } from '@nats-io/kv';
import { isRevisionConflict } from '../kv/shared-buckets';
import {
  leaseExtra,
  returnTokens,
  takeTokens,
  type BucketDecision,
  type BucketPolicy,
  type BucketState,
} from './token-bucket';

const MAX_ATTEMPTS = 8;
const MAX_CACHED_KEYS = 10_000;
/** How long tokens taken ahead are kept before the unused ones go back to the shared bucket. */
export const LEASE_MS = 1000;

interface Waiter {
  resolve: (decision: BucketDecision) => void;
  reject: (error: unknown) => void;
}

interface KeyQueue {
  policy: BucketPolicy;
  waiting: Waiter[];
  running: boolean;
}

/** Tokens this replica took from the shared bucket ahead of its requests. */
interface Lease {
  policy: BucketPolicy;
  tokens: number;
  /** The shared bucket's tokens right after the lease was taken (for the RateLimit header). */
  sharedLeft: number;
  takenAt: number;
}

interface Demand {
  windowStart: number;
  current: number;
  previous: number;
}

/**
 * Token buckets in a JetStream KV bucket shared by every gateway replica. Each update is a compare-and-set on the
 * key's revision (kv.create for a new key, kv.update with the revision read), retried when another replica won.
 *
 * Off the hot path: a busy bucket's update also takes a lease of tokens ahead (about one LEASE_MS of this replica's
 * demand, at most a tenth of the capacity), from which the next requests are decided in memory; what a lease did
 * not use goes back to the shared bucket after LEASE_MS. Tokens are taken from the shared bucket before they are
 * spent, so replicas together never admit more than the bucket allows; small buckets are never leased and stay
 * exact. Requests for one key that arrive while an update is running are coalesced into the next update.
 */
export class RateLimitStore {
  private readonly queues = new Map<string, KeyQueue>();
  /** What this replica last wrote per key: tried first, so an uncontended bucket costs one KV call. */
  private readonly lastWritten = new Map<string, { state: BucketState; revision: number }>();
  private readonly leases = new Map<string, Lease>();
  private readonly demand = new Map<string, Demand>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(
    private readonly kv: KV,
    private readonly now: () => number = Date.now,
  ) {
    this.sweeper = setInterval(() => this.returnIdleLeases(), LEASE_MS);
    this.sweeper.unref();
  }

  take(key: string, policy: BucketPolicy): Promise<BucketDecision> {
    this.countDemand(key);
    const queue = this.queues.get(key);
    if (!queue?.running) {
      const local = this.fromLease(key, policy);
      if (local) return Promise.resolve(local);
    }
    return new Promise((resolve, reject) => {
      let waiting = this.queues.get(key);
      if (!waiting) {
        waiting = { policy, waiting: [], running: false };
        this.queues.set(key, waiting);
      }
      waiting.waiting.push({ resolve, reject });
      if (!waiting.running) void this.drain(key, waiting);
    });
  }

  /**
   * The decision at once, without a promise, when this replica's lease can give it; undefined otherwise, and then
   * nothing was counted or taken and take() decides. Most requests of a busy bucket end here.
   */
  takeFromLease(key: string, policy: BucketPolicy): BucketDecision | undefined {
    if (this.queues.get(key)?.running) return undefined;
    const local = this.fromLease(key, policy);
    if (local) this.countDemand(key);
    return local;
  }

  /** Stops giving leases back (the process is going away; unused tokens refill anyway). */
  stop(): void {
    clearInterval(this.sweeper);
  }

  private fromLease(key: string, policy: BucketPolicy): BucketDecision | undefined {
    const lease = this.leases.get(key);
    if (!lease || lease.policy !== policy || lease.tokens < 1 || this.now() - lease.takenAt >= LEASE_MS) return;
    lease.tokens -= 1;
    const left = lease.sharedLeft + lease.tokens;
    return {
      allowed: true,
      remaining: Math.floor(left),
      retryAfterSec: 0,
      resetSec: Math.ceil((policy.capacity - left) / policy.refillPerSec),
    };
  }

  private async drain(key: string, queue: KeyQueue): Promise<void> {
    queue.running = true;
    while (queue.waiting.length > 0) {
      const batch = queue.waiting.splice(0);
      const remote: Waiter[] = [];
      for (const waiter of batch) {
        const local = this.fromLease(key, queue.policy);
        if (local) waiter.resolve(local);
        else remote.push(waiter);
      }
      if (remote.length === 0) continue;
      try {
        const decisions = await this.takeBatch(key, queue.policy, remote.length);
        remote.forEach((waiter, i) => waiter.resolve(decisions[i] as BucketDecision));
      } catch (error) {
        for (const waiter of remote) waiter.reject(error);
      }
    }
    queue.running = false;
    this.queues.delete(key);
  }

  /** Takes `count` tokens (plus a lease when the bucket is busy), giving back what an old lease left unused. */
  private async takeBatch(key: string, policy: BucketPolicy, count: number): Promise<BucketDecision[]> {
    const returned = this.endLease(key);
    const extra = count > 0 ? leaseExtra(policy, this.demandOf(key), count) : 0;
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const cached = attempt === 0 ? this.lastWritten.get(key) : undefined;
      const current = cached ?? (await this.read(key));
      const now = this.now();
      const base = returned > 0 ? returnTokens(current.state, policy, now, returned) : current.state;
      const { next, decisions } = takeTokens(base, policy, now, count + extra);
      const mine = decisions.slice(0, count);
      const leased = decisions.slice(count).filter((d) => d.allowed).length;
      // A batch that is refused entirely and returns nothing changes nothing worth storing.
      if (returned === 0 && !mine.some((d) => d.allowed)) return mine;
      const revision = await this.tryWrite(key, current.revision, next);
      if (revision !== undefined) {
        this.rememberWrite(key, next, revision);
        if (leased > 0) this.leases.set(key, { policy, tokens: leased, sharedLeft: next.tokens, takenAt: now });
        return mine;
      }
      this.lastWritten.delete(key);
    }
    throw new Error(`rate-limit bucket ${key} stayed contended for ${MAX_ATTEMPTS} attempts`);
  }

  /** Removes the key's lease, returning its unused whole tokens. */
  private endLease(key: string): number {
    const lease = this.leases.get(key);
    if (!lease) return 0;
    this.leases.delete(key);
    return Math.floor(lease.tokens);
  }

  private returnIdleLeases(): void {
    const now = this.now();
    for (const [key, lease] of this.leases) {
      if (now - lease.takenAt < LEASE_MS || this.queues.get(key)?.running) continue;
      if (lease.tokens < 1) {
        this.leases.delete(key);
        continue;
      }
      const queue: KeyQueue = { policy: lease.policy, waiting: [], running: true };
      this.queues.set(key, queue);
      void this.takeBatch(key, lease.policy, 0)
        .catch(() => undefined)
        .finally(() => {
          queue.running = false;
          if (queue.waiting.length > 0) void this.drain(key, queue);
          else this.queues.delete(key);
        });
    }
    for (const [key, demand] of this.demand) if (now - demand.windowStart >= 2 * LEASE_MS) this.demand.delete(key);
  }

  private countDemand(key: string): void {
    const now = this.now();
    const demand = this.demand.get(key);
    if (!demand) {
      if (this.demand.size >= MAX_CACHED_KEYS) this.demand.delete(this.demand.keys().next().value as string);
      this.demand.set(key, { windowStart: now, current: 1, previous: 0 });
    } else if (now - demand.windowStart >= LEASE_MS) {
      demand.previous = now - demand.windowStart < 2 * LEASE_MS ? demand.current : 0;
      demand.current = 1;
      demand.windowStart = now;
    } else demand.current += 1;
  }

  /** Requests for the key in about one LEASE_MS on this replica. */
  private demandOf(key: string): number {
    const demand = this.demand.get(key);
    return demand ? Math.max(demand.current, demand.previous) : 0;
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
