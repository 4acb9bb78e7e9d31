import { ServiceError, type Principal, type TokenVerifier } from '@crm/service-kit/edge';
import { cachedVerifier } from './cached-verifier';

const principal: Principal = {
  tenantId: 'acme',
  userId: 'u',
  roles: ['sales-rep'],
  teamIds: [],
  clientId: 'crm-web',
  scopes: [],
};
const tokenExpiringAt = (expSec: number) => `h.${Buffer.from(JSON.stringify({ exp: expSec })).toString('base64url')}.s`;

/** A verifier that counts its calls and accepts only the tokens it is told to. */
function countingVerifier(valid: Set<string>): TokenVerifier & { calls: number } {
  const verifier = {
    calls: 0,
    async verify(token: string) {
      verifier.calls++;
      if (!valid.has(token)) throw new ServiceError('UNAUTHENTICATED', 'invalid token');
      return principal;
    },
    checkKeysReachable: async () => undefined,
  };
  return verifier;
}

describe('cachedVerifier', () => {
  it('verifies a token once while it is valid, and again after its expiry', async () => {
    let now = 1_000_000;
    const token = tokenExpiringAt(1_000 + 30);
    const inner = countingVerifier(new Set([token]));
    const verifier = cachedVerifier(inner, { now: () => now });
    await verifier.verify(token);
    await verifier.verify(token);
    expect(inner.calls).toBe(1);
    now += 31_000;
    await verifier.verify(token);
    expect(inner.calls).toBe(2);
  });

  it('never caches a failure', async () => {
    const inner = countingVerifier(new Set());
    const verifier = cachedVerifier(inner, { now: () => 0 });
    await expect(verifier.verify(tokenExpiringAt(100))).rejects.toThrow('invalid token');
    await expect(verifier.verify(tokenExpiringAt(100))).rejects.toThrow('invalid token');
    expect(inner.calls).toBe(2);
  });

  it('forgets the oldest token beyond its capacity', async () => {
    const tokens = [tokenExpiringAt(100), tokenExpiringAt(101), tokenExpiringAt(102)];
    const inner = countingVerifier(new Set(tokens));
    const verifier = cachedVerifier(inner, { now: () => 0, maxEntries: 2 });
    for (const t of tokens) await verifier.verify(t);
    await verifier.verify(tokens[0] ?? '');
    expect(inner.calls).toBe(4);
  });
});
