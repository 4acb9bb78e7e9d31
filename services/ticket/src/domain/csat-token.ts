// The CSAT survey link: a token signed with the service's secret (HMAC-SHA256), naming the tenant, the ticket,
// the token's own id and its expiry. Nothing else is needed to answer, so the requester needs no login; a token is
// spent by its answer (the ticket records the token id) and superseded by the next solve.
import { createHmac, timingSafeEqual } from 'node:crypto';

export interface CsatClaims {
  tenantId: string;
  ticketId: string;
  tokenId: string;
  /** Expiry, epoch seconds. */
  exp: number;
}

export type CsatVerdict = { ok: true; claims: CsatClaims } | { ok: false; reason: 'forged' | 'expired' };

const VERSION = 'c1';

function sign(payload: string, secret: string): string {
  return createHmac('sha256', secret).update(`${VERSION}.${payload}`).digest('base64url');
}

export function signCsatToken(claims: CsatClaims, secret: string): string {
  const payload = Buffer.from(JSON.stringify([claims.tenantId, claims.ticketId, claims.tokenId, claims.exp])).toString(
    'base64url',
  );
  return `${VERSION}.${payload}.${sign(payload, secret)}`;
}

export function verifyCsatToken(token: string, secret: string, now: Date): CsatVerdict {
  const [version, payload, signature] = token.split('.');
  if (version !== VERSION || !payload || !signature || token.split('.').length !== 3)
    return { ok: false, reason: 'forged' };
  const expected = Buffer.from(sign(payload, secret));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return { ok: false, reason: 'forged' };
  let parts: unknown;
  try {
    parts = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    return { ok: false, reason: 'forged' };
  }
  if (!Array.isArray(parts) || parts.length !== 4) return { ok: false, reason: 'forged' };
  const [tenantId, ticketId, tokenId, exp] = parts as unknown[];
  if (
    typeof tenantId !== 'string' ||
    typeof ticketId !== 'string' ||
    typeof tokenId !== 'string' ||
    typeof exp !== 'number'
  )
    return { ok: false, reason: 'forged' };
  if (exp * 1000 <= now.getTime()) return { ok: false, reason: 'expired' };
  return { ok: true, claims: { tenantId, ticketId, tokenId, exp } };
}
