import { readStreamEvents } from '@crm/service-kit';
import { clientToken, decodeClaims, eventually, userToken } from '@crm/testkit';
import { GatewayStack } from './support/gateway-stack';

interface ContactBody {
  id: string;
  version: number;
  title: string;
  ownerId: string;
  teamId: string;
}
interface HistoryBody {
  data: Array<{
    version: number;
    type: string;
    at: string;
    actorUserId: string;
    changes: Array<{ field: string; from: unknown; to: unknown }>;
  }>;
}

const stack = new GatewayStack();
let rep1: string;
let rep3: string;
let manager: string;
let admin: string;

beforeAll(async () => {
  await stack.start();
  [rep1, rep3, manager, admin] = await Promise.all([
    userToken('acme-rep1'),
    userToken('acme-rep3'),
    userToken('acme-manager'),
    userToken('acme-admin'),
  ]);
});
afterAll(() => stack.stop());

const unique = () => Math.random().toString(36).slice(2, 10);

describe('contact writes and history through the gateway', () => {
  it('of 50 concurrent PATCHes with one If-Match exactly one wins, 49 get 412, one version, no event lost or doubled', async () => {
    const created = await stack.api.post('/api/v1/contacts', rep1, {
      firstName: 'Race',
      lastName: unique(),
      title: 'start',
    });
    expect(created.status).toBe(201);
    const contact = created.body as ContactBody;
    const path = `/api/v1/contacts/${contact.id}`;
    const answers = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        stack.api.patch(path, rep1, { title: `contender ${i}` }, { 'if-match': `"${contact.version}"` }),
      ),
    );
    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s === 412)).toHaveLength(49);
    const winner = answers.find((a) => a.status === 200)?.body as ContactBody;
    expect(winner.version).toBe(2);

    const read = await stack.api.get(path, rep1);
    expect(read.headers.get('etag')).toBe('"2"');
    expect((read.body as ContactBody).title).toBe(winner.title);

    const history = (await stack.api.get(`${path}/history`, rep1)).body as HistoryBody;
    expect(history.data.map((h) => h.version)).toEqual([2, 1]);
    expect(history.data[0]?.changes).toEqual([{ field: 'title', from: 'start', to: winner.title }]);

    // The stream has version 1 and version 2 of the contact, each exactly once.
    const versions = await eventually(async () => {
      const events = (await readStreamEvents(stack.contact.deps.bus, 'CONTACT')).filter(
        (e) => e.aggregateId === contact.id,
      );
      return events.length >= 2 ? events : undefined;
    });
    expect(versions.map((e) => [e.type, e.aggregateVersion])).toEqual([
      ['contact.created', 1],
      ['contact.updated', 2],
    ]);
  });

  it('moves the owner and team in the same PATCH as the fields, in one version', async () => {
    const rep2 = await userToken('acme-rep2');
    const rep2Id = String(decodeClaims(rep2).sub);
    const contact = (await stack.api.post('/api/v1/contacts', rep1, { firstName: 'Move', lastName: unique() }))
      .body as ContactBody;
    const path = `/api/v1/contacts/${contact.id}`;
    const moved = await stack.api.patch(
      path,
      manager,
      { title: 'Handed over', ownerId: rep2Id },
      { 'if-match': `"${contact.version}"` },
    );
    expect(moved.status).toBe(200);
    expect(moved.body).toMatchObject({ title: 'Handed over', ownerId: rep2Id, teamId: 'acme-east', version: 2 });
    expect((await stack.api.get(path, rep2)).status).toBe(200);
    expect((await stack.api.get(path, rep1)).status).toBe(404);
    // Outside the manager's teams: refused as a whole, naming the field.
    const refused = await stack.api.patch(
      path,
      manager,
      { title: 'Elsewhere', teamId: 'acme-west' },
      { 'if-match': '"2"' },
    );
    expect(refused.status).toBe(400);
    expect((refused.body as { errors: Array<{ field: string }> }).errors.map((e) => e.field)).toEqual(['teamId']);
    expect(((await stack.api.get(path, rep2)).body as ContactBody).title).toBe('Handed over');
  });

  it('shows field-level history of contacts and companies to whoever may read them, and nobody else', async () => {
    const contact = (await stack.api.post('/api/v1/contacts', rep1, { firstName: 'Hist', lastName: unique() }))
      .body as ContactBody;
    const path = `/api/v1/contacts/${contact.id}`;
    await stack.api.patch(path, rep1, { title: 'CTO', tags: ['vip'] }, { 'if-match': '"1"' });
    const history = (await stack.api.get(`${path}/history`, manager)).body as HistoryBody;
    expect(history.data.map((h) => [h.version, h.type])).toEqual([
      [2, 'contact.updated'],
      [1, 'contact.created'],
    ]);
    expect(history.data[0]?.actorUserId).toBe(String(decodeClaims(rep1).sub));
    expect(history.data[0]?.changes).toEqual([
      { field: 'title', from: '', to: 'CTO' },
      { field: 'tags', from: [], to: ['vip'] },
    ]);
    expect(history.data[1]?.changes.map((c) => c.field)).toEqual(expect.arrayContaining(['firstName', 'lastName']));
    expect((await stack.api.get(`${path}/history`, rep3)).status).toBe(404);
    expect((await stack.api.get(`/api/v1/contacts/nope/history`, rep1)).status).toBe(404);

    const company = (await stack.api.post('/api/v1/companies', rep1, { name: 'Histories Inc' })).body as ContactBody;
    await stack.api.patch(`/api/v1/companies/${company.id}`, rep1, { industry: 'archives' }, { 'if-match': '"1"' });
    const companyHistory = (await stack.api.get(`/api/v1/companies/${company.id}/history`, rep1)).body as HistoryBody;
    expect(companyHistory.data.map((h) => h.version)).toEqual([2, 1]);
    expect(companyHistory.data[0]?.changes).toEqual([{ field: 'industry', from: '', to: 'archives' }]);
    expect((await stack.api.get(`/api/v1/companies/${company.id}/history`, rep3)).status).toBe(404);
    const partner = await clientToken('acme-partner');
    expect((await stack.api.get(`${path}/history`, partner)).status).toBe(200);
  });

  it('keeps the versions after a GDPR erase, and no event of the contact or its activities holds personal data', async () => {
    const marker = unique();
    const contact = (
      await stack.api.post('/api/v1/contacts', rep1, {
        firstName: `Erin${marker}`,
        lastName: 'Erasable',
        emails: [{ address: `erin.${marker}@erase.example` }],
        phones: [{ number: '+1 212 555 0199' }],
        title: 'Secret Agent',
        address: { street: '1 Hidden Lane', city: 'Nowhere' },
      })
    ).body as ContactBody;
    const path = `/api/v1/contacts/${contact.id}`;
    await stack.api.patch(path, rep1, { title: 'Double Agent', lastName: 'Erasable-Smith' }, { 'if-match': '"1"' });
    await stack.api.post(`${path}/activities`, rep1, { type: 'note', body: `met Erin${marker} at the hidden lane` });
    expect((await stack.api.post(`${path}/erase`, admin)).status).toBe(200);

    const history = (await stack.api.get(`${path}/history`, admin)).body as HistoryBody;
    expect(history.data.map((h) => h.version)).toEqual([3, 2, 1]);
    expect(history.data[2]?.changes.find((c) => c.field === 'firstName')).toEqual({
      field: 'firstName',
      from: null,
      to: null,
    });
    const events = await stack.contact.deps.events.collection.find({ tenantId: 'acme' }).toArray();
    const ours = events.filter(
      (e) => e.aggregateId === contact.id || (e.state as { contactId?: string }).contactId === contact.id,
    );
    expect(ours.length).toBeGreaterThanOrEqual(4);
    const text = JSON.stringify(ours);
    for (const personal of [marker, 'Erasable', 'erase.example', '2125550199', 'Hidden Lane', 'Secret', 'Double Agent'])
      expect(text).not.toContain(personal);
    const messages = ours.flatMap((e) => e.messages.map((m) => Buffer.from(m.data as Uint8Array).toString('latin1')));
    for (const message of messages) expect(message).not.toContain(marker);
  });
});
