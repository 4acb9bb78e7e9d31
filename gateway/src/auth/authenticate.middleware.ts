import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { bearerToken, type Principal, type TokenVerifier } from '@crm/service-kit';
import { HttpProblem } from '../http/problem';

const REALM = 'Bearer realm="crm"';

/** RFC 6750: no credentials get a bare challenge; credentials that fail get error="invalid_token". */
export function authenticate(verifier: TokenVerifier): RequestHandler {
  return async (req: Request, _res: Response, next: NextFunction) => {
    const header = req.headers.authorization;
    if (!header) throw new HttpProblem(401, 'A bearer token is required', {}, { 'www-authenticate': REALM });
    const token = bearerToken(header);
    if (!token) throw invalidToken();
    try {
      req.principal = await verifier.verify(token);
    } catch {
      throw invalidToken();
    }
    // A service's own token names no tenant, and no tenant-less caller has anything to do at the edge.
    if (!req.principal.tenantId) throw new HttpProblem(403, 'The token names no tenant');
    req.accessToken = token;
    next();
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
