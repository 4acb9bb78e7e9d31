// The gateway serving the web app's build at "/": client routes get index.html, hashed assets are cached for a
// year, everything else is revalidated, and every app response carries the Content-Security-Policy.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { infraEnv } from '@crm/testkit';
import { GatewayStack, type GatewayClient } from './support/gateway-stack';

const INDEX =
  '<!doctype html><html><head><script type="module" src="/assets/index-1a2b3c4d.js"></script></head><body><div id="root"></div></body></html>';

function fakeBuild(): string {
  const dir = mkdtempSync(join(tmpdir(), 'crm-web-dist-'));
  mkdirSync(join(dir, 'assets'));
  writeFileSync(join(dir, 'index.html'), INDEX);
  writeFileSync(join(dir, 'assets', 'index-1a2b3c4d.js'), 'console.log("app")');
  writeFileSync(join(dir, 'sw.js'), 'self.addEventListener("fetch", () => {})');
  writeFileSync(join(dir, 'manifest.webmanifest'), '{"name":"CRM"}');
  return dir;
}

describe('gateway: the web app at /', () => {
  const stack = new GatewayStack();
  let api: GatewayClient;
  const html = { accept: 'text/html,application/xhtml+xml' };

  beforeAll(async () => {
    await stack.start({ gatewayEnv: { WEB_DIST_DIR: fakeBuild(), WEB_OIDC_CLIENT_ID: 'crm-web' } });
    api = stack.api;
  });
  afterAll(() => stack.stop());

  it('answers client routes with index.html, revalidated, under a strict Content-Security-Policy', async () => {
    for (const path of ['/', '/contacts', '/deals/01abc?pipeline=x']) {
      const answer = await api.get(path, undefined, html);
      expect(answer.status).toBe(200);
      expect(answer.headers.get('content-type')).toMatch(/^text\/html/);
      expect(answer.text).toBe(INDEX);
      expect(answer.headers.get('cache-control')).toBe('no-cache');
      const csp = answer.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("script-src 'self';");
      expect(csp).toContain("style-src 'self';");
      expect(csp).toContain(`connect-src 'self' ${new URL(infraEnv().issuer).origin};`);
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).not.toContain('unsafe-inline');
      expect(csp).not.toContain('unsafe-eval');
    }
  });

  it('caches fingerprinted assets for a year and revalidates the service worker and manifest', async () => {
    const asset = await api.get('/assets/index-1a2b3c4d.js');
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-type')).toMatch(/javascript/);
    expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    for (const path of ['/sw.js', '/manifest.webmanifest']) {
      const answer = await api.get(path);
      expect(answer.status).toBe(200);
      expect(answer.headers.get('cache-control')).toBe('no-cache');
    }
    const missing = await api.get('/assets/index-ffffffff.js', undefined, html);
    expect(missing.status).toBe(404);
    expect(missing.text).not.toBe(INDEX);
  });

  it('tells the app where to sign in', async () => {
    const config = await api.get('/app-config.json');
    expect(config.status).toBe(200);
    expect(config.headers.get('cache-control')).toBe('no-cache');
    expect(config.body).toEqual({ oidc: { authority: infraEnv().issuer, clientId: 'crm-web' } });
  });

  it('leaves the API, the docs and health to themselves', async () => {
    const unknown = await api.get('/api/v1/no-such-thing', undefined, html);
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const docs = await api.get('/docs', undefined, html);
    expect(docs.status).toBe(200);
    expect(docs.text).toContain('swagger-ui');
    const live = await api.get('/livez');
    expect(live.status).toBe(200);
    const notHtml = await api.get('/favicon.ico', undefined, { accept: 'image/*' });
    expect(notHtml.status).toBe(404);
  });

  it('serves no app when there is no build, and the API works the same', async () => {
    const bare = await stack.startGateway({ WEB_DIST_DIR: mkdtempSync(join(tmpdir(), 'crm-web-empty-')) });
    const client = stack.clientOf(bare);
    expect((await client.get('/', undefined, html)).status).toBe(404);
    expect((await client.get('/livez')).status).toBe(200);
  });
});
