// Retry timing of webhook deliveries and failing steps: exponential with full jitter, capped; a receiver's
// Retry-After (seconds or an HTTP date) is honoured when it asks for longer.

export interface BackoffPolicy {
  baseMs: number;
  maxMs: number;
}

/** Delay before retry number `attempt` (1 = the first retry): random in [base*2^(n-1)/2, base*2^(n-1)], capped. */
export function backoffDelay(attempt: number, policy: BackoffPolicy, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

/** Retry-After in ms, or undefined when absent or unreadable. */
export function retryAfterMs(header: string | undefined, now: Date): number | undefined {
  if (!header) return undefined;
  const trimmed = header.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now.getTime());
}

export type AttemptVerdict = 'succeeded' | 'retry' | 'failed';

/** 2xx succeeds; network errors, 408, 429 and 5xx are retried; every other answer fails at once. */
export function verdictOf(statusCode: number | undefined): AttemptVerdict {
  if (statusCode === undefined) return 'retry';
  if (statusCode >= 200 && statusCode < 300) return 'succeeded';
  if (statusCode === 408 || statusCode === 429 || statusCode >= 500) return 'retry';
  return 'failed';
}
