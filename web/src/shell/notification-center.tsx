// The notification centre: task reminders as they fall due, from the event stream (task.reminder) and, so none is
// lost while the stream was down, from the user's open tasks with the clock. A new reminder also shows as a toast
// and, when the user allowed it, as a browser notification.
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { AlarmClock, Bell, BellRing } from 'lucide-react';
import { useCallback, useEffect, useRef, useState } from 'react';
import { useNavigate } from 'react-router';
import { api, unwrap } from '../api/http-client';
import { queryKeys } from '../api/query-keys';
import { useAccess } from '../app/access';
import { relativeTime } from '../domain/format';
import {
  dueReminders,
  mergeReminders,
  nextReminderDelay,
  reminderFromEvent,
  snoozeUntil,
  type Reminder,
} from '../domain/reminders';
import { onLiveEvent } from '../live/live-updates';
import { MenuButton } from '../ui/menu';
import { useToasts } from '../ui/toast';

export type Clock = () => Date;

interface Stored {
  items: Reminder[];
  told: string[];
  read: string[];
}

/** Reminders older than this are listed but not popped up (a first sign-in in a new browser stays quiet). */
const POP_WITHIN_MS = 60 * 60_000;
const MAX_TOLD = 500;

function load(key: string): Stored {
  try {
    const value = JSON.parse(localStorage.getItem(key) ?? '') as Partial<Stored>;
    return { items: value.items ?? [], told: value.told ?? [], read: value.read ?? [] };
  } catch {
    return { items: [], told: [], read: [] };
  }
}

function notificationPermission(): NotificationPermission | 'unsupported' {
  return typeof Notification === 'undefined' ? 'unsupported' : Notification.permission;
}

function useReminderFeed(userId: string | undefined, enabled: boolean, opened: boolean, clock: Clock) {
  const storageKey = `crm.reminders.${userId ?? 'anonymous'}`;
  const [stored, setStored] = useState<Stored>(() => load(storageKey));
  const toasts = useToasts();
  const navigate = useNavigate();
  const storedRef = useRef(stored);
  storedRef.current = stored;

  useEffect(() => setStored(load(storageKey)), [storageKey]);
  useEffect(() => localStorage.setItem(storageKey, JSON.stringify(stored)), [storageKey, stored]);

  // The task list is asked for once the user opened the centre or My tasks answered (the task service is there):
  // a screen that has nothing to do with tasks sends no request to it.
  const client = useQueryClient();
  const [tasksServed, setTasksServed] = useState(() => client.getQueryState(['tasks', 'mine'])?.status === 'success');
  useEffect(
    () =>
      client.getQueryCache().subscribe((change) => {
        const key = change.query.queryKey;
        if (key[0] === 'tasks' && key[1] === 'mine' && change.query.state.status === 'success') setTasksServed(true);
      }),
    [client],
  );
  const tasks = useQuery({
    queryKey: queryKeys.tasks.reminders,
    queryFn: ({ signal }) =>
      unwrap(api.GET('/api/v1/me/tasks', { params: { query: { limit: 100 } }, signal })).then((page) => page.data),
    enabled: enabled && (opened || tasksServed),
    staleTime: 60_000,
    refetchInterval: 5 * 60_000,
  });

  const announce = useCallback(
    (incoming: Reminder[]) => {
      const told = new Set(storedRef.current.told);
      const fresh = incoming.filter((r) => !told.has(r.key));
      if (fresh.length === 0) return;
      const now = clock().getTime();
      setStored((s) => ({
        ...s,
        items: mergeReminders(s.items, fresh),
        told: [...s.told, ...fresh.map((r) => r.key)].slice(-MAX_TOLD),
      }));
      for (const reminder of fresh) {
        if (now - Date.parse(reminder.at) > POP_WITHIN_MS) continue;
        const body = reminder.dueAt ? `Due ${relativeTime(reminder.dueAt, now)}` : 'Reminder';
        toasts.show({
          kind: 'info',
          title: `Reminder: ${reminder.title}`,
          body,
          action: { label: 'Open tasks', run: () => void navigate('/tasks') },
        });
        // The tag makes the system show one notification per reminder, across tabs too.
        if (notificationPermission() === 'granted')
          new Notification(`Reminder: ${reminder.title}`, { body, tag: reminder.key });
      }
    },
    [clock, navigate, toasts],
  );

  // The stream's reminders, as they happen.
  useEffect(
    () =>
      onLiveEvent((event) => {
        const reminder = reminderFromEvent(event);
        if (reminder) announce([reminder]);
      }),
    [announce],
  );

  // The tasks' reminders: those due now, and a wake-up for the next one.
  useEffect(() => {
    const list = tasks.data;
    if (!list) return;
    let timer: number | undefined;
    const check = () => {
      const now = clock();
      announce(dueReminders(list, now, new Set(storedRef.current.told)));
      const delay = nextReminderDelay(list, now);
      // Timers cap at 2^31 ms; a far reminder is looked at again by the periodic refetch.
      if (delay !== undefined && delay < 2 ** 31 - 1) timer = window.setTimeout(check, delay + 250);
    };
    check();
    return () => window.clearTimeout(timer);
  }, [tasks.data, clock, announce]);

  const markRead = useCallback(() => setStored((s) => ({ ...s, read: s.items.map((r) => r.key) })), []);
  const read = new Set(stored.read);
  return { items: stored.items, unread: stored.items.filter((r) => !read.has(r.key)).length, read, markRead };
}

