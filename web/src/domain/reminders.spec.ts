import { describe, expect, it } from 'vitest';
import {
  dueReminders,
  mergeReminders,
  nextReminderDelay,
  reminderFromEvent,
  reminderKey,
  snoozeUntil,
} from './reminders';

const task = (id: string, reminderAt: string | null, status = 'open') => ({
  id,
  title: `Task ${id}`,
  status,
  dueAt: '2026-12-01T12:00:00.000Z',
  reminderAt,
});

const NOW = new Date('2026-12-01T10:00:00.000Z');

describe('task reminders', () => {
  const tasks = [
    task('late', '2026-12-01T09:59:00.000Z'),
    task('now', '2026-12-01T10:00:00.000Z'),
    task('soon', '2026-12-01T10:05:00.000Z'),
    task('later', '2026-12-01T11:00:00.000Z'),
    task('done', '2026-12-01T09:00:00.000Z', 'completed'),
    task('none', null),
  ];

  it('are due from their reminder time on, for open tasks only, oldest first', () => {
    expect(dueReminders(tasks, NOW, new Set()).map((r) => r.taskId)).toEqual(['late', 'now']);
  });

  it('are told once: a reminder already shown is not due again', () => {
    const told = new Set([reminderKey('late', '2026-12-01T09:59:00.000Z')]);
    expect(dueReminders(tasks, NOW, told).map((r) => r.taskId)).toEqual(['now']);
  });

  it('come again after a snooze (a new reminder time is a new reminder)', () => {
    const told = new Set([reminderKey('late', '2026-12-01T09:00:00.000Z')]);
    expect(dueReminders([task('late', '2026-12-01T09:59:00.000Z')], NOW, told)).toHaveLength(1);
  });

  it('wake the app when the next one falls due', () => {
    expect(nextReminderDelay(tasks, NOW)).toBe(5 * 60_000);
    expect(nextReminderDelay([task('x', null)], NOW)).toBeUndefined();
    const later = new Date(NOW.getTime() + 10 * 60_000);
    expect(nextReminderDelay(tasks, later)).toBe(50 * 60_000);
  });

  it('read the task.reminder event the gateway relays, and nothing else', () => {
    const event = {
      type: 'task.reminder',
      aggregateId: 't1',
      data: { task: { id: 't1', title: 'Call Zoë', status: 'open', dueAt: null, reminderAt: '2026-12-01T10:00:00Z' } },
    };
    expect(reminderFromEvent(event)).toEqual({
      key: 't1@2026-12-01T10:00:00.000Z',
      taskId: 't1',
      title: 'Call Zoë',
      dueAt: null,
      at: '2026-12-01T10:00:00.000Z',
    });
    expect(reminderFromEvent({ ...event, type: 'task.updated' })).toBeUndefined();
    expect(reminderFromEvent({ ...event, data: null })).toBeUndefined();
  });

  it('are listed newest first, each once, however it arrived', () => {
    const a = dueReminders([task('a', '2026-12-01T09:00:00Z')], NOW, new Set());
    const b = dueReminders([task('b', '2026-12-01T09:30:00Z')], NOW, new Set());
    expect(mergeReminders([...a], [...b, ...a]).map((r) => r.taskId)).toEqual(['b', 'a']);
    expect(mergeReminders(a, b, 1).map((r) => r.taskId)).toEqual(['b']);
  });

  it('snooze for the time asked, but not past the due time, and not at all once the task is due', () => {
    const hour = 3_600_000;
    expect(snoozeUntil({ dueAt: null }, NOW, hour)).toBe('2026-12-01T11:00:00.000Z');
    expect(snoozeUntil({ dueAt: '2026-12-01T12:00:00.000Z' }, NOW, hour)).toBe('2026-12-01T11:00:00.000Z');
    expect(snoozeUntil({ dueAt: '2026-12-01T10:20:00.000Z' }, NOW, hour)).toBe('2026-12-01T10:20:00.000Z');
    expect(snoozeUntil({ dueAt: '2026-12-01T10:00:00.000Z' }, NOW, hour)).toBeUndefined();
  });
});
