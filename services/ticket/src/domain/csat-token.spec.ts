import { signCsatToken, verifyCsatToken } from './csat-token';

const secret = 'a-test-secret-of-sufficient-length-000';
const claims = { tenantId: 'acme', ticketId: 't1', tokenId: 'n1', exp: Date.parse('2027-01-02T00:00:00Z') / 1000 };
const now = new Date('2027-01-01T00:00:00Z');

describe('CSAT tokens', () => {
  it('verifies its own signature and gives the claims back', () => {
    expect(verifyCsatToken(signCsatToken(claims, secret), secret, now)).toEqual({ ok: true, claims });
  });

  it('refuses a token signed with another secret, a changed payload and garbage', () => {
    expect(verifyCsatToken(signCsatToken(claims, 'another-secret-of-sufficient-length'), secret, now)).toEqual({
      ok: false,
      reason: 'forged',
    });
    const [v, , s] = signCsatToken(claims, secret).split('.');
    const other = Buffer.from(JSON.stringify(['acme', 't2', 'n1', claims.exp])).toString('base64url');
    expect(verifyCsatToken(`${v}.${other}.${s}`, secret, now).ok).toBe(false);
    expect(verifyCsatToken('nonsense', secret, now).ok).toBe(false);
    expect(verifyCsatToken('c1..', secret, now).ok).toBe(false);
  });

  it('refuses an expired token', () => {
    expect(verifyCsatToken(signCsatToken(claims, secret), secret, new Date('2027-01-02T00:00:00Z'))).toEqual({
      ok: false,
      reason: 'expired',
    });
  });
});
