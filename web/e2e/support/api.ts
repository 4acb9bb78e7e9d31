// Direct API calls for arranging and checking what the browser did (real tokens of the demo users).
import { eventually, type DemoUser } from '@crm/testkit';
import type { WebStack } from './web-stack';

export interface BoardColumnSummary {
  stage: { id: string; name: string; kind: string };
  deals: { id: string; title: string }[];
}

export async function apiAs(stack: WebStack, user: DemoUser) {
  const token = await stack.token(user);
  const api = stack.api;
  const ok = <T>(answer: { status: number; body: unknown; text: string }, expected = [200, 201]): T => {
    if (!expected.includes(answer.status)) throw new Error(`API answered ${answer.status}: ${answer.text}`);
    return answer.body as T;
  };
  return {
    token,
    board: async () =>
      ok<{ columns: BoardColumnSummary[] }>(await api.get('/api/v1/pipelines/default/board?dealsPerStage=100', token)),
    /** Waits (bounded) until the deal matches, e.g. after a move the browser sent; returns it, or the last seen. */
    dealBecomes: async (id: string, expected: Record<string, unknown>) => {
      let last: unknown;
      await eventually(async () => {
        const answer = await api.get(`/api/v1/deals/${id}`, token);
        last = answer.body;
        const body = answer.body as Record<string, unknown>;
        return Object.entries(expected).every(([k, v]) => body[k] === v) ? body : undefined;
      }, 20_000).catch(() => undefined);
      return last as Record<string, unknown>;
    },
    deal: async (id: string) =>
      ok<{ id: string; stageId: string; status: string; lostReason: string; version: number; title: string }>(
        await api.get(`/api/v1/deals/${id}`, token),
      ),
    createDeal: async (body: Record<string, unknown>) =>
      ok<{ id: string; stageId: string; version: number }>(
        await api.post('/api/v1/deals', token, body, { 'idempotency-key': `e2e-${Math.random()}` }),
      ),
    patchDeal: async (id: string, version: number, body: Record<string, unknown>) =>
      ok<{ version: number }>(await api.patch(`/api/v1/deals/${id}`, token, body, { 'if-match': `"${version}"` })),
    createContact: async (body: Record<string, unknown>) =>
      ok<{ id: string }>(
        await api.post('/api/v1/contacts', token, body, { 'idempotency-key': `e2e-${Math.random()}` }),
      ),
    activities: async (contactId: string) =>
      ok<{ data: { type: string; call: { direction: string } | null; subject: string }[] }>(
        await api.get(`/api/v1/contacts/${contactId}/activities`, token),
      ),
    contacts: async (q: string) =>
      ok<{ data: { id: string; firstName: string; lastName: string }[] }>(
        await api.get(`/api/v1/contacts?q=${encodeURIComponent(q)}`, token),
      ),
  };
}
