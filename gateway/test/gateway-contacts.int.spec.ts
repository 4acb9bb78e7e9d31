import { userToken, clientToken, decodeClaims } from '@crm/testkit';
import { GatewayStack } from './support/gateway-stack';

interface ContactBody {
  id: string;
  version: number;
  firstName: string;
  lastName: string;
  title: string;
  tags: string[];
  ownerId: string;
  customFields: Record<string, unknown> | null;
}
interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail?: string;
  errors?: Array<{ field: string; detail: string }>;
  existingId?: string;
}

const stack = new GatewayStack();
let rep1: string;
let rep3: string;
let manager: string;
let globex: string;

beforeAll(async () => {
  await stack.start();
  [rep1, rep3, manager, globex] = await Promise.all([
    userToken('acme-rep1'),
    userToken('acme-rep3'),
    userToken('acme-manager'),
    userToken('globex-admin'),
  ]);
});
afterAll(() => stack.stop());

const unique = () => Math.random().toString(36).slice(2, 10);
const createContact = async (token: string, body: Record<string, unknown> = {}) => {
  const res = await stack.api.post('/api/v1/contacts', token, {
    firstName: 'Ada',
    lastName: `L${unique()}`,
    emails: [{ address: `${unique()}@example.test` }],
    ...body,
  });
  expect(res.status).toBe(201);
  return res;
};

