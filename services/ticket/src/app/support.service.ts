// Macros, agents' availability and capacity, groups' assignment mode and the ticket custom-field definitions:
// admin-managed records (an agent may mark themselves away).
import { v7 as uuidv7 } from 'uuid';
import {
  hasRole,
  invalidArgument,
  notFound,
  requireAdmin,
  ServiceError,
  validateDefinitionsOrThrow,
  type CustomFieldDefinition,
  type FieldViolation,
  type Principal,
  type TenantUsers,
  versionMismatch,
} from '@crm/service-kit';
import {
  ASSIGNMENT_MODES,
  isOneOf,
  PRIORITIES,
  STATUSES,
  TICKET_TYPES,
  type AssignmentMode,
} from '../domain/ticket-values';
import {
  agentRecordId,
  groupRecordId,
  type AgentRecord,
  type GroupRecord,
  type MacroActions,
  type MacroRecord,
  type TicketSettingsRecord,
} from '../domain/support-records';
import { agentMessages, groupMessages, macroMessages, type TicketEventContext } from '../events/ticket-events';
import { tenantRecords, type TicketStores } from '../store/ticket-store';
import { ShortCache } from './short-cache';

export interface MacroInput {
  name: string;
  description: string;
  actions: MacroActions;
}

export interface AgentInput {
  userId: string;
  name: string;
  groupIds: string[];
  calendarId: string;
  away: boolean;
  capacity: number;
}

/** The reason of the error for a user id that names no user of the tenant (the gateway answers 422). */
export const UNKNOWN_USER = 'UNKNOWN_USER';

export class SupportService {
  private readonly definitions = new ShortCache<CustomFieldDefinition[]>();
  private readonly groups = new ShortCache<GroupRecord | undefined>();

  constructor(
    private readonly stores: TicketStores,
    private readonly clock: () => Date,
    private readonly namespace: string,
    private readonly users: TenantUsers,
  ) {}

  private ctx(principal: Principal): TicketEventContext {
    return { actor: principal, namespace: this.namespace, at: this.clock() };
  }

  // ---- macros ----

  async getMacro(principal: Principal, id: string): Promise<MacroRecord> {
    const macro = await this.stores.macros.load(id);
    if (!macro || macro.deletedAt || macro.tenantId !== principal.tenantId) throw notFound('macro');
    return macro;
  }

  async listMacros(principal: Principal): Promise<MacroRecord[]> {
    return (await tenantRecords(this.stores.macros, principal.tenantId)).sort((a, b) => a.name.localeCompare(b.name));
  }

  async createMacro(principal: Principal, input: MacroInput): Promise<MacroRecord> {
    this.assertMayManage(principal);
    this.checkMacro(input);
    return this.stores.macros.create(
      principal,
      { _id: uuidv7(), ownerId: '', teamId: '', ...input },
      macroMessages(this.ctx(principal), 'created'),
    );
  }

  async updateMacro(
    principal: Principal,
    id: string,
    expectedVersion: number | undefined,
    input: MacroInput,
  ): Promise<MacroRecord> {
    this.assertMayManage(principal);
    this.checkMacro(input);
    await this.getMacro(principal, id);
    return this.stores.macros.update(systemOf(principal), id, expectedVersion, () => ({
      set: { ...input },
      messages: macroMessages(this.ctx(principal), 'updated'),
    }));
  }

  async deleteMacro(principal: Principal, id: string, expectedVersion: number | undefined): Promise<MacroRecord> {
    this.assertMayManage(principal);
    await this.getMacro(principal, id);
    return this.stores.macros.update(systemOf(principal), id, expectedVersion, () => ({
      set: { deletedAt: this.clock() },
      messages: macroMessages(this.ctx(principal), 'deleted'),
    }));
  }

