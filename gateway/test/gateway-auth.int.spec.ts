import { SignJWT, decodeProtectedHeader, generateKeyPair } from 'jose';
import { clientToken, decodeClaims, userToken, type DemoUser } from '@crm/testkit';
import { GatewayStack, type GatewayClient } from './support/gateway-stack';

const stack = new GatewayStack();
beforeAll(() => stack.start({ pipeline: true }), 90_000);
afterAll(() => stack.stop());

const expect401 = (res: { status: number; headers: Headers }, error = true) => {
  expect(res.status).toBe(401);
  expect(res.headers.get('www-authenticate')).toBe(
    error ? 'Bearer realm="crm", error="invalid_token"' : 'Bearer realm="crm"',
  );
  expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
};

describe('bad tokens are 401 with WWW-Authenticate', () => {
  it('no token, a malformed header', async () => {
    expect401(await stack.api.get('/api/v1/me'), false);
    expect401(await stack.api.get('/api/v1/me', undefined, { authorization: 'Basic YWRtaW46YWRtaW4=' }));
  });

  it('a forged token: same claims and key id, signed with another key', async () => {
    const real = await userToken('acme-admin');
    const { kid } = decodeProtectedHeader(real);
    const { privateKey } = await generateKeyPair('RS256');
    const forged = await new SignJWT(decodeClaims(real))
      .setProtectedHeader({ alg: 'RS256', kid: kid ?? 'x', typ: 'JWT' })
      .sign(privateKey);
    expect401(await stack.api.get('/api/v1/me', forged));
  });

  it('alg: none', async () => {
    const claims = decodeClaims(await userToken('acme-admin'));
    const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const unsigned = `${encode({ alg: 'none', typ: 'JWT' })}.${encode(claims)}.`;
    expect401(await stack.api.get('/api/v1/me', unsigned));
  });

  it('an HS256 token (algorithm confusion)', async () => {
    const claims = decodeClaims(await userToken('acme-admin'));
    const hs = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256' })
      .sign(new TextEncoder().encode('x'.repeat(32)));
    expect401(await stack.api.get('/api/v1/me', hs));
  });

  it('an expired token: a real token on a gateway whose clock is 10 minutes ahead', async () => {
    const later = await stack.startGateway({}, { verifierNow: () => new Date(Date.now() + 10 * 60_000) });
    const token = await userToken('acme-rep1');
    expect((await stack.api.get('/api/v1/me', token)).status).toBe(200);
    expect401(await stack.clientOf(later).get('/api/v1/me', token));
  });
});

describe('/me', () => {
  it('describes the principal from the token', async () => {
    const res = await stack.api.get('/api/v1/me', await userToken('acme-manager'));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      tenantId: 'acme',
      roles: ['sales-manager'],
      teamIds: ['acme-east'],
      clientId: 'crm-cli',
      permissions: { dealsRead: true, admin: false },
    });
  });
});

type Caller = DemoUser | 'acme-partner';
const token = (caller: Caller) => (caller === 'acme-partner' ? clientToken('acme-partner') : userToken(caller));

/** A route and a request that reaches the service when allowed (so allowed means: not 401/403). */
interface Probe {
  name: string;
  call: (api: GatewayClient, token: string) => Promise<{ status: number }>;
}

const probes: Record<string, Probe> = {
  listContacts: { name: 'GET /contacts', call: (api, t) => api.get('/api/v1/contacts', t) },
  createContact: {
    name: 'POST /contacts',
    call: (api, t) =>
      api.post('/api/v1/contacts', t, { firstName: 'Role', lastName: Math.random().toString(36).slice(2) }),
  },
  listCompanies: { name: 'GET /companies', call: (api, t) => api.get('/api/v1/companies', t) },
  exportContact: { name: 'GET /contacts/{id}/export', call: (api, t) => api.get('/api/v1/contacts/none/export', t) },
  eraseContact: { name: 'POST /contacts/{id}/erase', call: (api, t) => api.post('/api/v1/contacts/none/erase', t) },
  mergeContacts: {
    name: 'POST /contacts/{id}/merge',
    call: (api, t) => api.post('/api/v1/contacts/none/merge', t, { sourceId: 'other' }),
  },
  listImports: { name: 'GET /imports', call: (api, t) => api.get('/api/v1/imports', t) },
  readCustomFields: {
    name: 'GET /custom-fields/contact',
    call: (api, t) => api.get('/api/v1/custom-fields/contact', t),
  },
  writeCustomFields: {
    name: 'PUT /custom-fields/contact',
    call: (api, t) =>
      api.request('PUT', '/api/v1/custom-fields/contact', {
        token: t,
        body: { definitions: [] },
        headers: { 'if-match': '"999"' },
      }),
  },
  listDeals: { name: 'GET /deals', call: (api, t) => api.get('/api/v1/deals', t) },
  createPipeline: {
    name: 'POST /pipelines',
    call: (api, t) => api.post('/api/v1/pipelines', t, { name: `P${Math.random().toString(36).slice(2)}` }),
  },
  board: { name: 'GET /pipelines/default/board', call: (api, t) => api.get('/api/v1/pipelines/default/board', t) },
  forecast: { name: 'GET /forecast', call: (api, t) => api.get('/api/v1/forecast?from=2025-01-01&to=2025-03-31', t) },
};

// What each role may call; every probe not listed for a caller must be 403.
const allowed: Record<Caller, string[]> = {
  'acme-admin': Object.keys(probes),
  'acme-manager': [
    'listContacts',
    'createContact',
    'listCompanies',
    'exportContact',
    'mergeContacts',
    'listImports',
    'readCustomFields',
    'listDeals',
    'board',
    'forecast',
  ],
  'acme-rep1': [
    'listContacts',
    'createContact',
    'listCompanies',
    'mergeContacts',
    'readCustomFields',
    'listDeals',
    'board',
    'forecast',
  ],
  'acme-support-lead': ['listContacts', 'createContact', 'listCompanies', 'readCustomFields'],
  'acme-agent1': ['listContacts', 'createContact', 'listCompanies', 'readCustomFields'],
  'acme-partner': ['listContacts', 'createContact', 'listCompanies', 'readCustomFields', 'listDeals', 'board'],
  'acme-rep2': [],
  'acme-rep3': [],
  'globex-admin': [],
  'globex-rep1': [],
};

describe('authorisation by function', () => {
  const callers = (Object.keys(allowed) as Caller[]).filter((c) => allowed[c].length > 0);
  it.each(callers)('%s gets its routes and 403 on the others', async (caller) => {
    const t = await token(caller);
    const outcome: Record<string, 'allowed' | 'denied'> = {};
    for (const [key, probe] of Object.entries(probes)) {
      const res = await probe.call(stack.api, t);
      expect(res.status).not.toBe(401);
      outcome[key] = res.status === 403 ? 'denied' : 'allowed';
    }
    const expected = Object.fromEntries(
      Object.keys(probes).map((k) => [k, allowed[caller].includes(k) ? 'allowed' : 'denied']),
    );
    expect(outcome).toEqual(expected);
  });

  it('a partner reaches deals through its deals:read scope, but not the forecast (people only)', async () => {
    const partner = decodeClaims(await clientToken('acme-partner'));
    expect(String(partner.scope)).toContain('deals:read');
    expect((await stack.api.get('/api/v1/deals', await clientToken('acme-partner'))).status).toBe(200);
    expect(
      (await stack.api.get('/api/v1/forecast?from=2025-01-01&to=2025-03-31', await clientToken('acme-partner'))).status,
    ).toBe(403);
  });
});
