// OWASP API2:2023 Broken Authentication. Each of the token checks is tried on its own: a gateway whose key set is
// served by the test (on loopback) accepts a token the test signs correctly, and refuses the same token with one
// thing wrong. Then, on the real realm: a user's token stops working once an admin disables the user and ends
// their sessions (Keycloak admin API), without waiting for the token to expire.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type JWTPayload, type KeyLike } from 'jose';
import { decodeClaims, infraEnv, userToken } from '@crm/testkit';
import { GatewayStack, type GatewayClient } from '../support/gateway-stack';
import { operationsOf, unique } from './support/owasp-stack';

const stack = new GatewayStack();
const KID = 'owasp-test-key';
let jwks: Server;
let privateKey: KeyLike;
let publicPem: string;
let gateway: GatewayClient;
let claims: JWTPayload;

beforeAll(async () => {
  await stack.start();
  const pair = await generateKeyPair('RS256', { extractable: true });
  privateKey = pair.privateKey;
  const jwk = { ...(await exportJWK(pair.publicKey)), kid: KID, alg: 'RS256', use: 'sig' };
  publicPem = (await import('node:crypto')).createPublicKey({ key: jwk as never, format: 'jwk' }).export({
    type: 'spki',
    format: 'pem',
  }) as string;
  jwks = createServer((_req, res) =>
    res.setHeader('content-type', 'application/json').end(JSON.stringify({ keys: [jwk] })),
  );
  await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/certs`;
  // Signature checks alone: the realm would not know the test's tokens, so this gateway does not introspect them.
  gateway = stack.clientOf(
    await stack.startGateway({ OIDC_JWKS_URL: url, OIDC_CLIENT_ID: undefined, OIDC_CLIENT_SECRET: undefined }),
  );
  // The claims of a real token of the realm, re-signed by the test's key.
  claims = decodeClaims(await userToken('acme-rep1')) as JWTPayload;
}, 120_000);
afterAll(async () => {
  await stack.stop();
  jwks.close();
});

const now = () => Math.floor(Date.now() / 1000);
const sign = (payload: JWTPayload, header: Record<string, unknown> = {}) =>
  new SignJWT({ ...payload }).setProtectedHeader({ alg: 'RS256', kid: KID, typ: 'JWT', ...header }).sign(privateKey);
const fresh = (): JWTPayload => ({ ...claims, iat: now(), exp: now() + 300 });
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

async function expectRefused(token: string) {
  const res = await gateway.get('/api/v1/me', token);
  expect(res.status).toBe(401);
  expect(res.headers.get('www-authenticate')).toBe('Bearer realm="crm", error="invalid_token"');
  // One answer for every reason: which check failed is not told.
  expect((res.body as { detail: string }).detail).toBe('The access token is invalid or expired');
}

it('accepts a correctly signed token (the control)', async () => {
  expect((await gateway.get('/api/v1/me', await sign(fresh()))).status).toBe(200);
});

it.each<[string, () => Promise<string>]>([
  ['expired', () => sign({ ...fresh(), iat: now() - 600, exp: now() - 60 })],
  ['not yet valid (nbf in the future)', () => sign({ ...fresh(), nbf: now() + 600 })],
  ['without exp', () => sign({ ...fresh(), exp: undefined })],
  ['for another audience', () => sign({ ...fresh(), aud: 'account' })],
  ['from another issuer', () => sign({ ...fresh(), iss: 'http://127.0.0.1:8180/realms/other' })],
  ['alg: none', async () => `${b64({ alg: 'none', typ: 'JWT' })}.${b64(fresh())}.`],
  [
    'HS256 signed with the public key as the secret',
    () =>
      new SignJWT({ ...fresh() })
        .setProtectedHeader({ alg: 'HS256', kid: KID })
        .sign(new TextEncoder().encode(publicPem)),
  ],
  [
    'tampered (roles raised after signing)',
    async () => {
      const [header, , signature] = (await sign(fresh())).split('.');
      return `${header}.${b64({ ...fresh(), realm_access: { roles: ['crm-admin'] } })}.${signature}`;
    },
  ],
  ['signed by an unknown key id', () => sign(fresh(), { kid: 'someone-else' })],
  ['without a subject', () => sign({ ...fresh(), sub: undefined })],
])('refuses a token %s', async (_what, make) => {
  await expectRefused(await make());
});

it('every secured operation of the document refuses a request without a token (401)', async () => {
  const wrong: string[] = [];
  for (const op of operationsOf(stack).filter((o) => o.secured)) {
    const res = await gateway.request(op.method.toUpperCase(), op.path.replace(/\{[^}]+\}/g, 'x1'));
    if (res.status !== 401) wrong.push(`${op.method} ${op.path}: ${res.status}`);
  }
  expect(wrong).toEqual([]);
});

describe("a disabled user's token after its sessions are ended", () => {
  const admin = async () => {
    const res = await fetch(`${infraEnv().keycloakUrl}/realms/master/protocol/openid-connect/token`, {
      method: 'POST',
      body: new URLSearchParams({
        grant_type: 'password',
        client_id: 'admin-cli',
        username: 'admin',
        password: 'admin',
      }),
    });
    return ((await res.json()) as { access_token: string }).access_token;
  };
  const adminApi = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${infraEnv().keycloakUrl}/admin/realms/crm${path}`, {
      method,
      headers: { authorization: `Bearer ${await admin()}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`Keycloak admin ${method} ${path}: ${res.status} ${await res.text()}`);
    return res;
  };

  it('is refused at once by a gateway that checks sessions, although its signature is still good', async () => {
    const username = `owasp-${unique()}`;
    const created = await adminApi('POST', '/users', {
      username,
      enabled: true,
      emailVerified: true,
      firstName: 'Owasp',
      lastName: 'Temp',
      email: `${username}@example.test`,
      attributes: { tenant: ['acme'] },
      credentials: [{ type: 'password', value: 'demo', temporary: false }],
    });
    const userId = (created.headers.get('location') ?? '').split('/').pop() as string;
    const roles = (await (await adminApi('GET', '/roles/sales-rep')).json()) as object;
    await adminApi('POST', `/users/${userId}/role-mappings/realm`, [roles]);
    try {
      const checking = stack.clientOf(
        await stack.startGateway({
          OIDC_CLIENT_ID: 'crm-gateway',
          OIDC_CLIENT_SECRET: 'crm-gateway-secret',
          TOKEN_CACHE_MS: '0',
        }),
      );
      const token = await userToken(username as never);
      expect((await checking.get('/api/v1/me', token)).status).toBe(200);

      await adminApi('PUT', `/users/${userId}`, { enabled: false });
      await adminApi('POST', `/users/${userId}/logout`);

      const refused = await checking.get('/api/v1/me', token);
      expect(refused.status).toBe(401);
      // The token itself is unchanged and well-signed: only the session check tells.
      expect(Number(decodeClaims(token).exp) * 1000).toBeGreaterThan(Date.now());
    } finally {
      await adminApi('DELETE', `/users/${userId}`);
    }
  });
});