  private checkMacro(input: MacroInput): void {
    const v: FieldViolation[] = [];
    const a = input.actions;
    if (!input.name.trim()) v.push({ field: 'name', description: 'is required' });
    if (a.status && !isOneOf(STATUSES, a.status))
      v.push({ field: 'actions.status', description: `must be one of ${STATUSES.join(', ')}` });
    if (a.status === 'closed') v.push({ field: 'actions.status', description: 'a macro cannot close tickets' });
    if (a.priority && !isOneOf(PRIORITIES, a.priority))
      v.push({ field: 'actions.priority', description: `must be one of ${PRIORITIES.join(', ')}` });
    if (a.type && !isOneOf(TICKET_TYPES, a.type))
      v.push({ field: 'actions.type', description: `must be one of ${TICKET_TYPES.join(', ')}` });
    const changes =
      a.status ||
      a.priority ||
      a.type ||
      a.assigneeId ||
      a.groupId ||
      a.addTags.length ||
      a.removeTags.length ||
      a.reply.trim();
    if (!changes && Object.keys(a.customFields ?? {}).length === 0)
      v.push({ field: 'actions', description: 'a macro must change something or reply' });
    if (v.length > 0) throw invalidArgument(v);
  }

  // ---- agents and groups ----

  /** With expectedVersion (an If-Match) it applies only to that version of the agent; 0 or undefined: any. */
  async putAgent(principal: Principal, input: AgentInput, expectedVersion?: number): Promise<AgentRecord> {
    const v: FieldViolation[] = [];
    if (!input.userId) v.push({ field: 'userId', description: 'is required' });
    if (!Number.isInteger(input.capacity) || input.capacity < 0 || input.capacity > 10_000)
      v.push({ field: 'capacity', description: 'must be 0 (no limit) to 10000' });
    if (input.calendarId) {
      const calendar = await this.stores.calendars.load(input.calendarId);
      if (!calendar || calendar.deletedAt || calendar.tenantId !== principal.tenantId)
        v.push({ field: 'calendarId', description: 'is not a business calendar of this tenant' });
    }
    // The caller is a user of their tenant already; anyone else is looked up (an agent no one can sign in as
    // would take tickets by rotation and never answer them).
    if (input.userId && input.userId !== principal.userId && v.length === 0) {
      if (!(await this.users.isUserOf(principal.tenantId, input.userId)))
        throw new ServiceError('INVALID_ARGUMENT', 'No user of this tenant has this id', {
          violations: [{ field: 'userId', description: 'is not a user of this tenant' }],
          reason: UNKNOWN_USER,
        });
    }
    if (v.length > 0) throw invalidArgument(v);
    const id = agentRecordId(principal.tenantId, input.userId);
    const current = await this.stores.agents.load(id);
    if (expectedVersion && (!current || current.version !== expectedVersion))
      throw versionMismatch(expectedVersion, current?.version);
    const admin = hasRole(principal, 'crm-admin', 'crm-service');
    if (!admin) {
      // An agent may only change their own away flag.
      const own = input.userId === principal.userId && current && !current.deletedAt;
      const onlyAway =
        own &&
        current.name === input.name &&
        current.calendarId === input.calendarId &&
        current.capacity === input.capacity &&
        JSON.stringify(current.groupIds) === JSON.stringify(input.groupIds);
      if (!onlyAway) requireAdmin(principal, 'change agents other than their away flag');
    }
    const fields = {
      userId: input.userId,
      name: input.name,
      groupIds: [...new Set(input.groupIds)],
      calendarId: input.calendarId,
      away: input.away,
      capacity: input.capacity,
    };
    if (!current)
      return this.stores.agents.create(
        principal,
        { _id: id, ownerId: input.userId, teamId: '', ...fields },
        agentMessages(this.ctx(principal)),
      );
    return this.stores.agents.update(systemOf(principal), id, expectedVersion || undefined, () => ({
      set: { ...fields, deletedAt: null },
      messages: agentMessages(this.ctx(principal)),
    }));
  }

  async listAgents(principal: Principal, groupId: string): Promise<AgentRecord[]> {
    const agents = await tenantRecords(this.stores.agents, principal.tenantId);
    return agents
      .filter((a) => !groupId || a.groupIds.includes(groupId))
      .sort((a, b) => a.userId.localeCompare(b.userId));
  }

