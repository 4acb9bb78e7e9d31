import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { bearerToken, type Principal, type TokenVerifier } from '@crm/service-kit/edge';
import { HttpProblem } from '../http/problem';
import type { CachingTokenVerifier } from './cached-verifier';

const REALM = 'Bearer realm="crm"';

/**
 * RFC 6750: no credentials get a bare challenge; credentials that fail get error="invalid_token". A token the
 * verifier has in its cache is accepted without a promise (most requests), any other is verified in full.
 */
export function authenticate(verifier: TokenVerifier & Partial<Pick<CachingTokenVerifier, 'cached'>>): RequestHandler {
  const accept = (req: Request, token: string, principal: Principal, next: NextFunction) => {
    req.principal = principal;
    // A service's own token names no tenant, and no tenant-less caller has anything to do at the edge.
    if (!principal.tenantId) throw new HttpProblem(403, 'The token names no tenant');
    req.accessToken = token;
    next();
  };
  const verifyInFull = async (req: Request, token: string, next: NextFunction) => {
    let principal: Principal;
    try {
      principal = await verifier.verify(token);
    } catch {
      throw invalidToken();
    }
    accept(req, token, principal, next);
  };
  return (req: Request, _res: Response, next: NextFunction) => {
    const header = req.headers.authorization;
    if (!header) throw new HttpProblem(401, 'A bearer token is required', {}, { 'www-authenticate': REALM });
    const token = bearerToken(header);
    if (!token) throw invalidToken();
    const known = verifier.cached?.(token);
    if (known) return accept(req, token, known, next);
    return verifyInFull(req, token, next);
  };
}

function invalidToken(): HttpProblem {
  return new HttpProblem(
    401,
    'The access token is invalid or expired',
    {},
    { 'www-authenticate': `${REALM}, error="invalid_token"` },
  );
}

/** The authenticated principal of a request that passed authenticate(). */
export function principalOf(req: Request): Principal {
  if (!req.principal) throw new HttpProblem(401, 'A bearer token is required', {}, { 'www-authenticate': REALM });
  return req.principal;
}
