// Business calendars and SLA policies (admins change them; everyone in the tenant may read them). A change
// schedules the recomputation of the open tickets it may affect as a durable timer, so it survives a restart.
import { v7 as uuidv7 } from 'uuid';
import {
  invalidArgument,
  notFound,
  requireAdmin,
  ServiceError,
  type DurableTimers,
  type Principal,
  type RecordStore,
  type TenantRecord,
} from '@crm/service-kit';
import {
  calendarViolations,
  policyViolations,
  withPolicyDefaults,
  type CalendarInput,
  type SlaPolicyInput,
} from '../domain/sla-policy';
import type { CalendarRecord, PolicyRecord } from '../domain/support-records';
import { calendarMessages, policyMessages, type TicketEventContext } from '../events/ticket-events';
import { RECOMPUTE_TIMER } from '../store/ticket-timers';
import { tenantRecords, type TicketStores } from '../store/ticket-store';
import type { SlaContext } from './sla-context';

export interface RecomputePayload {
  tenantId: string;
  /** Only tickets counted in this calendar; empty: every open ticket of the tenant. */
  calendarId: string;
}

export class SlaAdminService {
  constructor(
    private readonly stores: TicketStores,
    private readonly sla: SlaContext,
    private readonly timers: () => DurableTimers,
    private readonly clock: () => Date,
    private readonly namespace: string,
  ) {}

  private ctx(principal: Principal): TicketEventContext {
    return { actor: principal, namespace: this.namespace, at: this.clock() };
  }

  /** Records of the tenant readable by everyone in it (configuration). */
  private async readable<T extends TenantRecord>(store: RecordStore<T>, principal: Principal, id: string): Promise<T> {
    const record = await store.load(id);
    if (!record || record.deletedAt || record.tenantId !== principal.tenantId) throw notFound(store.kind);
    return record;
  }

  getCalendar(principal: Principal, id: string): Promise<CalendarRecord> {
    return this.readable(this.stores.calendars, principal, id);
  }

  async listCalendars(principal: Principal): Promise<CalendarRecord[]> {
    return (await tenantRecords(this.stores.calendars, principal.tenantId)).sort((a, b) => a._id.localeCompare(b._id));
  }

  async createCalendar(principal: Principal, input: CalendarInput): Promise<CalendarRecord> {
    requireAdmin(principal, 'define business calendars');
    const violations = calendarViolations(input);
    if (violations.length > 0) throw invalidArgument(violations);
    const created = await this.stores.calendars.create(
      principal,
      { _id: uuidv7(), ownerId: '', teamId: '', ...input },
      calendarMessages(this.ctx(principal), 'created'),
    );
    this.sla.forget(principal.tenantId);
    return created;
  }

  async updateCalendar(
    principal: Principal,
    id: string,
    expectedVersion: number | undefined,
    input: CalendarInput,
  ): Promise<CalendarRecord> {
    requireAdmin(principal, 'change business calendars');
    const violations = calendarViolations(input);
    if (violations.length > 0) throw invalidArgument(violations);
    const updated = await this.stores.calendars.update(principal, id, expectedVersion, () => ({
      set: { ...input },
      messages: calendarMessages(this.ctx(principal), 'updated'),
    }));
    this.sla.forget(principal.tenantId);
    await this.scheduleRecompute(principal.tenantId, id, updated.version);
    return updated;
  }

  async deleteCalendar(principal: Principal, id: string, expectedVersion: number | undefined): Promise<CalendarRecord> {
    requireAdmin(principal, 'delete business calendars');
    const users = (await tenantRecords(this.stores.policies, principal.tenantId)).filter((p) => p.calendarId === id);
    if (users.length > 0)
      throw new ServiceError('FAILED_PRECONDITION', `the calendar is used by the SLA policy "${users[0]?.name}"`, {
        reason: 'IN_USE',
      });
    const deleted = await this.stores.calendars.update(principal, id, expectedVersion, () => ({
      set: { deletedAt: this.clock() },
      messages: calendarMessages(this.ctx(principal), 'deleted'),
    }));
    this.sla.forget(principal.tenantId);
    return deleted;
  }

  getPolicy(principal: Principal, id: string): Promise<PolicyRecord> {
    return this.readable(this.stores.policies, principal, id);
  }

  async listPolicies(principal: Principal): Promise<PolicyRecord[]> {
    return (await tenantRecords(this.stores.policies, principal.tenantId)).sort(
      (a, b) => a.position - b.position || a._id.localeCompare(b._id),
    );
  }

  async createPolicy(principal: Principal, raw: SlaPolicyInput): Promise<PolicyRecord> {
    requireAdmin(principal, 'define SLA policies');
    const input = await this.checkedPolicy(principal, raw);
    const created = await this.stores.policies.create(
      principal,
      { _id: uuidv7(), ownerId: '', teamId: '', ...input },
      policyMessages(this.ctx(principal), 'created'),
    );
    this.sla.forget(principal.tenantId);
    await this.scheduleRecompute(principal.tenantId, '', created.version, created._id);
    return created;
  }

  async updatePolicy(
    principal: Principal,
    id: string,
    expectedVersion: number | undefined,
    raw: SlaPolicyInput,
  ): Promise<PolicyRecord> {
    requireAdmin(principal, 'change SLA policies');
    const input = await this.checkedPolicy(principal, raw);
    const updated = await this.stores.policies.update(principal, id, expectedVersion, () => ({
      set: { ...input },
      messages: policyMessages(this.ctx(principal), 'updated'),
    }));
    this.sla.forget(principal.tenantId);
    await this.scheduleRecompute(principal.tenantId, '', updated.version, id);
    return updated;
  }

  async deletePolicy(principal: Principal, id: string, expectedVersion: number | undefined): Promise<PolicyRecord> {
    requireAdmin(principal, 'delete SLA policies');
    const deleted = await this.stores.policies.update(principal, id, expectedVersion, () => ({
      set: { deletedAt: this.clock() },
      messages: policyMessages(this.ctx(principal), 'deleted'),
    }));
    this.sla.forget(principal.tenantId);
    await this.scheduleRecompute(principal.tenantId, '', deleted.version, id);
    return deleted;
  }

  private async checkedPolicy(principal: Principal, raw: SlaPolicyInput): Promise<SlaPolicyInput> {
    const input = withPolicyDefaults(raw);
    const violations = policyViolations(input);
    if (input.calendarId) {
      const calendar = await this.stores.calendars.load(input.calendarId);
      if (!calendar || calendar.deletedAt || calendar.tenantId !== principal.tenantId)
        violations.push({ field: 'calendarId', description: 'is not a business calendar of this tenant' });
    }
    if (violations.length > 0) throw invalidArgument(violations);
    return input;
  }

  private async scheduleRecompute(tenantId: string, calendarId: string, version: number, policyId = ''): Promise<void> {
    const payload: RecomputePayload = { tenantId, calendarId };
    await this.timers().schedule({
      id: `recompute:${tenantId}:${calendarId || policyId}:${version}`,
      tenantId,
      kind: RECOMPUTE_TIMER,
      dueAt: this.clock(),
      payload,
    });
  }
}
