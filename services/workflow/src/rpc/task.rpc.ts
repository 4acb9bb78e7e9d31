import { invalidArgument, type ServiceHandlers } from '@crm/service-kit';
import type { TaskInput, TaskServiceService } from '@crm/proto/crm/workflow/v1/task';
import type { TasksService } from '../app/tasks.service';
import type { TaskFields, TaskPriority, TaskStatus } from '../domain/task';
import { toTaskProto } from './mappers';

const PATHS: Record<string, keyof TaskFields | 'owner_id' | 'team_id'> = {
  title: 'title',
  description: 'description',
  due_at: 'dueAt',
  priority: 'priority',
  status: 'status',
  reminder_at: 'reminderAt',
  contact_id: 'contactId',
  company_id: 'companyId',
  deal_id: 'dealId',
  ticket_id: 'ticketId',
  owner_id: 'owner_id',
  team_id: 'team_id',
};

function fieldsOf(input: TaskInput | undefined, paths?: string[]): Partial<TaskFields> {
  const all: TaskFields = {
    title: input?.title ?? '',
    description: input?.description ?? '',
    dueAt: input?.dueAt ?? null,
    priority: (input?.priority || 'normal') as TaskPriority,
    status: (input?.status || 'open') as TaskStatus,
    reminderAt: input?.reminderAt ?? null,
    contactId: input?.contactId ?? '',
    companyId: input?.companyId ?? '',
    dealId: input?.dealId ?? '',
    ticketId: input?.ticketId ?? '',
  };
  if (!paths) return all;
  const picked: Partial<TaskFields> = {};
  for (const path of paths) {
    const key = PATHS[path];
    if (!key) throw invalidArgument([{ field: 'update_mask', description: `unknown path "${path}"` }]);
    if (key === 'owner_id' || key === 'team_id') continue;
    (picked as Record<string, unknown>)[key] = all[key];
  }
  return picked;
}

export function taskHandlers(tasks: TasksService): ServiceHandlers<typeof TaskServiceService> {
  return {
    createTask: async (request, ctx) => {
      const fields = fieldsOf(request.task) as TaskFields;
      return {
        task: toTaskProto(
          await tasks.create(ctx.principal, fields, { ownerId: request.task?.ownerId, teamId: request.task?.teamId }),
        ),
      };
    },
    getTask: async (request, ctx) => ({ task: toTaskProto(await tasks.get(ctx.principal, request.id)) }),
    updateTask: async (request, ctx) => {
      const paths = request.updateMask ?? [];
      const ownership = {
        ownerId: paths.includes('owner_id') ? request.task?.ownerId : undefined,
        teamId: paths.includes('team_id') ? request.task?.teamId : undefined,
      };
      return {
        task: toTaskProto(
          await tasks.update(
            ctx.principal,
            request.id,
            request.expectedVersion,
            fieldsOf(request.task, paths),
            ownership,
          ),
        ),
      };
    },
    deleteTask: async (request, ctx) => ({
      task: toTaskProto(await tasks.delete(ctx.principal, request.id, request.expectedVersion)),
    }),
    listTasks: async (request, ctx) => {
      const f = request.filter;
      const page = await tasks.list(
        ctx.principal,
        {
          ownerId: f?.ownerId,
          status: f?.status,
          overdueOnly: f?.overdueOnly,
          contactId: f?.contactId,
          companyId: f?.companyId,
          dealId: f?.dealId,
          ticketId: f?.ticketId,
          dueBefore: f?.dueBefore,
        },
        request.page?.limit ?? 0,
        request.page?.cursor ?? '',
      );
      return { tasks: page.tasks.map((t) => toTaskProto(t)), page: { nextCursor: page.nextCursor } };
    },
  };
}
