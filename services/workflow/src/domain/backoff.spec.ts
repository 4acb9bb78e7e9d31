import { backoffDelay, retryAfterMs, verdictOf } from './backoff';

describe('retry timing', () => {
  it('doubles with jitter between half and all of the ceiling, capped', () => {
    const policy = { baseMs: 1000, maxMs: 8000 };
    expect(backoffDelay(1, policy, () => 0)).toBe(500);
    expect(backoffDelay(1, policy, () => 1)).toBe(1000);
    expect(backoffDelay(3, policy, () => 1)).toBe(4000);
    expect(backoffDelay(10, policy, () => 1)).toBe(8000);
  });

  it('reads Retry-After as seconds or a date', () => {
    const now = new Date('2027-01-01T00:00:00Z');
    expect(retryAfterMs('120', now)).toBe(120_000);
    expect(retryAfterMs('Fri, 01 Jan 2027 00:01:00 GMT', now)).toBe(60_000);
    expect(retryAfterMs('soon', now)).toBeUndefined();
  });

  it('retries network errors, 408, 429 and 5xx, and no other answer', () => {
    expect([undefined, 408, 429, 500, 503].map(verdictOf)).toEqual(['retry', 'retry', 'retry', 'retry', 'retry']);
    expect([200, 204].map(verdictOf)).toEqual(['succeeded', 'succeeded']);
    expect([400, 401, 404, 410].map(verdictOf)).toEqual(['failed', 'failed', 'failed', 'failed']);
  });
});
