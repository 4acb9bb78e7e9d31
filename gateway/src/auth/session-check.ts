import type { Logger } from 'pino';
import type { TokenVerifier } from '@crm/service-kit/edge';

export interface SessionCheckOptions {
  /** The realm's RFC 7662 introspection endpoint. */
  introspectionUrl: string;
  clientId: string;
  clientSecret: string;
  log: Logger;
  timeoutMs?: number;
}

/**
 * A signature proves who issued a token, not that its session still lives: after an admin disables a user or ends
 * their sessions, the token stays well-signed until it expires. So a token that passes the signature check is also
 * introspected (RFC 7662) with the gateway's own client, and refused when the identity provider says it is no
 * longer active. Behind the verification cache this is one call per token per cache period, so a revocation takes
 * effect within TOKEN_CACHE_MS. If the identity provider cannot be reached the signature check alone decides, so a
 * Keycloak restart is no API outage.
 */
export function sessionCheckingVerifier(inner: TokenVerifier, options: SessionCheckOptions): TokenVerifier {
  const authorization = `Basic ${Buffer.from(`${options.clientId}:${options.clientSecret}`).toString('base64')}`;
  return {
    async verify(token) {
      const principal = await inner.verify(token);
      let active: boolean | undefined;
      try {
        const response = await fetch(options.introspectionUrl, {
          method: 'POST',
          headers: { authorization, 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ token }),
          signal: AbortSignal.timeout(options.timeoutMs ?? 2000),
        });
        if (response.ok) active = ((await response.json()) as { active?: unknown }).active === true;
        else
          options.log.warn({ status: response.status }, 'token introspection refused; signature check alone decides');
      } catch (err) {
        options.log.warn({ err }, 'token introspection unreachable; signature check alone decides');
      }
      if (active === false) throw new Error('the token is no longer active');
      return principal;
    },
    checkKeysReachable: () => inner.checkKeysReachable(),
  };
}
