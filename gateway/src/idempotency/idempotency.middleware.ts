import { createHash } from 'node:crypto';
import type { RequestHandler, Response } from 'express';
import type { Principal } from '@crm/service-kit/edge';
import type { Logger } from 'pino';
import { principalOf } from '../auth/authenticate.middleware';
import { HttpProblem } from '../http/problem';
import type { IdempotencyStore, StoredResponse } from './idempotency.store';

const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;
const REPLAYED_HEADERS = ['content-type', 'etag', 'location'] as const;
/** Larger responses are not kept; a retry then runs again (and meets the service's own duplicate checks). */
const MAX_STORED_BODY_BYTES = 256 * 1024;

/**
 * Stripe's Idempotency-Key semantics on POST: the same key and body replay the stored response, the same key
 * with another body is 422, and the same key while the first request runs is 409. Keys are scoped to the tenant
 * and the calling client, so two callers can never see each other's responses.
 */
export function idempotency(store: IdempotencyStore, log: Logger): RequestHandler {
  return async (req, res, next) => {
    const key = req.get('idempotency-key');
    if (key === undefined) return next();
    if (!KEY_PATTERN.test(key)) throw new HttpProblem(400, 'Idempotency-Key must be 1 to 255 visible ASCII characters');
    const scopedKey = scopeKey(principalOf(req), key);
    const fingerprint = requestFingerprint(req.method, req.originalUrl, req.rawBody);
    const claim = await store.claim(scopedKey, fingerprint).catch((err: unknown) => {
      log.error({ err }, 'idempotency store unavailable');
      throw new HttpProblem(
        503,
        'Idempotency keys cannot be checked right now; retry later',
        {},
        { 'retry-after': '1' },
      );
    });
    switch (claim.kind) {
      case 'replay':
        return replay(res, claim.response);
      case 'mismatch':
        throw new HttpProblem(422, 'This Idempotency-Key was already used with a different request', {
          type: 'idempotency-key-reused',
        });
      case 'in-flight':
        throw new HttpProblem(
          409,
          'A request with this Idempotency-Key is still being processed',
          { type: 'idempotency-key-in-use' },
          { 'retry-after': '1' },
        );
      case 'claimed':
        // The services know the request by it too: a retry after a lost answer finds what the first attempt wrote.
        req.requestKey = scopedKey;
        recordOutcome(res, (response) => settle(store, scopedKey, claim.revision, fingerprint, response, log));
        return next();
    }
  };
}

/** The KV key of an Idempotency-Key: scoped to the tenant and the calling client, and hashed. */
export function scopeKey(principal: Pick<Principal, 'tenantId' | 'clientId' | 'userId'>, key: string): string {
  return createHash('sha256')
    .update([principal.tenantId, principal.clientId, principal.userId, key].join('\0'))
    .digest('hex');
}

/** What "the same request" means: method, URL with query, and the body's bytes. */
export function requestFingerprint(method: string, url: string, body: Buffer | undefined): string {
  return createHash('sha256')
    .update(`${method} ${url}\n`)
    .update(body ?? Buffer.alloc(0))
    .digest('hex');
}

function replay(res: Response, stored: StoredResponse): void {
  res.status(stored.status).set(stored.headers).set('idempotent-replayed', 'true');
  res.end(Buffer.from(stored.body, 'base64'));
}

/** Failures a retry should run again rather than replay: the service was overloaded, unavailable or timed out. */
function isReplayable(status: number): boolean {
  return status < 500 && status !== 429;
}

async function settle(
  store: IdempotencyStore,
  key: string,
  revision: number,
  fingerprint: string,
  response: StoredResponse,
  log: Logger,
): Promise<void> {
  try {
    if (isReplayable(response.status) && response.body.length <= (MAX_STORED_BODY_BYTES * 4) / 3 + 4)
      await store.complete(key, revision, fingerprint, response);
    else await store.release(key, revision);
  } catch (err) {
    log.error({ err }, 'could not record the idempotent response');
  }
}

/**
 * Captures the response as it ends, and holds the end until it is stored, so a retry arriving right after the
 * answer already finds it. Runs even when the client has gone: the operation happened, and a retry must replay it.
 */
function recordOutcome(res: Response, store: (response: StoredResponse) => Promise<void>): void {
  const originalEnd = res.end;
  let captured = false;
  res.end = function end(this: Response, ...args: unknown[]) {
    if (captured) return Reflect.apply(originalEnd, this, args) as Response;
    captured = true;
    const [chunk, encoding] = args;
    const body =
      typeof chunk === 'string'
        ? Buffer.from(chunk, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8')
        : Buffer.isBuffer(chunk)
          ? chunk
          : Buffer.alloc(0);
    const headers: Record<string, string> = {};
    for (const name of REPLAYED_HEADERS) {
      const value = this.getHeader(name);
      if (typeof value === 'string') headers[name] = value;
    }
    void store({ status: this.statusCode, headers, body: body.toString('base64') }).finally(() =>
      Reflect.apply(originalEnd, this, args),
    );
    return this;
  } as Response['end'];
}
