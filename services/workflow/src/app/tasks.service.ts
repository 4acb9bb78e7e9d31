// Tasks and their reminders. The reminder is a durable timer; at its time the task gets remindedAt and
// task.reminder is published (the owner's notification over the gateway's SSE).
import { sql } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import {
  afterCursor,
  decodeCursor,
  invalidArgument,
  orderBy,
  pageOf,
  pageSize,
  resolveOwnership,
  scopeOf,
  scopeSql,
  systemPrincipal,
  type DueTimer,
  type Principal,
  type SortKey,
} from '@crm/service-kit';
import { reminderPending, taskViolations, type TaskDoc, type TaskFields } from '../domain/task';
import type { AppDeps } from './app-deps';

export const REMINDER_TIMER = 'task.reminder';

export interface TaskListFilter {
  ownerId?: string;
  status?: string;
  overdueOnly?: boolean;
  contactId?: string;
  companyId?: string;
  dealId?: string;
  ticketId?: string;
  dueBefore?: Date;
}

const OPEN_KEYS: SortKey[] = [
  { column: 'due_sort', direction: 'asc', type: 'timestamp' },
  { column: 'id', direction: 'asc' },
];
const ALL_KEYS: SortKey[] = [
  { column: 'created_at', direction: 'desc', type: 'timestamp' },
  { column: 'id', direction: 'desc' },
];

export class TasksService {
  constructor(private readonly deps: AppDeps) {}

  async create(
    principal: Principal,
    fields: Partial<TaskFields> & { title: string },
    ownership: { ownerId?: string; teamId?: string },
    origin: { id?: string; runId?: string; ruleId?: string } = {},
  ): Promise<TaskDoc> {
    const violations = taskViolations(fields);
    if (violations.length) throw invalidArgument(violations);
    const owner = resolveOwnership(principal, ownership);
    const now = this.deps.clock();
    const doc = await this.deps.stores.tasks.create(
      principal,
      {
        _id: origin.id ?? uuidv7(),
        ownerId: owner.ownerId,
        teamId: owner.teamId,
        title: fields.title.trim(),
        description: fields.description ?? '',
        dueAt: fields.dueAt ?? null,
        priority: fields.priority ?? 'normal',
        status: fields.status ?? 'open',
        reminderAt: fields.reminderAt ?? null,
        remindedAt: null,
        contactId: fields.contactId ?? '',
        companyId: fields.companyId ?? '',
        dealId: fields.dealId ?? '',
        ticketId: fields.ticketId ?? '',
        runId: origin.runId ?? '',
        ruleId: origin.ruleId ?? '',
        completedAt: fields.status === 'completed' ? now : null,
      },
      this.deps.events.task('task.created', principal),
    );
    await this.scheduleReminder(doc);
    return doc;
  }

  get(principal: Principal, id: string): Promise<TaskDoc> {
    return this.deps.stores.tasks.get(principal, id);
  }

  async update(
    principal: Principal,
    id: string,
    expectedVersion: number,
    change: Partial<TaskFields>,
    ownership: { ownerId?: string; teamId?: string },
  ): Promise<TaskDoc> {
    const violations = taskViolations(change);
    if (violations.length) throw invalidArgument(violations);
    const now = this.deps.clock();
    const doc = await this.deps.stores.tasks.update(principal, id, expectedVersion || undefined, (current) => {
      const owner = ownership.ownerId || ownership.teamId ? resolveOwnership(principal, ownership, current) : undefined;
      const next = { ...current, ...change };
      if (next.reminderAt && next.dueAt && next.reminderAt > next.dueAt)
        throw invalidArgument([{ field: 'reminderAt', description: 'must not be after the due time' }]);
      const completing = change.status === 'completed' && current.status !== 'completed';
      const set: Partial<TaskDoc> = {
        ...change,
        ...(owner ?? {}),
        ...(change.status && change.status !== 'completed' ? { completedAt: null } : {}),
        ...(completing ? { completedAt: now } : {}),
      };
      const changed = Object.keys(set);
      return {
        set,
        messages: this.deps.events.task(completing ? 'task.completed' : 'task.updated', principal, changed),
      };
    });
    await this.scheduleReminder(doc);
    return doc;
  }

  async delete(principal: Principal, id: string, expectedVersion: number): Promise<TaskDoc> {
    const doc = await this.deps.stores.tasks.update(principal, id, expectedVersion || undefined, () => ({
      set: { deletedAt: this.deps.clock() },
      messages: this.deps.events.task('task.deleted', principal),
    }));
    await this.deps.timers.cancel(reminderTimerId(id));
    return doc;
  }

