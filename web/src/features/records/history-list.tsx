// Who changed what and when on a record, as its history answers it: one entry per version, newest first.
import { useHistory, type HistoryResource } from '../../api/history.api';
import { useAccess } from '../../app/access';
import { formatDateTime, humanize, personLabel, relativeTime } from '../../domain/format';
import { describeValue } from '../../domain/record-conflict';
import { ErrorPanel, SkeletonRows } from '../../ui/misc';

/** "contact.updated" → "Updated"; the resource is clear from the page. */
function eventLabel(type: string): string {
  return humanize(type.split('.').slice(1).join(' ') || type);
}

function fieldLabel(field: string): string {
  return humanize(
    field
      .replace(/^customFields\./, '')
      .replace(/([a-z])([A-Z])/g, '$1 $2')
      .toLowerCase(),
  );
}

export function HistoryList({ resource, id }: { resource: HistoryResource; id: string }) {
  const access = useAccess();
  const history = useHistory(resource, id, true);
  if (history.isPending) return <SkeletonRows rows={3} />;
  if (history.isError && !history.data)
    return <ErrorPanel error={history.error} onRetry={() => void history.refetch()} />;
  const entries = history.data ?? [];
  if (entries.length === 0) return <p className="subtle">No changes yet.</p>;
  return (
    <ol className="history-list" aria-label="History of changes">
      {entries.map((entry) => (
        <li key={entry.version} className="history-entry">
          <div className="row-between">
            <strong>{eventLabel(entry.type)}</strong>
            <time className="subtle" dateTime={entry.at} title={formatDateTime(entry.at)}>
              {relativeTime(entry.at)}
            </time>
          </div>
          <div className="subtle">
            Version {entry.version} · by{' '}
            {entry.actorUserId ? personLabel(entry.actorUserId, access.userId) : entry.actorClientId || 'the system'}
          </div>
          {entry.changes.length > 0 ? (
            <ul className="change-list">
              {entry.changes.map((change) => (
                <li key={change.field}>
                  <strong>{fieldLabel(change.field)}</strong>: <del>{describeValue(change.from)}</del> →{' '}
                  <ins>{describeValue(change.to)}</ins>
                </li>
              ))}
            </ul>
          ) : null}
        </li>
      ))}
    </ol>
  );
}