const systemClock: Clock = () => new Date();

/** Runs once when the panel it sits in opens. */
function OnOpen({ run }: { run: () => void }) {
  useEffect(run, [run]);
  return null;
}

export function NotificationCenter({ clock = systemClock }: { clock?: Clock }) {
  const access = useAccess();
  const enabled = access.ready && access.can('tasksRead') && access.hasApi('GET /api/v1/me/tasks');
  const [opened, setOpened] = useState(false);
  const feed = useReminderFeed(access.userId, enabled, opened, clock);
  const [permission, setPermission] = useState(notificationPermission);
  const navigate = useNavigate();
  const client = useQueryClient();
  const toasts = useToasts();
  // The reminder comes again in an hour, or at the due time if sooner (a new reminder time is a new reminder).
  const snooze = async (reminder: Reminder) => {
    const until = snoozeUntil(reminder, clock(), 3_600_000);
    if (!until) return;
    try {
      await unwrap(
        api.POST('/api/v1/tasks/{id}/snooze', {
          params: { path: { id: reminder.taskId } },
          body: { until },
        }),
      );
      feed.markRead();
      toasts.success('Snoozed for an hour', reminder.title);
    } catch (error) {
      toasts.error(error, 'The reminder was not snoozed');
    } finally {
      void client.invalidateQueries({ queryKey: queryKeys.tasks.all });
    }
  };
  if (!enabled) return null;
  const Icon = feed.unread > 0 ? BellRing : Bell;
  return (
    <MenuButton
      label={feed.unread > 0 ? `Notifications, ${feed.unread} unread` : 'Notifications'}
      className="icon-btn notification-button"
      buttonContent={
        <>
          <Icon size={18} aria-hidden="true" />
          {feed.unread > 0 ? (
            <span className="notification-count" aria-hidden="true">
              {feed.unread > 9 ? '9+' : feed.unread}
            </span>
          ) : null}
        </>
      }
    >
      {(close) => (
        <section className="notification-panel" aria-label="Notification centre">
          <OnOpen run={() => setOpened(true)} />
          <div className="row" style={{ padding: '6px 10px', justifyContent: 'space-between' }}>
            <h2 className="section-title">Reminders</h2>
            {feed.unread > 0 ? (
              <button type="button" className="btn btn-ghost btn-sm" onClick={feed.markRead}>
                Mark all read
              </button>
            ) : null}
          </div>
          {permission === 'default' ? (
            <button
              type="button"
              className="menu-item"
              onClick={() => void Notification.requestPermission().then(setPermission)}
            >
              <BellRing size={16} aria-hidden="true" /> Also notify me outside the app
            </button>
          ) : null}
          {feed.items.length === 0 ? (
            <p className="subtle" style={{ padding: '4px 10px 10px' }}>
              No reminders yet. Tasks with a reminder time show up here when it comes.
            </p>
          ) : (
            <ul className="notification-list" aria-label="Reminders">
              {feed.items.map((reminder) => (
                <li
                  key={reminder.key}
                  className={`notification-item${feed.read.has(reminder.key) ? '' : ' notification-unread'}`}
                >
                  <button
                    type="button"
                    className="menu-item"
                    onClick={() => {
                      close();
                      feed.markRead();
                      void navigate('/tasks');
                    }}
                  >
                    <span className="grow" style={{ minWidth: 0 }}>
                      <span className="record-title truncate">{reminder.title}</span>
                      <span className="subtle">
                        Reminder {relativeTime(reminder.at)}
                        {reminder.dueAt ? ` · due ${relativeTime(reminder.dueAt)}` : ''}
                      </span>
                    </span>
                  </button>
                  {snoozeUntil(reminder, clock(), 3_600_000) ? (
                    <button
                      type="button"
                      className="btn btn-ghost btn-sm"
                      aria-label={`Snooze ${reminder.title} for an hour`}
                      onClick={() => void snooze(reminder)}
                    >
                      <AlarmClock size={14} aria-hidden="true" /> Snooze
                    </button>
                  ) : null}
                </li>
              ))}
            </ul>
          )}
        </section>
      )}
    </MenuButton>
  );
}
