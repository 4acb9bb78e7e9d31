import type { Principal, TokenVerifier } from '@crm/service-kit/edge';

export interface CachedVerifierOptions {
  /** Most tokens remembered; the oldest are forgotten first. */
  maxEntries?: number;
  /** Upper bound on how long one verification is trusted, whatever the token's own expiry. */
  maxAgeMs?: number;
  now?: () => number;
}

/** A verifier that can also answer at once, without a promise, for a token it verified before. */
export interface CachingTokenVerifier extends TokenVerifier {
  /** The principal of a token verified before and not yet past its cache time, else undefined. */
  cached(token: string): Principal | undefined;
}

interface Entry {
  principal: Principal;
  until: number;
}

/**
 * Remembers successful verifications until the token expires (at most maxAgeMs): a signature check per request is
 * the gateway's largest CPU cost, and a token's signature cannot change. Failures are not cached. The expiry is
 * the token's own exp, so an expired token is verified again — and refused — by the kit's verifier.
 */
export function cachedVerifier(inner: TokenVerifier, options: CachedVerifierOptions = {}): CachingTokenVerifier {
  const maxEntries = options.maxEntries ?? 10_000;
  const maxAgeMs = options.maxAgeMs ?? 60_000;
  const now = options.now ?? Date.now;
  const cache = new Map<string, Entry>();
  const cached = (token: string): Principal | undefined => {
    const hit = cache.get(token);
    return hit && hit.until > now() ? hit.principal : undefined;
  };
  return {
    cached,
    async verify(token) {
      const hit = cached(token);
      if (hit) return hit;
      cache.delete(token);
      const principal = await inner.verify(token);
      const exp = expiryMs(token);
      if (exp !== undefined) {
        if (cache.size >= maxEntries) cache.delete(cache.keys().next().value as string);
        cache.set(token, { principal, until: Math.min(exp, now() + maxAgeMs) });
      }
      return principal;
    },
    checkKeysReachable: () => inner.checkKeysReachable(),
  };
}

function expiryMs(token: string): number | undefined {
  try {
    const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as {
      exp?: unknown;
    };
    return typeof payload.exp === 'number' ? payload.exp * 1000 : undefined;
  } catch {
    return undefined;
  }
}
