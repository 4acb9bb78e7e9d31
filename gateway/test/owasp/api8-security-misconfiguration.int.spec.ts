// OWASP API8:2023 Security Misconfiguration: security headers on every kind of answer, CORS only for configured
// origins, no stack traces or framework banners, only documented methods, and settings ready for TLS in front.
import { request } from 'node:http';
import { GatewayStack, type GatewayClient } from '../support/gateway-stack';
import { tokenOf } from './support/owasp-stack';

const stack = new GatewayStack();
let withCors: GatewayClient;
const ORIGIN = 'https://app.crm.example';
beforeAll(async () => {
  await stack.start();
  withCors = stack.clientOf(await stack.startGateway({ CORS_ORIGINS: ORIGIN }));
}, 120_000);
afterAll(() => stack.stop());

function expectSecurityHeaders(headers: Headers) {
  expect(headers.get('x-content-type-options')).toBe('nosniff');
  expect(headers.get('strict-transport-security')).toMatch(/max-age=\d{7,}/);
  expect(headers.get('x-frame-options')).toBe('SAMEORIGIN');
  expect(headers.get('content-security-policy')).toMatch(/default-src 'self'/);
  expect(headers.get('referrer-policy')).toBe('no-referrer');
  expect(headers.get('x-powered-by')).toBeNull();
  expect(headers.get('server')).toBeNull();
}

it('sends the security headers on success, on errors and on unknown routes', async () => {
  const token = await tokenOf('acme-rep1');
  for (const res of [
    await stack.api.get('/api/v1/me', token),
    await stack.api.get('/api/v1/me'),
    await stack.api.get('/api/v1/nothing-here', token),
    await stack.api.get('/api/v1/openapi.json'),
  ])
    expectSecurityHeaders(res.headers);
});

it('answers CORS only for configured origins, and never with credentials for any origin', async () => {
  const preflight = (client: GatewayClient, origin: string) =>
    client.request('OPTIONS', '/api/v1/contacts', {
      headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization' },
    });
  const allowed = await preflight(withCors, ORIGIN);
  expect(allowed.headers.get('access-control-allow-origin')).toBe(ORIGIN);
  expect(allowed.headers.get('access-control-allow-credentials')).toBeNull();
  const other = await preflight(withCors, 'https://evil.example');
  expect(other.headers.get('access-control-allow-origin')).toBeNull();
  // The default configuration allows no cross-origin caller at all.
  expect((await preflight(stack.api, ORIGIN)).headers.get('access-control-allow-origin')).toBeNull();
});

it('malformed input gets a problem without stack traces or parser internals', async () => {
  const token = await tokenOf('acme-rep1');
  const answers = [
    await stack.api.request('POST', '/api/v1/contacts', {
      token,
      raw: '{"firstName": ',
      headers: { 'content-type': 'application/json' },
    }),
    await stack.api.request('POST', '/api/v1/contacts', {
      token,
      raw: '<xml/>',
      headers: { 'content-type': 'application/xml' },
    }),
    await stack.api.get('/api/v1/contacts/%E0%A4%A', token),
    await stack.api.get('/api/v1/contacts?limit=abc', token),
  ];
  for (const res of answers) {
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(res.text).not.toMatch(/\bat .+:\d+:\d+|node_modules|SyntaxError|Unexpected token|express|body-parser/);
  }
});

it('refuses undocumented methods with 405 and Allow, TRACE included', async () => {
  const trace = await new Promise<number>((resolve, reject) =>
    request({ host: '127.0.0.1', port: stack.gateway.port, method: 'TRACE', path: '/api/v1/contacts' }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    })
      .on('error', reject)
      .end(),
  );
  expect(trace).toBe(405);
  const put = await stack.api.request('PUT', '/api/v1/contacts', { token: await tokenOf('acme-rep1') });
  expect(put.status).toBe(405);
  expect(put.headers.get('allow')).toMatch(/GET/);
});

it('keeps metrics and operational endpoints off the public port', async () => {
  // Files and operational names are 404. Where the web app is built, a name that could be one of its client routes
  // (/admin) loads the app's page, which holds nothing but the app's shell.
  for (const path of ['/metrics', '/.env', '/backup.sql'])
    expect({ path, status: (await stack.api.get(path)).status }).toEqual({ path, status: 404 });
  for (const path of ['/debug', '/admin', '/env', '/api/v1/../../etc/passwd']) {
    const res = await stack.api.get(path);
    const shell =
      res.status === 200 && /text\/html/.test(res.headers.get('content-type') ?? '') && /id="root"/.test(res.text);
    expect({ path, answer: res.status === 404 || shell }).toEqual({ path, answer: true });
    expect(res.text).not.toMatch(/# (HELP|TYPE)|process_cpu|NODE_ENV|SECRET/);
  }
  const admin = await fetch(`http://127.0.0.1:${stack.gateway.adminPort}/metrics`);
  expect(admin.status).toBe(200);
});

it('is ready for TLS in front: HSTS is sent and nothing redirects or links to plain http', async () => {
  const res = await stack.api.get('/docs');
  expect(res.status).toBe(200);
  expect(res.text).not.toMatch(/http:\/\//);
  expect(res.headers.get('strict-transport-security')).toMatch(/includeSubDomains/);
});