describe('contacts through the gateway', () => {
  it('creates, reads with an ETag, and lists as {data, nextCursor}', async () => {
    const created = await createContact(rep1, { title: 'CTO', tags: ['a'] });
    const contact = created.body as ContactBody;
    expect(created.headers.get('etag')).toBe(`"${contact.version}"`);
    expect(created.headers.get('location')).toBe(`/api/v1/contacts/${contact.id}`);
    expect(contact.ownerId).toBe(decodeClaims(rep1).sub);

    const read = await stack.api.get(`/api/v1/contacts/${contact.id}`, rep1);
    expect(read.status).toBe(200);
    expect(read.headers.get('etag')).toBe(`"${contact.version}"`);
    expect((read.body as ContactBody).title).toBe('CTO');

    const list = await stack.api.get('/api/v1/contacts?limit=1', rep1);
    expect(list.status).toBe(200);
    const page = list.body as { data: ContactBody[]; nextCursor: string | null };
    expect(page.data).toHaveLength(1);
    await createContact(rep1);
    const first = (await stack.api.get('/api/v1/contacts?limit=1', rep1)).body as {
      data: ContactBody[];
      nextCursor: string | null;
    };
    expect(first.nextCursor).not.toBeNull();
    const second = (
      await stack.api.get(`/api/v1/contacts?limit=1&cursor=${encodeURIComponent(first.nextCursor ?? '')}`, rep1)
    ).body as { data: ContactBody[] };
    expect(second.data[0]?.id).not.toBe(first.data[0]?.id);
  });

  it('PATCH merges, needs If-Match, and answers 412 to a stale one', async () => {
    const contact = (await createContact(rep1, { title: 'Engineer', tags: ['x', 'y'], customFields: {} }))
      .body as ContactBody;
    const path = `/api/v1/contacts/${contact.id}`;
    expect((await stack.api.patch(path, rep1, { title: 'Lead' })).status).toBe(428);

    const patched = await stack.api.patch(
      path,
      rep1,
      { title: 'Lead', tags: null },
      { 'if-match': `"${contact.version}"` },
    );
    expect(patched.status).toBe(200);
    const after = patched.body as ContactBody;
    expect(after.title).toBe('Lead');
    expect(after.tags).toEqual([]);
    expect(after.firstName).toBe('Ada');
    expect(after.version).toBeGreaterThan(contact.version);
    expect(patched.headers.get('etag')).toBe(`"${after.version}"`);

    const stale = await stack.api.patch(path, rep1, { title: 'Again' }, { 'if-match': `"${contact.version}"` });
    expect(stale.status).toBe(412);
    expect(stale.headers.get('content-type')).toMatch(/^application\/problem\+json/);

    const mergePatch = await stack.api.request('PATCH', path, {
      token: rep1,
      raw: JSON.stringify({ lastName: 'Lovelace' }),
      headers: { 'content-type': 'application/merge-patch+json', 'if-match': '*' },
    });
    expect(mergePatch.status).toBe(200);
    expect((mergePatch.body as ContactBody).lastName).toBe('Lovelace');
  });

  it('rejects mass assignment: server-owned fields, unknown fields, and an owner from a rep', async () => {
    for (const body of [
      { firstName: 'X', tenantId: 'globex' },
      { firstName: 'X', version: 7 },
      { firstName: 'X', isAdmin: true },
      { firstName: 'X', ownerId: decodeClaims(rep3).sub },
    ]) {
      const res = await stack.api.post('/api/v1/contacts', rep1, body);
      expect(res.status).toBe(400);
      const problem = res.body as ProblemBody;
      const field = Object.keys(body).find((k) => k !== 'firstName');
      expect(problem.errors?.map((e) => e.field)).toContain(field);
    }
    const contact = (await createContact(rep1)).body as ContactBody;
    const patch = await stack.api.patch(
      `/api/v1/contacts/${contact.id}`,
      rep1,
      { tenantId: 'globex' },
      { 'if-match': '*' },
    );
    expect(patch.status).toBe(400);
  });

  it('lets a manager assign an owner in the team', async () => {
    const rep1Id = String(decodeClaims(rep1).sub);
    const res = await stack.api.post('/api/v1/contacts', manager, {
      firstName: 'Team',
      lastName: unique(),
      ownerId: rep1Id,
      teamId: 'acme-east',
    });
    expect(res.status).toBe(201);
    expect((res.body as ContactBody).ownerId).toBe(rep1Id);
    expect((await stack.api.get(`/api/v1/contacts/${(res.body as ContactBody).id}`, rep1)).status).toBe(200);
  });

  it('lists the invalid fields a service reports, in camelCase', async () => {
    const res = await stack.api.post('/api/v1/contacts', rep1, {
      firstName: 'A',
      emails: [{ address: 'not-an-email' }],
    });
    expect(res.status).toBe(400);
    expect((res.body as ProblemBody).errors?.[0]?.field).toBe('emails[0].address');
  });

  it('answers a duplicate with 409 and the existing id', async () => {
    const address = `${unique()}@dup.test`;
    const first = (await createContact(rep1, { emails: [{ address }] })).body as ContactBody;
    const second = await stack.api.post('/api/v1/contacts', rep1, { firstName: 'B', emails: [{ address }] });
    expect(second.status).toBe(409);
    expect((second.body as ProblemBody).existingId).toBe(first.id);
  });

  it("hides records outside the caller's visibility as 404: rep3, another tenant", async () => {
    const contact = (await createContact(rep1)).body as ContactBody;
    const path = `/api/v1/contacts/${contact.id}`;
    expect((await stack.api.get(path, rep3)).status).toBe(404);
    expect((await stack.api.get(path, manager)).status).toBe(200);
    const foreign = await stack.api.get(path, globex);
    expect(foreign.status).toBe(404);
    expect((foreign.body as ProblemBody).status).toBe(404);
    expect((await stack.api.patch(path, rep3, { title: 'x' }, { 'if-match': '*' })).status).toBe(404);
    const rep3List = (await stack.api.get('/api/v1/contacts?limit=200', rep3)).body as { data: ContactBody[] };
    expect(rep3List.data.map((c) => c.id)).not.toContain(contact.id);
  });

  it('deletes with If-Match and restores', async () => {
    const contact = (await createContact(rep1)).body as ContactBody;
    const path = `/api/v1/contacts/${contact.id}`;
    const deleted = await stack.api.delete(path, rep1, { 'if-match': `"${contact.version}"` });
    expect(deleted.status).toBe(200);
    expect((await stack.api.get(path, rep1)).status).toBe(404);
    const restored = await stack.api.post(`${path}/restore`, rep1);
    expect(restored.status).toBe(200);
    expect((await stack.api.get(path, rep1)).status).toBe(200);
  });

  it('logs activities on the timeline, finds duplicates and merges', async () => {
    const target = (await createContact(rep1, { firstName: 'Grace', lastName: 'Hopper' })).body as ContactBody;
    const source = (await createContact(rep1, { firstName: 'Grace', lastName: 'Hopper' })).body as ContactBody;
    const activity = await stack.api.post(`/api/v1/contacts/${source.id}/activities`, rep1, {
      type: 'call',
      subject: 'Intro',
      call: { direction: 'outbound', durationSeconds: 60 },
    });
    expect(activity.status).toBe(201);
    const timeline = await stack.api.get(`/api/v1/contacts/${source.id}/activities?type=call`, rep1);
    expect((timeline.body as { data: Array<{ subject: string }> }).data.map((a) => a.subject)).toEqual(['Intro']);

    const duplicates = await stack.api.get(`/api/v1/contacts/${target.id}/duplicates`, rep1);
    expect(duplicates.status).toBe(200);
    expect((duplicates.body as { data: Array<{ contact: ContactBody }> }).data.map((d) => d.contact.id)).toContain(
      source.id,
    );

    const merged = await stack.api.post(`/api/v1/contacts/${target.id}/merge`, rep1, { sourceId: source.id });
    expect(merged.status).toBe(200);
    expect((merged.body as { activitiesMoved: number }).activitiesMoved).toBe(1);
    expect((await stack.api.get(`/api/v1/contacts/${source.id}`, rep1)).status).toBe(404);
  });

  it('exports (GDPR) and erases for an admin only', async () => {
    const admin = await userToken('acme-admin');
    const contact = (await createContact(rep1, { firstName: 'Erin' })).body as ContactBody;
    expect((await stack.api.get(`/api/v1/contacts/${contact.id}/export`, rep1)).status).toBe(403);
    const exported = await stack.api.get(`/api/v1/contacts/${contact.id}/export`, admin);
    expect(exported.status).toBe(200);
    expect(exported.text).toContain('Erin');
    expect((await stack.api.post(`/api/v1/contacts/${contact.id}/erase`, rep1)).status).toBe(403);
    const erased = await stack.api.post(`/api/v1/contacts/${contact.id}/erase`, admin);
    expect(erased.status).toBe(200);
    const after = await stack.api.get(`/api/v1/contacts/${contact.id}?includeDeleted=true`, admin);
    expect(after.text).not.toContain('Erin');
  });

  it('serves the partner by its scopes', async () => {
    const partner = await clientToken('acme-partner');
    const created = await stack.api.post('/api/v1/contacts', partner, { firstName: 'Partner', lastName: unique() });
    expect(created.status).toBe(201);
    expect((await stack.api.get(`/api/v1/contacts/${(created.body as ContactBody).id}`, partner)).status).toBe(200);
  });
});

