import { validate } from '@readme/openapi-parser';
import type { Express } from 'express';
import { GatewayStack } from './support/gateway-stack';

const stack = new GatewayStack();
beforeAll(() => stack.start(), 60_000);
afterAll(() => stack.stop());

interface Layer {
  route?: { path: string; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
}

/** Every (METHOD path) the express app serves, from its router stack, in OpenAPI path form. */
function expressOperations(app: Express): Set<string> {
  const operations = new Set<string>();
  const walk = (layers: Layer[]) => {
    for (const layer of layers) {
      if (layer.route) {
        for (const method of Object.keys(layer.route.methods))
          operations.add(`${method.toUpperCase()} ${layer.route.path.replace(/:([A-Za-z0-9_]+)/g, '{$1}')}`);
      } else if (layer.handle?.stack) walk(layer.handle.stack);
    }
  };
  walk((app as unknown as { router: { stack: Layer[] } }).router.stack);
  return operations;
}

describe('the OpenAPI document', () => {
  it('is served and passes an independent OpenAPI 3.1 validator', async () => {
    const res = await stack.api.get('/api/v1/openapi.json');
    expect(res.status).toBe(200);
    const document = res.body as { openapi: string; paths: Record<string, unknown> };
    expect(document.openapi).toBe('3.1.0');
    const result = await validate(structuredClone(document) as never);
    expect(result.valid ? [] : result.errors).toEqual([]);
    expect(result.specification).toBe('OpenAPI');
  });

  it('lists exactly the routes express serves, both ways', async () => {
    const document = (await stack.api.get('/api/v1/openapi.json')).body as {
      paths: Record<string, Record<string, unknown>>;
    };
    const documented = new Set(
      Object.entries(document.paths).flatMap(([path, item]) =>
        Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`),
      ),
    );
    const served = expressOperations(stack.gateway.app);
    // The docs UI is express's, not the API's.
    for (const docsRoute of ['GET /docs', 'GET /docs/', 'GET /docs/docs-init.js']) served.delete(docsRoute);
    expect([...served].filter((op) => !documented.has(op))).toEqual([]);
    expect([...documented].filter((op) => !served.has(op))).toEqual([]);
    expect(served.size).toBeGreaterThan(40);
  });

  it('documents bodies from the validating schemas: strict inputs, problem responses', async () => {
    const document = (await stack.api.get('/api/v1/openapi.json')).body as {
      components: { schemas: Record<string, { additionalProperties?: boolean; properties?: Record<string, unknown> }> };
      paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, unknown> }> }>>;
    };
    const create = document.components.schemas.ContactCreate;
    expect(create?.additionalProperties).toBe(false);
    expect(Object.keys(create?.properties ?? {})).not.toContain('tenantId');
    expect(document.paths['/api/v1/contacts/{id}']?.patch?.responses['412']?.content).toHaveProperty([
      'application/problem+json',
    ]);
  });

  it('serves browsable docs from local assets', async () => {
    const page = await stack.api.get('/docs');
    expect(page.status).toBe(200);
    expect(page.text).toContain('/docs/swagger-ui-bundle.js');
    expect(page.text).not.toMatch(/https?:\/\//);
    const bundle = await stack.api.get('/docs/swagger-ui-bundle.js');
    expect(bundle.status).toBe(200);
    expect(bundle.text.length).toBeGreaterThan(100_000);
    expect((await stack.api.get('/docs/docs-init.js')).text).toContain('/api/v1/openapi.json');
  });

  it('answers /livez and /readyz on the API port', async () => {
    expect((await stack.api.get('/livez')).status).toBe(200);
    const ready = await stack.api.get('/readyz');
    expect(ready.status).toBe(200);
    expect(ready.body).toEqual({ status: 'checked', checks: { nats: 'ok', keycloak: 'ok' } });
  });

  it('answers CORS preflights for allowed origins only', async () => {
    const api = stack.clientOf(await stack.startGateway({ CORS_ORIGINS: 'http://app.example.test' }));
    const preflight = (origin: string) =>
      api.request('OPTIONS', '/api/v1/contacts', {
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'authorization,content-type,idempotency-key',
        },
      });
    const allowed = await preflight('http://app.example.test');
    expect(allowed.headers.get('access-control-allow-origin')).toBe('http://app.example.test');
    expect(allowed.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('idempotency-key');
    const refused = await preflight('http://evil.example.test');
    expect(refused.headers.get('access-control-allow-origin')).toBeNull();
    const simple = await api.get('/livez', undefined, { origin: 'http://app.example.test' });
    expect(simple.headers.get('access-control-expose-headers')).toContain('ETag');
  });
});
