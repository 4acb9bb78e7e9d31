import { leaseExtra, returnTokens, takeToken, takeTokens, windowSec, type BucketPolicy } from './token-bucket';

const policy: BucketPolicy = { name: 'client', capacity: 3, refillPerSec: 1 };

describe('takeToken', () => {
  it('starts full and admits a burst of capacity requests, then refuses', () => {
    let state = undefined;
    const remaining: number[] = [];
    for (let i = 0; i < 3; i++) {
      const decision = takeToken(state, policy, 1000);
      expect(decision.allowed).toBe(true);
      remaining.push(decision.remaining);
      state = decision.next;
    }
    expect(remaining).toEqual([2, 1, 0]);
    const refused = takeToken(state, policy, 1000);
    expect(refused.allowed).toBe(false);
    expect(refused.retryAfterSec).toBe(1);
  });

  it('refills with time but never beyond capacity', () => {
    const empty = { tokens: 0, at: 0 };
    expect(takeToken(empty, policy, 500).allowed).toBe(false);
    expect(takeToken(empty, policy, 1000).allowed).toBe(true);
    expect(takeToken(empty, policy, 60_000).remaining).toBe(2);
  });

  it('tells how long until the bucket is full again', () => {
    expect(takeToken({ tokens: 0, at: 0 }, { ...policy, refillPerSec: 0.5 }, 2000).resetSec).toBe(6);
    expect(windowSec({ name: 'tenant', capacity: 600, refillPerSec: 100 })).toBe(6);
  });
});

describe('takeTokens', () => {
  it('grants a batch the tokens there are, in arrival order', () => {
    const { next, decisions } = takeTokens({ tokens: 2.5, at: 0 }, policy, 0, 4);
    expect(decisions.map((d) => d.allowed)).toEqual([true, true, false, false]);
    expect(decisions.map((d) => d.remaining)).toEqual([1, 0, 0, 0]);
    expect(next.tokens).toBeCloseTo(0.5);
    expect(decisions[2]?.retryAfterSec).toBe(1);
  });
});

describe('leases', () => {
  it('takes ahead about the recent demand, at most a tenth of the capacity, nothing for small buckets', () => {
    const big: BucketPolicy = { name: 'tenant', capacity: 1000, refillPerSec: 100 };
    expect(leaseExtra(big, 50, 1)).toBe(49);
    expect(leaseExtra(big, 5000, 1)).toBe(99);
    expect(leaseExtra(big, 1, 1)).toBe(0);
    expect(leaseExtra(policy, 100, 1)).toBe(0);
  });

  it('gives unused tokens back after refilling, capped at capacity', () => {
    expect(returnTokens({ tokens: 0.5, at: 0 }, policy, 1000, 1)).toEqual({ tokens: 2.5, at: 1000 });
    expect(returnTokens({ tokens: 2.5, at: 0 }, policy, 1000, 5)).toEqual({ tokens: 3, at: 1000 });
  });
});