  async list(
    principal: Principal,
    filter: TaskListFilter,
    limit: number,
    cursor: string,
  ): Promise<{ tasks: TaskDoc[]; nextCursor: string }> {
    const size = pageSize(limit);
    const scope = scopeOf(principal, 'tasks', 'read');
    if (scope.kind === 'none') return { tasks: [], nextCursor: '' };
    if (filter.status && !['open', 'completed', 'cancelled'].includes(filter.status))
      throw invalidArgument([{ field: 'status', description: 'must be open, completed or cancelled' }]);
    const openOnly = filter.status === 'open' || filter.overdueOnly === true;
    const keys = openOnly ? OPEN_KEYS : ALL_KEYS;
    const after = cursor ? afterCursor(keys, decodeCursor(cursor, keys.length)) : sql`true`;
    const owner = filter.ownerId === 'me' ? principal.userId : (filter.ownerId ?? '');
    const now = this.deps.clock();
    const { rows } = await sql<{ id: string; due_sort: Date; created_at: Date }>`
      select id, due_sort, created_at from tasks
      where ${scopeSql(scope)} and not deleted and ${after}
        and (${owner} = '' or owner_id = ${owner})
        and (${openOnly ? 'open' : (filter.status ?? '')} = '' or status = ${openOnly ? 'open' : (filter.status ?? '')})
        and (${!filter.overdueOnly} or due_sort < ${now})
        and (${filter.contactId ?? ''} = '' or contact_id = ${filter.contactId ?? ''})
        and (${filter.companyId ?? ''} = '' or company_id = ${filter.companyId ?? ''})
        and (${filter.dealId ?? ''} = '' or deal_id = ${filter.dealId ?? ''})
        and (${filter.ticketId ?? ''} = '' or ticket_id = ${filter.ticketId ?? ''})
        and (${filter.dueBefore ?? null}::timestamptz is null or due_sort < ${filter.dueBefore ?? null}::timestamptz)
      order by ${orderBy(keys)} limit ${size + 1}`.execute(this.deps.db);
    const page = pageOf(rows, size, (r) =>
      openOnly ? [r.due_sort.toISOString(), r.id] : [r.created_at.toISOString(), r.id],
    );
    const docs = await this.deps.stores.tasks.getMany(
      principal,
      page.rows.map((r) => r.id),
    );
    return { tasks: docs, nextCursor: page.nextCursor };
  }

  /** Open tasks of a contact made by one origin (a form's follow-ups are not duplicated). */
  async openTaskExists(tenantId: string, contactId: string, ruleId: string): Promise<boolean> {
    const { rows } = await sql<{ id: string }>`
      select id from tasks where tenant_id = ${tenantId} and contact_id = ${contactId} and rule_id = ${ruleId}
        and status = 'open' and not deleted limit 1`.execute(this.deps.db);
    return rows.length > 0;
  }

  /** Open tasks per owner (least-loaded assignment). */
  async openCounts(tenantId: string, ownerIds: readonly string[]): Promise<Map<string, number>> {
    if (ownerIds.length === 0) return new Map();
    const { rows } = await sql<{ owner_id: string; n: number }>`
      select owner_id, count(*)::int as n from tasks
      where tenant_id = ${tenantId} and owner_id = any(${[...ownerIds]}::text[]) and status = 'open' and not deleted
      group by owner_id`.execute(this.deps.db);
    return new Map(rows.map((r) => [r.owner_id, r.n]));
  }

  /** The reminder timer fired: publish task.reminder once for this reminder time. */
  async remind(timer: DueTimer): Promise<void> {
    const { taskId } = timer.payload as { taskId: string };
    const system = systemPrincipal(timer.tenantId, 'workflow');
    const current = await this.deps.stores.tasks.load(taskId);
    if (!current || !reminderPending(current)) return;
    await this.deps.stores.tasks.update(system, taskId, undefined, (task) =>
      reminderPending(task)
        ? {
            set: { remindedAt: task.reminderAt },
            messages: this.deps.events.task('task.reminder', this.deps.serviceActor),
          }
        : null,
    );
  }

  private async scheduleReminder(task: TaskDoc): Promise<void> {
    if (!reminderPending(task) || !task.reminderAt) {
      await this.deps.timers.cancel(reminderTimerId(task._id));
      return;
    }
    await this.deps.timers.schedule({
      id: reminderTimerId(task._id),
      tenantId: task.tenantId,
      kind: REMINDER_TIMER,
      dueAt: task.reminderAt,
      payload: { taskId: task._id },
    });
  }
}

export function reminderTimerId(taskId: string): string {
  return `remind:${taskId}`;
}
