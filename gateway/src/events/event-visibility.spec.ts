import type { Principal } from '@crm/service-kit/edge';
import { canSeeEvent } from './event-visibility';

const rep1: Principal = {
  tenantId: 'acme',
  userId: 'rep1',
  roles: ['sales-rep'],
  teamIds: ['east'],
  clientId: 'crm-web',
  scopes: [],
};
const manager: Principal = { ...rep1, userId: 'mgr', roles: ['sales-manager'] };
const agent: Principal = { ...rep1, userId: 'agent', roles: ['support-agent'], teamIds: ['support'] };
const partner: Principal = {
  tenantId: 'acme',
  userId: 'sa',
  roles: ['integration'],
  teamIds: [],
  clientId: 'acme-partner',
  scopes: ['contacts:read'],
};
const admin: Principal = { ...rep1, userId: 'adm', roles: ['crm-admin'], teamIds: [] };

const event = (type: string, ownerId: string, teamId = 'east', tenantId = 'acme') => ({
  type,
  tenantId,
  ownerId,
  teamId,
});

describe('canSeeEvent', () => {
  it('never shows another tenant', () => {
    expect(canSeeEvent(admin, event('contact.created', 'x', 'east', 'globex'))).toBe(false);
  });

  it('shows a rep its own records only, a manager its teams', () => {
    expect(canSeeEvent(rep1, event('deal.stage_changed', 'rep1'))).toBe(true);
    expect(canSeeEvent(rep1, event('deal.stage_changed', 'rep3', 'west'))).toBe(false);
    expect(canSeeEvent(manager, event('deal.stage_changed', 'rep2', 'east'))).toBe(true);
    expect(canSeeEvent(manager, event('deal.stage_changed', 'rep3', 'west'))).toBe(false);
    expect(canSeeEvent(admin, event('deal.stage_changed', 'rep3', 'west'))).toBe(true);
  });

  it('applies function-level access and partner scopes', () => {
    expect(canSeeEvent(agent, event('deal.created', 'agent', 'support'))).toBe(false);
    expect(canSeeEvent(partner, event('contact.updated', 'rep3', 'west'))).toBe(true);
    expect(canSeeEvent(partner, event('deal.created', 'rep3', 'west'))).toBe(false);
  });

  it('shows tenant-wide pipeline changes to everyone who reads deals', () => {
    expect(canSeeEvent(rep1, event('pipeline.updated', '', ''))).toBe(true);
    expect(canSeeEvent(agent, event('pipeline.updated', '', ''))).toBe(false);
  });

  it('relays a task (and its reminder) to who may see the task', () => {
    expect(canSeeEvent(rep1, event('task.reminder', 'rep1'))).toBe(true);
    expect(canSeeEvent(rep1, event('task.reminder', 'rep2'))).toBe(false);
    expect(canSeeEvent(manager, event('task.reminder', 'rep2', 'east'))).toBe(true);
    expect(canSeeEvent(agent, event('task.created', 'agent', 'support'))).toBe(true);
    expect(canSeeEvent(partner, event('task.created', 'rep1'))).toBe(false);
  });

  it('keeps workflow configuration and runs to admins', () => {
    expect(canSeeEvent(rep1, event('workflow.run_failed', 'rep1'))).toBe(false);
    expect(canSeeEvent(admin, event('workflow.run_failed', 'rep1'))).toBe(true);
  });

  it('keeps events of unknown entities for admins', () => {
    expect(canSeeEvent(rep1, event('invoice.created', 'rep1'))).toBe(false);
    expect(canSeeEvent(admin, event('invoice.created', 'rep1'))).toBe(true);
  });

  it('shows ticket events to agents of the group and the assignee, managers of the group, admins', () => {
    const lead: Principal = { ...rep1, userId: 'lead', roles: ['support-manager'], teamIds: ['support'] };
    expect(canSeeEvent(agent, event('ticket.updated', '', 'support'))).toBe(true);
    expect(canSeeEvent(agent, event('ticket.sla_breached', 'agent', 'escalations'))).toBe(true);
    expect(canSeeEvent(agent, event('ticket.updated', 'other', 'escalations'))).toBe(false);
    expect(canSeeEvent(lead, event('ticket.updated', 'other', 'support'))).toBe(true);
    expect(canSeeEvent(lead, event('ticket.updated', 'other', 'escalations'))).toBe(false);
    expect(canSeeEvent(admin, event('ticket.updated', 'other', 'escalations'))).toBe(true);
    expect(canSeeEvent(rep1, event('ticket.updated', 'rep1', 'east'))).toBe(false);
    expect(canSeeEvent(agent, event('sla_policy.updated', '', ''))).toBe(true);
    expect(canSeeEvent(rep1, event('sla_policy.updated', '', ''))).toBe(false);
  });
});
