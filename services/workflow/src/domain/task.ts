import type { FieldViolation, TenantRecord } from '@crm/service-kit';

export type TaskPriority = 'low' | 'normal' | 'high' | 'urgent';
export type TaskStatus = 'open' | 'completed' | 'cancelled';
export const TASK_PRIORITIES: readonly TaskPriority[] = ['low', 'normal', 'high', 'urgent'];
export const TASK_STATUSES: readonly TaskStatus[] = ['open', 'completed', 'cancelled'];

export interface TaskDoc extends TenantRecord {
  title: string;
  description: string;
  dueAt: Date | null;
  priority: TaskPriority;
  status: TaskStatus;
  reminderAt: Date | null;
  remindedAt: Date | null;
  contactId: string;
  companyId: string;
  dealId: string;
  ticketId: string;
  runId: string;
  ruleId: string;
  completedAt: Date | null;
}

export type TaskFields = Pick<
  TaskDoc,
  | 'title'
  | 'description'
  | 'dueAt'
  | 'priority'
  | 'status'
  | 'reminderAt'
  | 'contactId'
  | 'companyId'
  | 'dealId'
  | 'ticketId'
>;

export function taskViolations(task: Partial<TaskFields>): FieldViolation[] {
  const violations: FieldViolation[] = [];
  if (task.title !== undefined && (task.title.trim() === '' || task.title.length > 500))
    violations.push({ field: 'title', description: 'must be 1 to 500 characters' });
  if (task.description !== undefined && task.description.length > 10_000)
    violations.push({ field: 'description', description: 'must be at most 10000 characters' });
  if (task.priority !== undefined && !TASK_PRIORITIES.includes(task.priority))
    violations.push({ field: 'priority', description: `must be one of ${TASK_PRIORITIES.join(', ')}` });
  if (task.status !== undefined && !TASK_STATUSES.includes(task.status))
    violations.push({ field: 'status', description: `must be one of ${TASK_STATUSES.join(', ')}` });
  for (const key of ['contactId', 'companyId', 'dealId', 'ticketId'] as const)
    if ((task[key]?.length ?? 0) > 100) violations.push({ field: key, description: 'is too long' });
  if (task.reminderAt && task.dueAt && task.reminderAt > task.dueAt)
    violations.push({ field: 'reminderAt', description: 'must not be after the due time' });
  return violations;
}

export function isOverdue(task: Pick<TaskDoc, 'status' | 'dueAt'>, now: Date): boolean {
  return task.status === 'open' && task.dueAt !== null && task.dueAt.getTime() < now.getTime();
}

/** The reminder is due and not sent for this reminder time. */
export function reminderPending(task: Pick<TaskDoc, 'status' | 'reminderAt' | 'remindedAt' | 'deletedAt'>): boolean {
  return (
    task.status === 'open' &&
    !task.deletedAt &&
    task.reminderAt !== null &&
    (task.remindedAt === null || task.remindedAt.getTime() !== task.reminderAt.getTime())
  );
}
