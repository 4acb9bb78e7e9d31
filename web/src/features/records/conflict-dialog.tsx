import { humanize } from '../../domain/format';
import { describeValue } from '../../domain/record-conflict';
import { Dialog } from '../../ui/dialog';
import type { PendingConflict } from './use-versioned-patch';

function label(field: string): string {
  return humanize(
    field
      .replace(/^customFields\./, '')
      .replace(/([a-z])([A-Z])/g, '$1 $2')
      .toLowerCase(),
  );
}

/** A 412 explained: who changed what meanwhile, and a choice to re-apply the user's edit or keep theirs. */
export function ConflictDialog<T extends object, P extends object>({
  pending,
  recordLabel,
  onReapply,
  onDiscard,
}: {
  pending: PendingConflict<T, P> | undefined;
  recordLabel: string;
  onReapply: () => void;
  onDiscard: () => void;
}) {
  const theirs = pending?.conflict.theirs ?? [];
  const clashes = new Set(pending?.conflict.clashes ?? []);
  const mine = Object.entries(pending?.patch ?? {});
  return (
    <Dialog
      open={pending !== undefined}
      onClose={onDiscard}
      title="Someone else changed this meanwhile"
      description={`Your edit was not saved: the ${recordLabel} changed since you opened it.`}
      footer={
        <>
          <button type="button" className="btn" onClick={onDiscard}>
            Keep their version
          </button>
          <button type="button" className="btn btn-primary" onClick={onReapply}>
            Re-apply my change
          </button>
        </>
      }
    >
      <div className="stack">
        <section>
          <h3 className="section-title" style={{ marginBottom: 6 }}>
            What changed
          </h3>
          {theirs.length === 0 ? (
            <p className="muted">Only bookkeeping changed; re-applying is safe.</p>
          ) : (
            <ul className="change-list">
              {theirs.map((change) => (
                <li key={change.field} className={clashes.has(change.field) ? 'change-clash' : undefined}>
                  <strong>{label(change.field)}</strong>: <del>{describeValue(change.before)}</del> →{' '}
                  <ins>{describeValue(change.after)}</ins>
                  {clashes.has(change.field) ? <span className="badge badge-warning">you changed this too</span> : null}
                </li>
              ))}
            </ul>
          )}
        </section>
        <section>
          <h3 className="section-title" style={{ marginBottom: 6 }}>
            Your change
          </h3>
          <ul className="change-list">
            {mine.map(([field, value]) => (
              <li key={field}>
                <strong>{label(field)}</strong>: {describeValue(value)}
              </li>
            ))}
          </ul>
        </section>
      </div>
    </Dialog>
  );
}
