// A token bucket as a pure function, so the shared store only has to apply it atomically (KV compare-and-set).

export type BucketName = 'tenant' | 'client';

export interface BucketPolicy {
  name: BucketName;
  /** Burst: the most requests a full bucket admits at once. */
  capacity: number;
  refillPerSec: number;
}

export interface BucketState {
  tokens: number;
  /** Epoch ms of the last update. */
  at: number;
}

export interface BucketDecision {
  allowed: boolean;
  /** The state to store; unchanged (refilled only) when the request is refused. */
  next: BucketState;
  /** Whole tokens left after this request. */
  remaining: number;
  /** Seconds until a refused request would be admitted (0 when allowed). */
  retryAfterSec: number;
  /** Seconds until the bucket is full again. */
  resetSec: number;
}

export function takeToken(state: BucketState | undefined, policy: BucketPolicy, now: number): BucketDecision {
  const elapsedSec = state ? Math.max(0, now - state.at) / 1000 : 0;
  const available = state ? Math.min(policy.capacity, state.tokens + elapsedSec * policy.refillPerSec) : policy.capacity;
  const allowed = available >= 1;
  const tokens = allowed ? available - 1 : available;
  return {
    allowed,
    next: { tokens, at: now },
    remaining: Math.floor(tokens),
    retryAfterSec: allowed ? 0 : Math.ceil((1 - available) / policy.refillPerSec),
    resetSec: Math.ceil((policy.capacity - tokens) / policy.refillPerSec),
  };
}

/** Window of a policy for the RateLimit-Policy header: how long an empty bucket takes to fill. */
export function windowSec(policy: BucketPolicy): number {
  return Math.max(1, Math.ceil(policy.capacity / policy.refillPerSec));
}
