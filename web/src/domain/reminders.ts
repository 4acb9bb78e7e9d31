// Task reminders as notifications. The server sends task.reminder over the event stream at the reminder time; the
// app also works out from the tasks it has which reminders are due (a stream that was down at the time misses
// nothing), with the clock passed in. A reminder is one task at one reminder time: snoozing makes a new one.

export interface RemindableTask {
  id: string;
  title: string;
  status: string;
  dueAt: string | null;
  reminderAt: string | null;
}

export interface Reminder {
  /** taskId@reminderAt: the same reminder from the stream and from the list is one. */
  key: string;
  taskId: string;
  title: string;
  dueAt: string | null;
  at: string;
}

export function reminderKey(taskId: string, at: string): string {
  return `${taskId}@${new Date(at).toISOString()}`;
}

function reminderOf(task: RemindableTask): Reminder | undefined {
  if (task.status !== 'open' || !task.reminderAt || Number.isNaN(Date.parse(task.reminderAt))) return undefined;
  return {
    key: reminderKey(task.id, task.reminderAt),
    taskId: task.id,
    title: task.title,
    dueAt: task.dueAt,
    at: new Date(task.reminderAt).toISOString(),
  };
}

/** Open tasks whose reminder time has come and that the user has not been told about yet, oldest first. */
export function dueReminders(tasks: readonly RemindableTask[], now: Date, told: ReadonlySet<string>): Reminder[] {
  return tasks
    .map(reminderOf)
    .filter((r): r is Reminder => r !== undefined && Date.parse(r.at) <= now.getTime() && !told.has(r.key))
    .sort((a, b) => a.at.localeCompare(b.at));
}

/** Milliseconds until the next reminder of these tasks falls due (undefined: none is pending). */
export function nextReminderDelay(tasks: readonly RemindableTask[], now: Date): number | undefined {
  let next: number | undefined;
  for (const reminder of tasks.map(reminderOf)) {
    if (!reminder) continue;
    const at = Date.parse(reminder.at);
    if (at > now.getTime() && (next === undefined || at < next)) next = at;
  }
  return next === undefined ? undefined : next - now.getTime();
}

/** The reminder a task.reminder event announces ({task: {...}} as the gateway relays TaskChanged). */
export function reminderFromEvent(event: { type: string; aggregateId: string; data: unknown }): Reminder | undefined {
  if (event.type !== 'task.reminder') return undefined;
  const task = (event.data as { task?: Partial<RemindableTask> } | null)?.task;
  if (!task || typeof task.title !== 'string' || typeof task.reminderAt !== 'string') return undefined;
  return reminderOf({
    id: task.id || event.aggregateId,
    title: task.title,
    status: task.status ?? 'open',
    dueAt: task.dueAt ?? null,
    reminderAt: task.reminderAt,
  });
}

/** The notification centre's list: newest first, each reminder once, at most `limit`. */
export function mergeReminders(current: readonly Reminder[], incoming: readonly Reminder[], limit = 50): Reminder[] {
  const byKey = new Map<string, Reminder>();
  for (const reminder of [...current, ...incoming]) if (!byKey.has(reminder.key)) byKey.set(reminder.key, reminder);
  return [...byKey.values()].sort((a, b) => b.at.localeCompare(a.at)).slice(0, limit);
}

/**
 * When a snoozed reminder comes again: `forMs` from now, but never after the task's due time (the API refuses a
 * reminder after it); undefined when the task is already due, as there is nothing left to be reminded before.
 */
export function snoozeUntil(reminder: Pick<Reminder, 'dueAt'>, now: Date, forMs: number): string | undefined {
  const wanted = now.getTime() + forMs;
  const due = reminder.dueAt ? Date.parse(reminder.dueAt) : Number.NaN;
  if (Number.isNaN(due)) return new Date(wanted).toISOString();
  if (due <= now.getTime()) return undefined;
  return new Date(Math.min(wanted, due)).toISOString();
}
