// Regressions for what fuzzing the API found (issue 15): each answered 500 or broke its connection.
import { request as httpRequest } from 'node:http';
import { userToken } from '@crm/testkit';
import { GatewayStack } from './support/gateway-stack';

const stack = new GatewayStack();
let admin: string;

beforeAll(async () => {
  await stack.start({ pipeline: true });
  admin = await userToken('acme-admin');
}, 120_000);
afterAll(() => stack.stop());

interface RawAnswer {
  status: number;
  body: string;
}

/** One request over a plain socket, so a reset or a cut chunked stream shows as an error instead of being retried. */
function rawRequest(method: string, path: string, headers: Record<string, string>, body?: Buffer): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port: stack.gateway.port, method, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('PUT /api/v1/custom-fields/{entity}', () => {
  const put = (definitions: unknown[]) =>
    stack.api.request('PUT', '/api/v1/custom-fields/contact', {
      token: admin,
      body: { definitions },
      headers: { 'if-match': '*' },
    });

  it.each([
    [
      'a maxLength beyond any int32',
      { key: 'big', label: 'Big', type: 'text', maxLength: 1e20 },
      'definitions[0].maxLength',
    ],
    [
      'a min beyond any double the store keeps',
      { key: 'huge', label: 'Huge', type: 'number', min: -1.7e308, max: 1.7e308 },
      undefined,
    ],
    ['a label of lone surrogates', { key: 'odd', label: '\ud800\udfff\ud800', type: 'text' }, 'definitions[0].label'],
    ['a label with NUL', { key: 'nul', label: 'a\u0000b', type: 'text' }, 'definitions[0].label'],
  ])('answers a definition with %s without a 500', async (_what, definition, field) => {
    const res = await put([definition]);
    expect(res.status).toBeLessThan(500);
    if (field) {
      expect(res.status).toBe(400);
      expect((res.body as { errors: Array<{ field: string }> }).errors.map((e) => e.field)).toContain(field);
    }
  });
});

describe('GET /api/v1/exports', () => {
  it('answers 400 naming teamId for a NUL in it, as a whole response', async () => {
    const res = await rawRequest('GET', '/api/v1/exports?entity=company&teamId=%00', {
      authorization: `Bearer ${admin}`,
    });
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body).errors).toEqual([expect.objectContaining({ field: 'teamId' })]);
  });
});

describe('POST /api/v1/imports', () => {
  it('answers a query longer than the server reads with 431 and a clean close, not a reset', async () => {
    const mapping = encodeURIComponent(
      JSON.stringify(Array.from({ length: 2000 }, (_, i) => ({ column: `c${i}`, field: 'email' }))),
    );
    expect(mapping.length).toBeGreaterThan(60_000);
    const boundary = 'fuzzboundary';
    const body = Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="entity"\r\n\r\ncontact\r\n` +
        `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.csv"\r\nContent-Type: text/csv\r\n\r\n` +
        `email\n${'x@example.test\n'.repeat(20_000)}\r\n--${boundary}--\r\n`,
    );
    const res = await rawRequest(
      'POST',
      `/api/v1/imports?mapping=${mapping}`,
      {
        authorization: `Bearer ${admin}`,
        'content-type': `multipart/form-data; boundary=${boundary}`,
        'content-length': String(body.length),
      },
      body,
    );
    expect(res.status).toBe(431);
    expect(res.body).toContain('too large');
  });

  it('documents a query mapping no longer than the server reads', () => {
    const op = stack.gateway.document.paths?.['/api/v1/imports']?.post as {
      parameters: Array<{ name: string; schema: { maxLength?: number } }>;
    };
    const mapping = op.parameters.find((p) => p.name === 'mapping');
    expect(mapping?.schema.maxLength).toBeLessThanOrEqual(8000);
  });
});
