/** A fresh Idempotency-Key. `__ITER` does not exist in setup(), so keys never depend on it. */
export function idempotencyKey(prefix = 'load') {
  return `${prefix}-${crypto.randomUUID()}`;
}
