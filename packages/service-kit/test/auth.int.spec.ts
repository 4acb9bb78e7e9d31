import { exportJWK, generateKeyPair, SignJWT, createLocalJWKSet } from 'jose';
import { clientToken, decodeClaims, infraEnv, userToken } from '@crm/testkit';
import {
  createClientCredentialsTokenSource,
  createTokenVerifier,
  jwksUrlOf,
  ServiceError,
  tokenUrlOf,
  type TokenVerifierOptions,
} from '@crm/service-kit';

describe('token verification against the real Keycloak realm', () => {
  const { issuer } = infraEnv();
  const options: TokenVerifierOptions = {
    issuer,
    audience: 'crm-api',
    jwksUrl: jwksUrlOf({ OIDC_ISSUER: issuer, OIDC_JWKS_URL: undefined }),
  };
  const verifier = createTokenVerifier(options);

  it('verifies a demo user token and takes tenant, roles and teams from its claims', async () => {
    const principal = await verifier.verify(await userToken('acme-manager'));
    expect(principal).toMatchObject({
      tenantId: 'acme',
      roles: ['sales-manager'],
      teamIds: ['acme-east'],
      clientId: 'crm-cli',
    });
  });

  it('verifies the partner client and keeps its resource scopes', async () => {
    const principal = await verifier.verify(await clientToken('acme-partner'));
    expect(principal.tenantId).toBe('acme');
    expect(principal.roles).toEqual(['integration']);
    expect([...principal.scopes].sort()).toEqual(['contacts:read', 'contacts:write', 'deals:read', 'deals:write']);
  });

  it('gets and reuses a client-credentials token for a service', async () => {
    const source = createClientCredentialsTokenSource({
      tokenUrl: tokenUrlOf({ OIDC_ISSUER: issuer }),
      clientId: 'workflow-service',
      clientSecret: 'workflow-service-secret',
    });
    const first = await source.getToken();
    expect(await source.getToken()).toBe(first);
    const principal = await verifier.verify(first);
    expect(principal.roles).toEqual(['crm-service']);
    expect(decodeClaims(first).azp).toBe('workflow-service');
  });

  const rejects = (promise: Promise<unknown>) =>
    expect(promise).rejects.toMatchObject({ code: 'UNAUTHENTICATED' } satisfies Partial<ServiceError>);

  it('rejects an expired token', async () => {
    const token = await userToken('acme-rep1');
    const exp = decodeClaims(token).exp as number;
    const later = createTokenVerifier({ ...options, now: () => new Date((exp + 60) * 1000) });
    await rejects(later.verify(token));
  });

  it('rejects a token for another audience', async () => {
    await rejects(createTokenVerifier({ ...options, audience: 'some-other-api' }).verify(await userToken('acme-rep1')));
  });

  it('rejects a token from another issuer', async () => {
    await rejects(
      createTokenVerifier({ ...options, issuer: 'http://127.0.0.1:8180/realms/other' }).verify(
        await userToken('acme-rep1'),
      ),
    );
  });

  it('rejects an alg:none token', async () => {
    const claims = decodeClaims(await userToken('acme-admin'));
    const unsigned = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.`;
    await rejects(verifier.verify(unsigned));
  });

  it('rejects a tampered token', async () => {
    const [header, , signature] = (await userToken('acme-rep1')).split('.');
    const claims = { ...decodeClaims(await userToken('acme-rep1')), realm_access: { roles: ['crm-admin'] } };
    await rejects(
      verifier.verify(`${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${signature}`),
    );
  });

  it('rejects a token signed by a key the realm does not publish', async () => {
    const { privateKey } = await generateKeyPair('RS256');
    const claims = decodeClaims(await userToken('acme-rep1'));
    const forged = await new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: 'attacker' }).sign(privateKey);
    await rejects(verifier.verify(forged));
  });

  it('pins RS256: an HS256 token is rejected even with a matching key set', async () => {
    const secret = new TextEncoder().encode('a-shared-secret-of-at-least-32-bytes!!');
    const jwk = { ...(await exportJWK(secret)), kid: 'hs', alg: 'HS256' };
    const local = createTokenVerifier({ ...options, keySet: createLocalJWKSet({ keys: [jwk] }) });
    const token = await new SignJWT({ sub: 'x', tenant: 'acme', realm_access: { roles: ['crm-admin'] } })
      .setProtectedHeader({ alg: 'HS256', kid: 'hs' })
      .setIssuer(issuer)
      .setAudience('crm-api')
      .setExpirationTime('5m')
      .sign(secret);
    await rejects(local.verify(token));
  });
});
