// The ticket API at the REST edge, on the real services and real tokens: problem+json naming the field, ETag /
// If-Match, Idempotency-Key, queues with cursors, search, the conversation, merge, history, SLA configuration,
// macros, the public CSAT survey (404 forged, 410 spent), partner scopes and ticket events over SSE.
import { clientToken, eventually, userToken } from '@crm/testkit';
import { GatewayStack } from './support/gateway-stack';
import { SseClient } from './support/sse-client';

interface Problem {
  status: number;
  errors?: Array<{ field: string; detail: string }>;
  reason?: string;
}
interface TicketJson {
  id: string;
  version: number;
  status: string;
  sla: { targets: Array<{ metric: string; dueAt: string | null }>; nextDueAt: string | null } | null;
}

const fields = (body: unknown) => ((body as Problem).errors ?? []).map((e) => e.field);

describe('gateway: tickets', () => {
  const stack = new GatewayStack();
  let agent: string;
  let admin: string;
  let rep2: string;

  beforeAll(async () => {
    await stack.start({ ticket: true });
    [agent, admin, rep2] = await Promise.all([
      userToken('acme-agent1'),
      userToken('acme-admin'),
      userToken('acme-rep2'),
    ]);
  }, 120_000);
  afterAll(() => stack.stop(), 60_000);

  const create = async (body: Record<string, unknown>, token = agent) => {
    const answer = await stack.api.post('/api/v1/tickets', token, body, { 'idempotency-key': crypto.randomUUID() });
    expect(answer.status).toBe(201);
    return answer.body as TicketJson;
  };

  it('refuses bad input with problem+json naming the field', async () => {
    const badPriority = await stack.api.post('/api/v1/tickets', agent, {
      subject: 'x',
      requesterEmail: 'a@example.test',
      priority: 'asap',
    });
    expect(badPriority.status).toBe(400);
    expect(badPriority.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(fields(badPriority.body)).toEqual(['priority']);
    const unknown = await stack.api.post('/api/v1/tickets', agent, {
      subject: 'x',
      requesterEmail: 'a@example.test',
      color: 'red',
    });
    expect(unknown.status).toBe(400);
    expect(fields(unknown.body)).toEqual(['color']);
    const overlap = await stack.api.post('/api/v1/business-calendars', admin, {
      name: 'Overlap',
      timeZone: 'Europe/Berlin',
      hours: [
        { weekday: 2, start: '08:00', end: '12:00' },
        { weekday: 2, start: '11:00', end: '15:00' },
      ],
    });
    expect(overlap.status).toBe(400);
    expect(fields(overlap.body)).toEqual(['hours[1]']);
    const zone = await stack.api.post('/api/v1/business-calendars', admin, {
      name: 'Nowhere',
      timeZone: 'Europe/Atlantis',
      hours: [{ weekday: 1, start: '09:00', end: '17:00' }],
    });
    expect(fields(zone.body)).toEqual(['timeZone']);
    const empty = await stack.api.post('/api/v1/sla-policies', admin, { name: 'Empty', targets: [] });
    expect(empty.status).toBe(400);
    expect(fields(empty.body)).toEqual(['targets']);
  });

  it('creates, updates with If-Match, replays an Idempotency-Key, lists a queue with cursors and searches', async () => {
    const key = crypto.randomUUID();
    const body = { subject: 'Invoice payment failed', requesterEmail: 'payer@example.test', tags: ['billing'] };
    const first = await stack.api.post('/api/v1/tickets', agent, body, { 'idempotency-key': key });
    const replay = await stack.api.post('/api/v1/tickets', agent, body, { 'idempotency-key': key });
    expect(first.status).toBe(201);
    expect((replay.body as TicketJson).id).toBe((first.body as TicketJson).id);
    const ticket = first.body as TicketJson;
    expect(first.headers.get('etag')).toBe('"1"');
    const stale = await stack.api.patch(
      `/api/v1/tickets/${ticket.id}`,
      agent,
      { priority: 'high' },
      { 'if-match': '"7"' },
    );
    expect(stale.status).toBe(412);
    const noMatch = await stack.api.patch(`/api/v1/tickets/${ticket.id}`, agent, { priority: 'high' });
    expect(noMatch.status).toBe(428);
    const updated = await stack.api.patch(
      `/api/v1/tickets/${ticket.id}`,
      agent,
      { priority: 'high' },
      { 'if-match': '"1"' },
    );
    expect(updated.status).toBe(200);
    expect(updated.headers.get('etag')).toBe('"2"');

    for (let i = 0; i < 3; i++) await create({ subject: `Queue ticket ${i}`, requesterEmail: 'queue@example.test' });
    const page1 = await stack.api.get('/api/v1/tickets?view=unassigned&limit=2', agent);
    expect(page1.status).toBe(200);
    const p1 = page1.body as { data: TicketJson[]; nextCursor: string | null };
    expect(p1.data).toHaveLength(2);
    expect(p1.nextCursor).not.toBeNull();
    const page2 = await stack.api.get(
      `/api/v1/tickets?view=unassigned&limit=2&cursor=${encodeURIComponent(p1.nextCursor ?? '')}`,
      agent,
    );
    const ids2 = (page2.body as { data: TicketJson[] }).data.map((t) => t.id);
    expect(ids2.some((id) => p1.data.some((t) => t.id === id))).toBe(false);
    const badCursor = await stack.api.get('/api/v1/tickets?view=unassigned&cursor=nonsense', agent);
    expect(badCursor.status).toBe(400);
    expect(fields(badCursor.body)).toEqual(['cursor']);

    const found = await stack.api.get('/api/v1/tickets?q=invo%20paym', agent);
    expect((found.body as { data: TicketJson[] }).data.map((t) => t.id)).toEqual([ticket.id]);
  });

  it('runs the conversation, merge, history and macros', async () => {
    const target = await create({ subject: 'Cannot log in', requesterEmail: 'login@example.test' });
    const duplicate = await create({ subject: 'Login broken', requesterEmail: 'login@example.test' });
    const reply = await stack.api.post(`/api/v1/tickets/${target.id}/comments`, agent, {
      body: 'Try resetting your password.',
      attachments: [
        {
          name: 'howto.pdf',
          sizeBytes: 1234,
          contentType: 'application/pdf',
          url: 'https://files.example.test/howto.pdf',
        },
      ],
    });
    expect(reply.status).toBe(201);
    expect((reply.body as { ticket: TicketJson }).ticket.status).toBe('open');
    const badAttachment = await stack.api.post(`/api/v1/tickets/${target.id}/comments`, agent, {
      body: 'x',
      attachments: [{ name: 'a', sizeBytes: 1, contentType: 'text/plain', url: 'http://insecure.example.test/a' }],
    });
    expect(badAttachment.status).toBe(400);
    expect(fields(badAttachment.body)).toEqual(['attachments[0].url']);
    await stack.api.post(`/api/v1/tickets/${duplicate.id}/comments`, agent, {
      body: 'internal: same as the other',
      public: false,
    });
    const merged = await stack.api.post(`/api/v1/tickets/${target.id}/merge`, agent, { sourceIds: [duplicate.id] });
    expect(merged.status).toBe(200);
    const source = await stack.api.get(`/api/v1/tickets/${duplicate.id}`, agent);
    expect((source.body as { status: string; mergedInto: string }).mergedInto).toBe(target.id);
    expect((source.body as { status: string }).status).toBe('closed');
    const conversation = await stack.api.get(`/api/v1/tickets/${target.id}/comments`, agent);
    const bodies = (conversation.body as { data: Array<{ body: string }> }).data.map((c) => c.body);
    expect(bodies).toEqual(expect.arrayContaining(['Try resetting your password.', 'internal: same as the other']));
    const history = await stack.api.get(`/api/v1/tickets/${target.id}/history`, agent);
    const entries = (history.body as { data: Array<{ version: number; changes: Array<{ field: string }> }> }).data;
    expect(entries.map((e) => e.version)).toEqual([3, 2, 1]);
    expect(entries[0]?.changes.map((c) => c.field)).toContain('commentCount');

    const macro = await stack.api.post('/api/v1/macros', admin, {
      name: 'Ask for logs',
      actions: { status: 'pending', addTags: ['needs-logs'], reply: 'Could you send us the logs?' },
    });
    expect(macro.status).toBe(201);
    const applied = await stack.api.post(`/api/v1/macros/${(macro.body as { id: string }).id}/apply`, agent, {
      ticketIds: [target.id, 'no-such-ticket'],
    });
    const results = (
      applied.body as {
        data: Array<{ ticketId: string; outcome: string; ticket: { status: string; tags: string[] } | null }>;
      }
    ).data;
    expect(results.map((r) => r.outcome)).toEqual(['ok', 'not_found']);
    expect(results[0]?.ticket?.status).toBe('pending');
    expect(results[0]?.ticket?.tags).toContain('needs-logs');
  });

  it('answers the public CSAT survey once: 410 for the second answer, 404 for a forged token', async () => {
    const ticket = await create({ subject: 'Happy path', requesterEmail: 'happy@example.test' });
    const solved = await stack.api.patch(
      `/api/v1/tickets/${ticket.id}`,
      agent,
      { status: 'solved' },
      { 'if-match': '*' },
    );
    expect(solved.status).toBe(200);
    const bus = stack.gateway.bus;
    const { readStreamEvents } = await import('@crm/service-kit');
    const { TicketCsatRequested } = await import('@crm/proto/crm/ticket/v1/events');
    const requested = await eventually(async () => {
      const events = (await readStreamEvents(bus, 'TICKET', 'ticket.csat_requested')).filter(
        (e) => e.aggregateId === ticket.id,
      );
      return events[0];
    });
    const path = TicketCsatRequested.decode(requested?.payload?.value ?? new Uint8Array()).surveyPath;
    const survey = await stack.api.get(path);
    expect(survey.status).toBe(200);
    expect(survey.body).toMatchObject({ ticketSubject: 'Happy path', answered: false });
    expect(survey.headers.get('ratelimit-policy')).toMatch(/"public"/);
    const answer = await stack.api.request('POST', path, { body: { rating: 'good', comment: 'Thanks!' } });
    expect(answer.status).toBe(200);
    const again = await stack.api.request('POST', path, { body: { rating: 'bad' } });
    expect(again.status).toBe(410);
    const forged = await stack.api.request('POST', `${path.slice(0, -3)}abc`, { body: { rating: 'good' } });
    expect(forged.status).toBe(404);
    const invalid = await stack.api.request('POST', path, { body: { rating: 'meh' } });
    expect(invalid.status).toBe(400);
    expect(fields(invalid.body)).toEqual(['rating']);
    const after = await stack.api.get(`/api/v1/tickets/${ticket.id}`, agent);
    expect((after.body as { csat: { rating: string } }).csat.rating).toBe('good');
  });

  it('sets up the support team: group assignment modes and agents, an agent marking themselves away', async () => {
    const me = (await stack.api.get('/api/v1/me', agent)).body as { userId: string };
    const badMode = await stack.api.put('/api/v1/support-groups/acme-support', admin, { assignment: 'lottery' });
    expect(badMode.status).toBe(400);
    expect(fields(badMode.body)).toEqual(['assignment']);
    const notAdmin = await stack.api.put('/api/v1/support-groups/acme-support', agent, { assignment: 'manual' });
    expect(notAdmin.status).toBe(403);
    const group = await stack.api.put('/api/v1/support-groups/acme-support', admin, { assignment: 'least_open' });
    expect(group.status).toBe(200);
    expect(group.body).toMatchObject({ groupId: 'acme-support', assignment: 'least_open' });
    const groups = (await stack.api.get('/api/v1/support-groups', agent)).body as { data: Array<{ groupId: string }> };
    expect(groups.data.map((g) => g.groupId)).toContain('acme-support');

    const put = (token: string, body: Record<string, unknown>) =>
      stack.api.put(`/api/v1/support-agents/${me.userId}`, token, body);
    // Only a user of the tenant (as Keycloak knows them) can be an agent: 422 naming the field otherwise.
    const nobody = await stack.api.put('/api/v1/support-agents/no-such-user', admin, {
      name: 'Nobody',
      groupIds: ['acme-support'],
      capacity: 1,
    });
    expect(nobody.status).toBe(422);
    expect(nobody.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(fields(nobody.body)).toEqual(['userId']);
    const badCapacity = await put(admin, { name: 'Agent One', groupIds: ['acme-support'], capacity: -1 });
    expect(badCapacity.status).toBe(400);
    expect(fields(badCapacity.body)).toEqual(['capacity']);
    const set = await put(admin, { name: 'Agent One', groupIds: ['acme-support'], capacity: 5 });
    expect(set.status).toBe(200);
    expect(set.headers.get('etag')).toMatch(/^"\d+"$/);
    // An agent changes only their own away flag, on a route of their own; the agent record is the admins'.
    const away = await stack.api.put('/api/v1/me/support-away', agent, { away: true });
    expect(away.status).toBe(200);
    expect(away.body).toMatchObject({ userId: me.userId, away: true, capacity: 5, groupIds: ['acme-support'] });
    const moreCapacity = await put(agent, { name: 'Agent One', groupIds: ['acme-support'], capacity: 50 });
    expect(moreCapacity.status).toBe(403);
    const notAnAgent = await stack.api.put('/api/v1/me/support-away', await userToken('acme-support-lead'), {
      away: true,
    });
    expect(notAnAgent.status).toBe(404);
    // If-Match of a version that has moved since: 412, and nothing changes.
    const stale = await stack.api.put(
      `/api/v1/support-agents/${me.userId}`,
      admin,
      { name: 'Agent One', groupIds: ['acme-support'], capacity: 7 },
      { 'if-match': set.headers.get('etag') as string },
    );
    expect(stale.status).toBe(412);
    const staleAway = await stack.api.put(
      '/api/v1/me/support-away',
      agent,
      { away: false },
      { 'if-match': set.headers.get('etag') as string },
    );
    expect(staleAway.status).toBe(412);
    const current = await stack.api.put(
      '/api/v1/me/support-away',
      agent,
      { away: true },
      { 'if-match': away.headers.get('etag') as string },
    );
    expect(current.status).toBe(200);
    const listed = await stack.api.get('/api/v1/support-agents?groupId=acme-support', agent);
    expect((listed.body as { data: Array<{ userId: string; away: boolean }> }).data).toEqual([
      expect.objectContaining({ userId: me.userId, away: true }),
    ]);
    // Back to manual, so the other tests' tickets stay unassigned.
    expect((await stack.api.put('/api/v1/support-groups/acme-support', admin, { assignment: 'manual' })).status).toBe(
      200,
    );
  });

  it('keeps tickets from people and partners who may not see them, and streams ticket events over SSE', async () => {
    const ticket = await create({ subject: 'Private', requesterEmail: 'private@example.test' });
    expect((await stack.api.get(`/api/v1/tickets/${ticket.id}`, rep2)).status).toBe(404);
    expect((await stack.api.get(`/api/v1/tickets/${ticket.id}`, await userToken('globex-admin'))).status).toBe(404);
    // The partner has contacts and deals scopes, not tickets:*.
    const partner = await clientToken('acme-partner');
    expect((await stack.api.get('/api/v1/tickets', partner)).status).toBe(403);
    expect(
      (await stack.api.post('/api/v1/business-calendars', agent, { name: 'n', timeZone: 'UTC', hours: [] })).status,
    ).toBe(403);

    const sse = await new SseClient(`${stack.api.baseUrl}/api/v1/events`, { authorization: `Bearer ${agent}` }).open();
    try {
      await eventually(() => (sse.frames.some((f) => f.event === 'ready') ? true : undefined));
      const created = await create({ subject: 'Live', requesterEmail: 'live@example.test' });
      await eventually(
        () =>
          sse.events().some((f) => f.event === 'ticket.created' && f.data.includes(created.id)) ? true : undefined,
        15_000,
      );
    } finally {
      await sse.close();
    }
  });
});
