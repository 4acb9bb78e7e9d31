// OWASP API7:2023 Server Side Request Forgery. The inventory of every input that can hold a URL or host name comes
// from the document (by format or by name); each one must be known here with what the platform does with it. Most
// are stored as text and never fetched: a value pointing at a listener on loopback (and at cloud metadata and private
// addresses, which are never connected to) is stored and the listener sees no connection. The one the platform
// fetches, a webhook endpoint's URL, is refused at save unless it is public https (the delivery checks the resolved
// address again). A new URL-taking input fails the inventory until it is classified here.
import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { GatewayStack } from '../support/gateway-stack';
import { call, operationsOf, tokenOf, unique } from './support/owasp-stack';

const stack = new GatewayStack();
let listener: Server;
let connections = 0;
beforeAll(async () => {
  // The workflow service as in production: no plain http, no loopback receivers.
  await stack.start({ pipeline: true, ticket: true, workflow: { WORKFLOW_MODE: 'production' } });
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
const KNOWN: Record<string, 'stored as text, never fetched' | 'fetched: public https only'> = {
  'PATCH /api/v1/companies/{id} domain': 'stored as text, never fetched',
  'PATCH /api/v1/companies/{id} website': 'stored as text, never fetched',
  'POST /api/v1/companies domain': 'stored as text, never fetched',
  'POST /api/v1/companies website': 'stored as text, never fetched',
  // An attachment's metadata: the file lives wherever the client put it; the platform only shows the link.
  'POST /api/v1/tickets/{id}/comments url': 'stored as text, never fetched',
  'PATCH /api/v1/webhook-endpoints/{id} url': 'fetched: public https only',
  'POST /api/v1/webhook-endpoints url': 'fetched: public https only',
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

it('refuses webhook URLs aimed at loopback, cloud metadata, private ranges or other schemes, naming url', async () => {
  const admin = await tokenOf('acme-admin');
  const here = `https://127.0.0.1:${(listener.address() as AddressInfo).port}/hook`;
  const targets = [
    here,
    `http://127.0.0.1:${(listener.address() as AddressInfo).port}/hook`,
    'https://169.254.169.254/latest/meta-data/',
    'https://10.0.0.1/hook',
    'https://[::1]/hook',
    'https://[fd00::1]/hook',
    'https://localhost/hook',
    'file:///etc/passwd',
    'http://hooks.example.com/plain-http',
  ];
  const refused: string[] = [];
  for (const url of targets) {
    const res = await call(
      stack,
      { method: 'post', path: '/api/v1/webhook-endpoints' },
      admin,
      {},
      {
        url,
        eventTypes: ['deal.won'],
      },
    );
    const named = ((res.body as { errors?: Array<{ field: string }> }).errors ?? []).some((e) => e.field === 'url');
    if (res.status === 400 && named) refused.push(url);
  }
  expect(refused).toEqual(targets);
  // A public https URL is taken: the refusals above are about the address, not about webhooks in general.
  const ok = await call(
    stack,
    { method: 'post', path: '/api/v1/webhook-endpoints' },
    admin,
    {},
    {
      url: 'https://hooks.example.com/crm',
      eventTypes: ['deal.won'],
    },
  );
  expect(ok.status).toBe(201);
  await sleep(1500);
  expect(connections).toBe(0);
});

it("stores a ticket attachment's URL as text without fetching it", async () => {
  const agent = await tokenOf('acme-agent1');
  const here = `https://127.0.0.1:${(listener.address() as AddressInfo).port}/file.pdf`;
  const ticket = await call(
    stack,
    { method: 'post', path: '/api/v1/tickets' },
    agent,
    {},
    {
      subject: `Ssrf ${unique()}`,
      requesterEmail: `ssrf-${unique()}@example.test`,
    },
  );
  expect(ticket.status).toBe(201);
  const id = (ticket.body as { id: string }).id;
  const comment = await call(
    stack,
    { method: 'post', path: '/api/v1/tickets/{id}/comments' },
    agent,
    { id },
    {
      body: 'see attached',
      public: false,
      attachments: [{ name: 'file.pdf', sizeBytes: 10, contentType: 'application/pdf', url: here }],
    },
  );
  expect(comment.status).toBe(201);
  const list = await stack.api.get(`/api/v1/tickets/${id}/comments`, agent);
  const urls = (list.body as { data: Array<{ attachments: Array<{ url: string }> }> }).data.flatMap((c) =>
    c.attachments.map((a) => a.url),
  );
  expect(urls).toContain(here);
  await sleep(1500);
  expect(connections).toBe(0);
});
