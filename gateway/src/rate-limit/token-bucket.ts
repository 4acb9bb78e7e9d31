// A token bucket as a pure function, so the shared store only has to apply it atomically (KV compare-and-set).

export type BucketName = 'tenant' | 'client' | 'public';

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
  /** Whole tokens left after this request. */
  remaining: number;
  /** Seconds until a refused request would be admitted (0 when allowed). */
  retryAfterSec: number;
  /** Seconds until the bucket is full again. */
  resetSec: number;
}

export interface BatchDecision {
  /** The state to store. */
  next: BucketState;
  /** One decision per request, in arrival order: the first ones get the tokens there are. */
  decisions: BucketDecision[];
}

/** Takes a token for each of `count` requests that arrived together (one compare-and-set for all of them). */
export function takeTokens(
  state: BucketState | undefined,
  policy: BucketPolicy,
  now: number,
  count: number,
): BatchDecision {
  const elapsedSec = state ? Math.max(0, now - state.at) / 1000 : 0;
  const available = state
    ? Math.min(policy.capacity, state.tokens + elapsedSec * policy.refillPerSec)
    : policy.capacity;
  const granted = Math.max(0, Math.min(count, Math.floor(available)));
  const left = available - granted;
  const decisions: BucketDecision[] = [];
  for (let i = 0; i < count; i++) {
    const allowed = i < granted;
    const tokensAfter = allowed ? available - (i + 1) : left;
    decisions.push({
      allowed,
      remaining: Math.floor(tokensAfter),
      retryAfterSec: allowed ? 0 : Math.max(1, Math.ceil((1 - left) / policy.refillPerSec)),
      resetSec: Math.ceil((policy.capacity - tokensAfter) / policy.refillPerSec),
    });
  }
  return { next: { tokens: left, at: now }, decisions };
}

export function takeToken(
  state: BucketState | undefined,
  policy: BucketPolicy,
  now: number,
): BucketDecision & { next: BucketState } {
  const { next, decisions } = takeTokens(state, policy, now, 1);
  return { next, ...(decisions[0] as BucketDecision) };
}

/** Window of a policy for the RateLimit-Policy header: how long an empty bucket takes to fill. */
export function windowSec(policy: BucketPolicy): number {
  return Math.max(1, Math.ceil(policy.capacity / policy.refillPerSec));
}

/** Puts back tokens a replica took ahead (a lease it did not use up), never beyond capacity. */
export function returnTokens(
  state: BucketState | undefined,
  policy: BucketPolicy,
  now: number,
  count: number,
): BucketState {
  if (!state) return { tokens: policy.capacity, at: now };
  const elapsedSec = Math.max(0, now - state.at) / 1000;
  return { tokens: Math.min(policy.capacity, state.tokens + elapsedSec * policy.refillPerSec + count), at: now };
}

/** A replica may hold at most this share of a bucket's capacity ahead of its requests. */
export const LEASE_SHARE = 0.1;

/**
 * How many tokens beyond the `count` requests at hand to take ahead, so that the next requests of a busy bucket are
 * decided locally: about a lease period's worth of this replica's recent demand, at most LEASE_SHARE of the
 * capacity (so a small bucket is never leased and stays exact across replicas).
 */
export function leaseExtra(policy: BucketPolicy, demandPerLease: number, count: number): number {
  const most = Math.floor(policy.capacity * LEASE_SHARE);
  return Math.max(0, Math.min(most, demandPerLease) - count);
}
