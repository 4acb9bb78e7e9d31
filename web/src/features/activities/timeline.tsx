import type { InfiniteData, UseInfiniteQueryResult } from '@tanstack/react-query';
import { Clock } from 'lucide-react';
import type { Activity, Page } from '../../api/types';
import { formatDateTime, relativeTime } from '../../domain/format';
import { EmptyState, ErrorPanel, InfiniteSentinel, SkeletonRows } from '../../ui/misc';
import { activityMeta } from './activity-meta';

function describeCall(activity: Activity): string | undefined {
  if (!activity.call) return undefined;
  const minutes = activity.call.durationSeconds ? `${Math.round(activity.call.durationSeconds / 60)} min` : '';
  return [activity.call.direction, activity.call.outcome.replace(/_/g, ' '), minutes].filter(Boolean).join(' · ');
}

export function Timeline({ query }: { query: UseInfiniteQueryResult<InfiniteData<Page<Activity>>> }) {
  const activities = query.data?.pages.flatMap((p) => p.data) ?? [];
  if (query.isPending) return <SkeletonRows rows={4} />;
  if (query.isError && activities.length === 0)
    return <ErrorPanel error={query.error} onRetry={() => void query.refetch()} />;
  if (activities.length === 0)
    return (
      <EmptyState icon={<Clock size={22} />} title="No activity yet">
        Calls, emails, meetings and notes show up here.
      </EmptyState>
    );
  return (
    <ol className="timeline" aria-label="Timeline">
      {activities.map((activity) => {
        const meta = activityMeta(activity.type);
        const pending = activity.id.startsWith('pending-');
        return (
          <li key={activity.id} className={`timeline-item${pending ? ' pending' : ''}`}>
            <span className={`timeline-icon timeline-${activity.type}`} aria-hidden="true">
              <meta.icon size={15} />
            </span>
            <div className="timeline-content">
              <div className="row-between">
                <strong className="truncate">{activity.subject || meta.label}</strong>
                <time
                  className="subtle nowrap"
                  dateTime={activity.occurredAt ?? undefined}
                  title={formatDateTime(activity.occurredAt)}
                >
                  {pending ? 'Saving…' : relativeTime(activity.occurredAt)}
                </time>
              </div>
              <div className="subtle">
                {meta.label}
                {describeCall(activity) ? ` · ${describeCall(activity)}` : ''}
              </div>
              {activity.body ? <p className="timeline-body">{activity.body}</p> : null}
            </div>
          </li>
        );
      })}
      {query.hasNextPage ? (
        <InfiniteSentinel onVisible={() => void query.fetchNextPage()} disabled={query.isFetchingNextPage} />
      ) : null}
    </ol>
  );
}
