// Moving into a won or lost stage asks first: lost needs the reason the API requires (lostReason).
import { useState } from 'react';
import { Dialog } from '../../ui/dialog';
import { Field } from '../../ui/field';

const COMMON_REASONS = ['Price', 'Went with a competitor', 'No budget', 'No decision', 'Timing', 'Product fit'];

export function CloseDealDialog({
  kind,
  dealTitle,
  stageName,
  onCancel,
  onConfirm,
}: {
  kind: 'won' | 'lost';
  dealTitle: string;
  stageName: string;
  onCancel: () => void;
  onConfirm: (lostReason?: string) => void;
}) {
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | undefined>();
  const confirm = () => {
    if (kind === 'lost' && !reason.trim()) return setError('Say why it was lost; it feeds the loss analysis.');
    onConfirm(kind === 'lost' ? reason.trim() : undefined);
  };
  return (
    <Dialog
      open
      onClose={onCancel}
      title={kind === 'won' ? `Mark “${dealTitle}” as won?` : `Mark “${dealTitle}” as lost?`}
      description={kind === 'won' ? `It moves to ${stageName} and counts as closed won.` : `It moves to ${stageName}.`}
      onSubmit={confirm}
      footer={
        <>
          <button type="button" className="btn" onClick={onCancel}>
            Cancel
          </button>
          <button type="submit" className={`btn ${kind === 'won' ? 'btn-primary' : 'btn-danger'}`}>
            {kind === 'won' ? 'Mark as won' : 'Mark as lost'}
          </button>
        </>
      }
    >
      {kind === 'lost' ? (
        <div className="stack">
          <Field label="Reason" required error={error}>
            <input
              className="input"
              autoFocus
              value={reason}
              onChange={(e) => (setReason(e.target.value), setError(undefined))}
            />
          </Field>
          <div className="row wrap" role="group" aria-label="Common reasons">
            {COMMON_REASONS.map((r) => (
              <button
                key={r}
                type="button"
                className="btn btn-sm"
                aria-pressed={reason === r}
                onClick={() => (setReason(r), setError(undefined))}
              >
                {r}
              </button>
            ))}
          </div>
        </div>
      ) : (
        <p className="muted">Congratulations! 🎉</p>
      )}
    </Dialog>
  );
}
