// Store-level transient errors (a lost connection, a failover, a server's serialization failure) are retried
// inside the service with a bound, so a client never sees them for a write that can simply be repeated.

export interface RetryOptions {
  attempts?: number;
  baseDelayMs?: number;
}

const TRANSIENT_LABELS = ['RetryableWriteError', 'TransientTransactionError', 'ResetPool', 'SystemOverloadedError'];
const TRANSIENT_NAMES = [
  'MongoNetworkError',
  'MongoNetworkTimeoutError',
  'MongoServerSelectionError',
  'MongoPoolClearedError',
];
// WriteConflict, InterruptedDueToReplStateChange, NotWritablePrimary, PrimarySteppedDown, and the shutdown family.
const TRANSIENT_CODES = new Set([112, 11602, 10107, 189, 91, 11600, 13436, 13435, 6, 7, 89, 9001]);

export function isTransientStoreError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const e = error as { name?: string; code?: unknown; errorLabels?: unknown; hasErrorLabel?: (l: string) => boolean };
  if (e.name && TRANSIENT_NAMES.includes(e.name)) return true;
  if (typeof e.code === 'number' && TRANSIENT_CODES.has(e.code)) return true;
  return TRANSIENT_LABELS.some((label) => e.hasErrorLabel?.(label) ?? false);
}

/**
 * Runs `work` again after a transient store error, with jittered backoff. `work` must be safe to repeat: the
 * kit's writes are (an event insert recognises its own earlier attempt by its write id).
 */
export async function withStoreRetry<T>(work: () => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const attempts = options.attempts ?? 4;
  const base = options.baseDelayMs ?? 25;
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      if (attempt >= attempts || !isTransientStoreError(error)) throw error;
      await new Promise((resolve) => setTimeout(resolve, base * 2 ** (attempt - 1) * (0.5 + Math.random())));
    }
  }
}

export function isDuplicateKey(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 11000;
}
