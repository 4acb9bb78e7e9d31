import { createRemoteJWKSet, jwtVerify, type JWTVerifyGetKey } from 'jose';
import { ServiceError } from '../errors/service-error';
import { principalFromClaims, type Principal } from './principal';

export interface TokenVerifierOptions {
  issuer: string;
  audience: string;
  jwksUrl: string;
  /** Seconds of clock skew tolerated on exp/nbf. */
  clockToleranceSec?: number;
  /** Tests may pass a local key set; by default the realm's JWKS is fetched, cached and re-fetched on an unknown kid. */
  keySet?: JWTVerifyGetKey;
  /** The verifier's clock; tests move it forward to see a real token expire. */
  now?: () => Date;
}

export interface TokenVerifier {
  verify(token: string): Promise<Principal>;
  /** Fetches the key set once: readiness checks that the identity provider is reachable. */
  checkKeysReachable(): Promise<void>;
}

export function createTokenVerifier(options: TokenVerifierOptions): TokenVerifier {
  const keySet =
    options.keySet ?? createRemoteJWKSet(new URL(options.jwksUrl), { cooldownDuration: 30_000, cacheMaxAge: 600_000 });
  return {
    async verify(token) {
      const claims = await verifiedClaims(token, keySet, options);
      const principal = principalFromClaims(claims);
      if (!principal) throw unauthenticated('token has no CRM principal');
      return principal;
    },
    async checkKeysReachable() {
      const response = await fetch(options.jwksUrl, { signal: AbortSignal.timeout(2000) });
      if (!response.ok) throw new Error(`JWKS answered ${response.status}`);
    },
  };
}

async function verifiedClaims(token: string, keySet: JWTVerifyGetKey, options: TokenVerifierOptions) {
  try {
    const { payload } = await jwtVerify(token, keySet, {
      issuer: options.issuer,
      audience: options.audience,
      algorithms: ['RS256'],
      clockTolerance: options.clockToleranceSec ?? 5,
      requiredClaims: ['exp', 'sub'],
      ...(options.now ? { currentDate: options.now() } : {}),
    });
    return payload;
  } catch {
    // The reason (expired, bad signature, wrong audience…) is not told to the caller.
    throw unauthenticated('invalid token');
  }
}

function unauthenticated(message: string): ServiceError {
  return new ServiceError('UNAUTHENTICATED', message);
}

export function bearerToken(authorization: string | undefined): string | undefined {
  const match = /^Bearer ([A-Za-z0-9\-_=]+\.[A-Za-z0-9\-_=]*\.[A-Za-z0-9\-_=]*)$/.exec(authorization ?? '');
  return match?.[1];
}
