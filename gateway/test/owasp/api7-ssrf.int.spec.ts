// OWASP API7:2023 Server Side Request Forgery. The inventory of every input that can hold a URL or host name comes
// from the document (by format or by name); each one must be known here with what the platform does with it. None
// is fetched today: a value pointing at a listener on loopback (and at cloud metadata and private addresses, which
// are never connected to) is stored as text and the listener sees no connection. A new URL-taking input fails the
// inventory until it is classified here, and one that the platform fetches must then get a refusal test.
import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { GatewayStack } from '../support/gateway-stack';
import { call, operationsOf, tokenOf, unique } from './support/owasp-stack';

const stack = new GatewayStack();
let listener: Server;
let connections = 0;
beforeAll(async () => {
  await stack.start();
  listener = createServer((socket) => {
    connections++;
    socket.destroy();
  });
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
}, 120_000);
afterAll(async () => {
  await stack.stop();
  listener.close();
});

type Schema = { $ref?: string; properties?: Record<string, Schema>; items?: Schema; format?: string; anyOf?: Schema[] };
const URLISH = /url|uri|website|webhook|callback|endpoint|domain|host|link/i;

/** "METHOD path property" for every request-body property that can carry a URL or host. */
function urlInputs(): string[] {
  const schemas = (stack.gateway.document.components?.schemas ?? {}) as Record<string, Schema>;
  const found = new Set<string>();
  const walk = (schema: Schema | undefined, where: string, depth: number) => {
    if (!schema || depth > 6) return;
    if (schema.$ref) return walk(schemas[schema.$ref.split('/').pop() as string], where, depth + 1);
    for (const s of schema.anyOf ?? []) walk(s, where, depth + 1);
    if (schema.items) walk(schema.items, where, depth + 1);
    for (const [name, prop] of Object.entries(schema.properties ?? {})) {
      if (URLISH.test(name) || prop.format === 'uri' || prop.format === 'url') found.add(`${where} ${name}`);
      walk(prop, where, depth + 1);
    }
  };
  const paths = stack.gateway.document.paths as Record<
    string,
    Record<string, { requestBody?: { content?: Record<string, { schema?: Schema }> } }>
  >;
  for (const op of operationsOf(stack)) {
    for (const media of Object.values(paths[op.path]?.[op.method]?.requestBody?.content ?? {}))
      walk(media.schema, `${op.method.toUpperCase()} ${op.path}`, 0);
  }
  return [...found].sort();
}

/** What the platform does with each URL-taking input. */
const KNOWN: Record<string, 'stored as text, never fetched'> = {
  'PATCH /api/v1/companies/{id} domain': 'stored as text, never fetched',
  'PATCH /api/v1/companies/{id} website': 'stored as text, never fetched',
  'POST /api/v1/companies domain': 'stored as text, never fetched',
  'POST /api/v1/companies website': 'stored as text, never fetched',
};

it('knows every input of the document that can carry a URL or host name', () => {
  expect(urlInputs()).toEqual(Object.keys(KNOWN).sort());
});

it('stores URLs aimed at loopback, cloud metadata and private ranges without connecting to any of them', async () => {
  const rep = await tokenOf('acme-rep1');
  const here = `http://127.0.0.1:${(listener.address() as AddressInfo).port}/probe`;
  const targets = [
    here,
    'http://169.254.169.254/latest/meta-data/',
    'http://10.0.0.1/',
    'http://[::1]:1/',
    'file:///etc/passwd',
  ];
  for (const website of targets) {
    const res = await call(
      stack,
      { method: 'post', path: '/api/v1/companies' },
      rep,
      {},
      { name: `Ssrf ${unique()}`, website, domain: website },
    );
    expect([201, 400]).toContain(res.status);
    if (res.status === 201) {
      const id = (res.body as { id: string }).id;
      const read = await stack.api.get(`/api/v1/companies/${id}`, rep);
      expect((read.body as { website: string }).website).toBe(website);
    }
  }
  // Anything that fetched on its own (enrichment, previews, webhooks) would have reached the listener by now.
  await sleep(1500);
  expect(connections).toBe(0);
});
