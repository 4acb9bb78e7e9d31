import type { NextFunction, RequestHandler, Response } from 'express';
import type { Principal } from '@crm/service-kit/edge';
import type { Logger } from 'pino';
import { principalOf } from '../auth/authenticate.middleware';
import { HttpProblem } from '../http/problem';
import { kvKeyPart } from '../kv/shared-buckets';
import type { RateLimitStore } from './rate-limit.store';
import { windowSec, type BucketDecision, type BucketPolicy } from './token-bucket';

export interface RateLimitPolicies {
  tenant: BucketPolicy;
  client: BucketPolicy;
}

/**
 * One bucket per tenant and one per calling client (OAuth client + subject), both shared by every replica.
 * Headers follow the IETF RateLimit header fields draft: RateLimit-Policy names the policies, RateLimit reports
 * the tighter one. If the KV store fails the request is let through: an outage of the limiter is no outage of the API.
 */
export function rateLimit(store: RateLimitStore, policies: RateLimitPolicies, log: Logger): RequestHandler {
  const policyHeader = [policies.tenant, policies.client]
    .map((p) => `"${p.name}";q=${p.capacity};w=${windowSec(p)}`)
    .join(', ');
  // A principal comes from the verifier's cache, the same object for every request with its token.
  const keysByPrincipal = new WeakMap<Principal, { tenant: string; client: string }>();
  const keysOf = (principal: Principal) => {
    let keys = keysByPrincipal.get(principal);
    if (!keys) {
      keys = {
        tenant: `t.${kvKeyPart(principal.tenantId)}`,
        client: `c.${kvKeyPart(principal.tenantId)}.${kvKeyPart(`${principal.clientId}/${principal.userId}`)}`,
      };
      keysByPrincipal.set(principal, keys);
    }
    return keys;
  };
  const answer = (res: Response, next: NextFunction, decisions: Array<[BucketPolicy, BucketDecision]>) => {
    const [policy, tightest] = decisions.reduce((a, b) => (!b[1].allowed || b[1].remaining < a[1].remaining ? b : a));
    res.setHeader('ratelimit-policy', policyHeader);
    res.setHeader(
      'ratelimit',
      `"${policy.name}";r=${tightest.remaining};t=${tightest.allowed ? tightest.resetSec : tightest.retryAfterSec}`,
    );
    if (!tightest.allowed) {
      throw new HttpProblem(
        429,
        `The ${policy.name} rate limit is exhausted`,
        { type: 'rate-limited' },
        { 'retry-after': String(tightest.retryAfterSec) },
      );
    }
    next();
  };
  const viaStore = async (
    res: Response,
    next: NextFunction,
    keys: { tenant: string; client: string },
    leased: BucketDecision | undefined,
  ) => {
    let decisions: Array<[BucketPolicy, BucketDecision]>;
    try {
      const client = leased ?? (await store.take(keys.client, policies.client));
      // A client already over its own limit does not spend its tenant's tokens.
      const tenant = client.allowed ? await store.take(keys.tenant, policies.tenant) : undefined;
      decisions = tenant
        ? [
            [policies.client, client],
            [policies.tenant, tenant],
          ]
        : [[policies.client, client]];
    } catch (err) {
      log.warn({ err }, 'rate limiter unavailable; request let through');
      return next();
    }
    answer(res, next, decisions);
  };
  return (req, res, next) => {
    const keys = keysOf(principalOf(req));
    // Both from this replica's leases: decided without a promise. A leased token is always an admitted one.
    const client = store.takeFromLease(keys.client, policies.client);
    const tenant = client && store.takeFromLease(keys.tenant, policies.tenant);
    if (client && tenant)
      return answer(res, next, [
        [policies.client, client],
        [policies.tenant, tenant],
      ]);
    return viaStore(res, next, keys, client);
  };
}

/**
 * One bucket per client address for the public routes (no principal to key on); per address and path when the
 * route asks for it (a web form: one busy form does not lock a visitor out of another).
 */
export function publicRateLimit(
  store: RateLimitStore,
  policy: BucketPolicy,
  log: Logger,
  perPath = false,
): RequestHandler {
  const policyHeader = `"${policy.name}";q=${policy.capacity};w=${windowSec(policy)}`;
  return async (req, res, next) => {
    let decision: BucketDecision;
    const address = kvKeyPart(req.ip ?? req.socket.remoteAddress ?? 'unknown');
    try {
      decision = await store.take(perPath ? `p.${address}.${kvKeyPart(req.path)}` : `p.${address}`, policy);
    } catch (err) {
      log.warn({ err }, 'rate limiter unavailable; request let through');
      return next();
    }
    res.setHeader('ratelimit-policy', policyHeader);
    res.setHeader(
      'ratelimit',
      `"${policy.name}";r=${decision.remaining};t=${decision.allowed ? decision.resetSec : decision.retryAfterSec}`,
    );
    if (!decision.allowed)
      throw new HttpProblem(
        429,
        `The ${policy.name} rate limit is exhausted`,
        { type: 'rate-limited' },
        { 'retry-after': String(decision.retryAfterSec) },
      );
    next();
  };
}
