// The caller's Idempotency-Key, carried from the gateway to every write the request makes. A retried request whose
// first attempt did apply (its answer was lost: a timeout, a killed gateway) finds its own events by their write
// ids and answers with them instead of applying again. The gateway's own record of a key cannot give this: it
// forgets an attempt that ended in a 5xx, though the service may still have finished it.
import { AsyncLocalStorage } from 'node:async_hooks';

/** gRPC metadata carrying the request key (the gateway sends a hash scoped to the tenant and the caller). */
export const REQUEST_KEY_METADATA = 'x-crm-request-key';

const KEY_PATTERN = /^[\x21-\x7e]{1,200}$/;

interface RequestKeyScope {
  key: string;
  /** How many writes of each kind the request made so far: the n-th write of a kind has the same id on a retry. */
  counts: Map<string, number>;
}

const storage = new AsyncLocalStorage<RequestKeyScope>();

/** A key fit to carry, or undefined (absent, or not a short visible-ASCII string). */
export function parseRequestKey(value: unknown): string | undefined {
  return typeof value === 'string' && KEY_PATTERN.test(value) ? value : undefined;
}

/** Runs a handler with the request key its writes derive their write ids from. */
export function withRequestKey<T>(key: string | undefined, work: () => Promise<T>): Promise<T> {
  return key ? storage.run({ key, counts: new Map() }, work) : work();
}

/**
 * The next write id of `kind` in this request (e.g. "contacts:create" or "deals:<id>"), the same on every attempt
 * of the request as long as the handler makes its writes in the same order; undefined outside a keyed request.
 */
export function nextRequestWriteId(kind: string): string | undefined {
  const scope = storage.getStore();
  if (!scope) return undefined;
  const n = (scope.counts.get(kind) ?? 0) + 1;
  scope.counts.set(kind, n);
  return `${scope.key}/${kind}/${n}`;
}

/** Whether the code runs inside a keyed request (without counting a write, as nextRequestWriteId does). */
export function inRequestKeyScope(): boolean {
  return storage.getStore() !== undefined;
}

/** The key for a call this request makes to another service: its n-th call, so that service can do the same. */
export function downstreamRequestKey(): string | undefined {
  const id = nextRequestWriteId('call');
  return id && id.length <= 200 ? id : undefined;
}
