import { Circle, ListTodo } from 'lucide-react';
import { Link } from 'react-router';
import { useCompleteTask, useMyTasks, type Task } from '../../api/tasks.api';
import { useAccess } from '../../app/access';
import { formatDateTime, humanize, relativeTime } from '../../domain/format';
import { useToasts } from '../../ui/toast';
import { EmptyState, ErrorPanel, InfiniteSentinel, PageHeader, SkeletonRows, Spinner } from '../../ui/misc';

function recordLink(task: Task): { to: string; label: string } | undefined {
  if (task.dealId) return { to: `/deals/${task.dealId}`, label: 'Deal' };
  if (task.contactId) return { to: `/contacts/${task.contactId}`, label: 'Contact' };
  if (task.companyId) return { to: `/companies/${task.companyId}`, label: 'Company' };
  return undefined;
}

export function MyTasksPage() {
  const access = useAccess();
  const toasts = useToasts();
  const list = useMyTasks();
  const complete = useCompleteTask();
  // The API lists overdue tasks first; the page keeps that order.
  const tasks = list.data?.pages.flatMap((p) => p.data) ?? [];
  const overdue = tasks.filter((t) => t.overdue).length;

  return (
    <div className="page">
      <PageHeader
        title="My tasks"
        subtitle={overdue ? `${overdue} overdue` : 'Open tasks, overdue first'}
        actions={list.isFetching && !list.isFetchingNextPage ? <Spinner label="Updating" /> : null}
      />
      {list.isPending ? (
        <SkeletonRows rows={6} />
      ) : list.isError && tasks.length === 0 ? (
        <ErrorPanel error={list.error} onRetry={() => void list.refetch()} />
      ) : tasks.length === 0 ? (
        <EmptyState icon={<ListTodo size={22} />} title="Nothing to do">
          Tasks assigned to you, by a colleague or an automation, show up here.
        </EmptyState>
      ) : (
        <div className="record-list card">
          <ul aria-label="My tasks">
            {tasks.map((task) => {
              const record = recordLink(task);
              return (
                <li key={task.id} className="record-row task-row" data-task-id={task.id}>
                  {access.can('tasksWrite') ? (
                    <button
                      type="button"
                      className="icon-btn"
                      aria-label={`Complete ${task.title}`}
                      onClick={() =>
                        complete.mutate(task, {
                          onSuccess: () => toasts.success('Task completed', task.title),
                          onError: (error) => toasts.error(error, 'The task was not completed'),
                        })
                      }
                    >
                      <Circle size={18} aria-hidden="true" />
                    </button>
                  ) : null}
                  <span className="grow" style={{ minWidth: 0 }}>
                    <span className="record-title truncate">{task.title}</span>
                    {task.description ? <span className="subtle truncate">{task.description}</span> : null}
                  </span>
                  {task.priority !== 'normal' ? <span className="badge">{humanize(task.priority)}</span> : null}
                  <span
                    className={task.overdue ? 'badge badge-danger' : 'subtle nowrap'}
                    title={formatDateTime(task.dueAt)}
                  >
                    {task.dueAt
                      ? task.overdue
                        ? `Overdue · ${relativeTime(task.dueAt)}`
                        : relativeTime(task.dueAt)
                      : 'No due date'}
                  </span>
                  {record ? (
                    <Link to={record.to} className="btn btn-sm">
                      {record.label}
                    </Link>
                  ) : null}
                </li>
              );
            })}
          </ul>
          {list.hasNextPage ? (
            <InfiniteSentinel onVisible={() => void list.fetchNextPage()} disabled={list.isFetchingNextPage} />
          ) : null}
        </div>
      )}
    </div>
  );
}