describe('problem+json for every failure', () => {
  const expectProblem = (res: { status: number; headers: Headers; body: unknown; text: string }, status: number) => {
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect((res.body as ProblemBody).status).toBe(status);
    expect(res.text).not.toMatch(/at .*\.(ts|js):\d+/);
  };

  it('unknown route 404, wrong method 405', async () => {
    expectProblem(await stack.api.get('/api/v1/nothing-here', rep1), 404);
    const wrongMethod = await stack.api.request('PUT', '/api/v1/contacts', { token: rep1, body: {} });
    expectProblem(wrongMethod, 405);
    expect(wrongMethod.headers.get('allow')).toContain('POST');
  });

  it('malformed JSON 400, wrong content type 415, too large 413', async () => {
    expectProblem(
      await stack.api.request('POST', '/api/v1/contacts', {
        token: rep1,
        raw: '{"firstName":',
        headers: { 'content-type': 'application/json' },
      }),
      400,
    );
    expectProblem(
      await stack.api.request('POST', '/api/v1/contacts', {
        token: rep1,
        raw: 'firstName=a',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      }),
      415,
    );
    const huge = JSON.stringify({ firstName: 'x'.repeat(2 * 1024 * 1024) });
    expectProblem(
      await stack.api.request('POST', '/api/v1/contacts', {
        token: rep1,
        raw: huge,
        headers: { 'content-type': 'application/json' },
      }),
      413,
    );
  });

  it('invalid query values 400 with the field', async () => {
    const res = await stack.api.get('/api/v1/contacts?limit=500', rep1);
    expectProblem(res, 400);
    expect((res.body as ProblemBody).errors?.[0]?.field).toBe('limit');
  });

  it('sets request ids and helmet headers', async () => {
    const res = await stack.api.get('/api/v1/me', rep1, { 'x-request-id': 'trace-me-1' });
    expect(res.headers.get('x-request-id')).toBe('trace-me-1');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-powered-by')).toBeNull();
  });
});
