import { describe, expect, it } from 'vitest';
import { queueOf, ticketListQuery, type QueueState } from './ticket-queues';

const state = (overrides: Partial<QueueState> = {}): QueueState => ({
  view: '',
  q: '',
  status: '',
  priority: '',
  groupId: '',
  assignee: '',
  tag: '',
  order: '',
  ...overrides,
});

describe('ticketListQuery', () => {
  it("opens the agent's own queue, SLA due soonest, by default", () => {
    expect(ticketListQuery(state())).toEqual({ view: 'my_open', orderBy: 'sla_due_asc' });
    expect(queueOf('nonsense').view).toBe('my_open');
  });

  it("keeps the breaching queue in the API's own order and a queue's default unless one is picked", () => {
    expect(ticketListQuery(state({ view: 'breaching', order: 'created_asc' }))).toEqual({ view: 'breaching' });
    expect(ticketListQuery(state({ view: 'solved' }))).toEqual({ view: 'solved', orderBy: 'updated_desc' });
    expect(ticketListQuery(state({ view: 'unassigned', order: 'priority_desc' }))).toEqual({
      view: 'unassigned',
      orderBy: 'priority_desc',
    });
    expect(ticketListQuery(state({ view: 'unassigned', order: 'bogus' })).orderBy).toBe('sla_due_asc');
  });

  it('searches across queues and keeps the filters, dropping values the API does not know', () => {
    expect(
      ticketListQuery(
        state({
          view: 'solved',
          q: ' printer ',
          status: 'open,bogus,pending,open',
          priority: 'urgent',
          groupId: 'acme-support',
          assignee: 'me',
          tag: 'vip, billing',
        }),
      ),
    ).toEqual({
      q: 'printer',
      status: 'open,pending',
      priority: 'urgent',
      groupId: 'acme-support',
      assigneeId: 'me',
      tag: 'vip,billing',
    });
    expect(ticketListQuery(state({ status: 'bogus' })).status).toBeUndefined();
  });
});
