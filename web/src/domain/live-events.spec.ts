import { describe, expect, it } from 'vitest';
import { invalidationsFor, parseLiveEvent, staleRecords } from './live-events';

describe('live events', () => {
  it('makes a deal change refresh boards, deal lists, that deal and the forecast', () => {
    expect(invalidationsFor({ type: 'deal.stage_changed', aggregateId: 'd1' })).toEqual([
      ['board'],
      ['deals', 'list'],
      ['deals', 'detail', 'd1'],
      ['forecast'],
    ]);
  });

  it('refreshes contact lists and the contact, and everything contact-related after a merge or erase', () => {
    expect(invalidationsFor({ type: 'contact.updated', aggregateId: 'c1' })).toContainEqual([
      'contacts',
      'detail',
      'c1',
    ]);
    expect(invalidationsFor({ type: 'contact.merged', aggregateId: 'c1' })).toContainEqual(['contacts']);
    expect(invalidationsFor({ type: 'activity.logged', aggregateId: 'a1' })).toContainEqual(['contacts', 'activities']);
    expect(invalidationsFor({ type: 'unknown.thing', aggregateId: 'x' })).toEqual([]);
    expect(invalidationsFor({ type: 'task.reminder', aggregateId: 't1' })).toEqual([['tasks']]);
    expect(invalidationsFor({ type: 'workflow.run_started', aggregateId: 'r1' })).toEqual([
      ['workflows', 'runs'],
      ['workflows', 'run', 'r1'],
    ]);
    expect(invalidationsFor({ type: 'workflow.webhook_delivery_dead_lettered', aggregateId: 'd' })).toEqual([
      ['webhooks'],
    ]);
  });

  it('refreshes ticket queues, the ticket and its conversation, and tickets after an SLA change', () => {
    expect(invalidationsFor({ type: 'ticket.comment_added', aggregateId: 't1' })).toEqual([
      ['tickets', 'list'],
      ['tickets', 'detail', 't1'],
      ['tickets', 'comments', 't1'],
    ]);
    expect(invalidationsFor({ type: 'sla_policy.updated', aggregateId: 'p1' })).toEqual([
      ['sla-policies'],
      ['tickets'],
    ]);
    expect(invalidationsFor({ type: 'business_calendar.created', aggregateId: 'c1' })).toEqual([
      ['business-calendars'],
      ['tickets'],
    ]);
    expect(invalidationsFor({ type: 'macro.deleted', aggregateId: 'm1' })).toEqual([['macros']]);
    expect(invalidationsFor({ type: 'ticket_agent.updated', aggregateId: 'u1' })).toEqual([['support-agents']]);
  });

  it('parses event data and ignores what is not an event', () => {
    expect(
      parseLiveEvent('deal.updated', JSON.stringify({ id: '1', aggregateId: 'd1', type: 'deal.updated' })),
    ).toMatchObject({
      aggregateId: 'd1',
      type: 'deal.updated',
    });
    expect(parseLiveEvent('x', '{not json')).toBeUndefined();
    expect(parseLiveEvent('x', '"text"')).toBeUndefined();
  });
});

describe('catching a read model that lags behind its events', () => {
  const announced = new Map([
    ['d1', 3],
    ['c1', 5],
  ]);

  it('finds deals on a board older than the announced version', () => {
    const board = { columns: [{ deals: [{ id: 'd1', version: 2 }] }, { deals: [{ id: 'd2', version: 9 }] }] };
    expect(staleRecords(board, announced)).toEqual(['d1']);
    expect(staleRecords({ columns: [{ deals: [{ id: 'd1', version: 3 }] }] }, announced)).toEqual([]);
  });

  it('looks into list pages, infinite pages and single records', () => {
    expect(staleRecords({ data: [{ id: 'c1', version: 4 }], nextCursor: null }, announced)).toEqual(['c1']);
    expect(
      staleRecords({ pages: [{ data: [{ id: 'c1', version: 6 }] }, { data: [{ id: 'd1', version: 1 }] }] }, announced),
    ).toEqual(['d1']);
    expect(staleRecords({ id: 'c1', version: 5 }, announced)).toEqual([]);
    expect(staleRecords([{ id: 'd1', version: 2 }], announced)).toEqual(['d1']);
    expect(staleRecords(undefined, announced)).toEqual([]);
  });
});