  async putGroup(
    principal: Principal,
    groupId: string,
    assignment: string,
    expectedVersion?: number,
  ): Promise<GroupRecord> {
    requireAdmin(principal, 'change how groups assign tickets');
    const v: FieldViolation[] = [];
    if (!groupId) v.push({ field: 'groupId', description: 'is required' });
    if (!isOneOf(ASSIGNMENT_MODES, assignment))
      v.push({ field: 'assignment', description: `must be one of ${ASSIGNMENT_MODES.join(', ')}` });
    if (v.length > 0) throw invalidArgument(v);
    const id = groupRecordId(principal.tenantId, groupId);
    const current = await this.stores.groups.load(id);
    if (expectedVersion && (!current || current.version !== expectedVersion))
      throw versionMismatch(expectedVersion, current?.version);
    const fields = { groupId, assignment: assignment as AssignmentMode };
    try {
      if (!current)
        return await this.stores.groups.create(
          principal,
          { _id: id, ownerId: '', teamId: groupId, ...fields },
          groupMessages(this.ctx(principal)),
        );
      return await this.stores.groups.update(principal, id, expectedVersion || undefined, () => ({
        set: fields,
        messages: groupMessages(this.ctx(principal)),
      }));
    } finally {
      this.groups.forget(id);
    }
  }

  /** A group's assignment settings, as ticket creation reads them (kept for a moment). */
  async group(tenantId: string, groupId: string): Promise<GroupRecord | undefined> {
    const id = groupRecordId(tenantId, groupId);
    return this.groups.get(id, () => this.stores.groups.load(id));
  }

  async listGroups(principal: Principal): Promise<GroupRecord[]> {
    return (await tenantRecords(this.stores.groups, principal.tenantId)).sort((a, b) =>
      a.groupId.localeCompare(b.groupId),
    );
  }

  // ---- custom fields ----

  /** The tenant's ticket fields, as ticket writes validate against them (kept for a moment). */
  async fieldDefinitions(tenantId: string): Promise<CustomFieldDefinition[]> {
    return this.definitions.get(
      tenantId,
      async () => (await this.stores.settings.load(tenantId))?.fieldDefinitions ?? [],
    );
  }

  async getFieldDefinitions(principal: Principal): Promise<{ definitions: CustomFieldDefinition[]; version: number }> {
    const settings = await this.stores.settings.load(principal.tenantId);
    return { definitions: settings?.fieldDefinitions ?? [], version: settings?.version ?? 0 };
  }

  async setFieldDefinitions(
    principal: Principal,
    definitions: unknown[],
    expectedVersion: number,
  ): Promise<{ definitions: CustomFieldDefinition[]; version: number }> {
    requireAdmin(principal, 'define ticket fields');
    const current = await this.stores.settings.load(principal.tenantId);
    const validated = validateDefinitionsOrThrow(definitions, { previous: current?.fieldDefinitions ?? [] });
    let saved: TicketSettingsRecord;
    try {
      if (!current) {
        if (expectedVersion > 0)
          throw invalidArgument([{ field: 'expectedVersion', description: 'no definitions were saved yet' }]);
        saved = await this.stores.settings.create(
          principal,
          { _id: principal.tenantId, ownerId: '', teamId: '', fieldDefinitions: validated },
          () => [],
        );
      } else {
        saved = await this.stores.settings.update(principal, principal.tenantId, expectedVersion || undefined, () => ({
          set: { fieldDefinitions: validated },
          messages: () => [],
        }));
      }
    } finally {
      // Forgotten after the write (even a failed one), so no read from before it stays cached.
      this.definitions.forget(principal.tenantId);
    }
    return { definitions: saved.fieldDefinitions, version: saved.version };
  }

  private assertMayManage(principal: Principal): void {
    if (!hasRole(principal, 'crm-admin', 'support-manager')) requireAdmin(principal, 'manage macros');
  }
}

/** Tenant-wide records carry no owner: the caller's right was checked, the store writes as the service. */
function systemOf(principal: Principal): Principal {
  return { ...principal, roles: [...principal.roles, 'crm-service'] };
}
