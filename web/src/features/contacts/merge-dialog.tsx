// Merging a duplicate: both records side by side, the user picks which one stays; the other's activities move
// to it, its empty fields are filled, and the other becomes a tombstone (POST /contacts/{keep}/merge).
import { ArrowLeftRight } from 'lucide-react';
import { useState } from 'react';
import type { Contact } from '../../api/types';
import { fullName, humanize } from '../../domain/format';
import { Dialog } from '../../ui/dialog';

function Summary({ contact, keep }: { contact: Contact; keep: boolean }) {
  return (
    <div className={`merge-side card card-pad${keep ? ' merge-keep' : ''}`}>
      <div className="row-between">
        <strong>{fullName(contact)}</strong>
        <span className={`badge ${keep ? 'badge-success' : 'badge-danger'}`}>{keep ? 'Stays' : 'Merged in'}</span>
      </div>
      <dl className="merge-facts">
        <dt>Email</dt>
        <dd>{contact.emails.map((e) => e.address).join(', ') || '—'}</dd>
        <dt>Phone</dt>
        <dd>{contact.phones.map((p) => p.number).join(', ') || '—'}</dd>
        <dt>Company</dt>
        <dd>{contact.companyName || '—'}</dd>
        <dt>Stage</dt>
        <dd>{contact.lifecycleStage ? humanize(contact.lifecycleStage) : '—'}</dd>
      </dl>
    </div>
  );
}

export function MergeDialog({
  current,
  other,
  busy,
  onClose,
  onMerge,
}: {
  current: Contact;
  other: Contact;
  busy: boolean;
  onClose: () => void;
  onMerge: (keep: Contact, source: Contact) => void;
}) {
  const [keepCurrent, setKeepCurrent] = useState(true);
  const keep = keepCurrent ? current : other;
  const source = keepCurrent ? other : current;
  return (
    <Dialog
      open
      wide
      onClose={onClose}
      title="Merge duplicate contacts"
      description="Activities move to the contact that stays; its empty fields are filled from the other."
      footer={
        <>
          <button type="button" className="btn" onClick={onClose}>
            Cancel
          </button>
          <button type="button" className="btn btn-primary" disabled={busy} onClick={() => onMerge(keep, source)}>
            {busy ? 'Merging…' : `Merge into ${fullName(keep)}`}
          </button>
        </>
      }
    >
      <div className="merge-grid">
        <Summary contact={keep} keep />
        <button
          type="button"
          className="icon-btn"
          aria-label="Swap which contact stays"
          onClick={() => setKeepCurrent((k) => !k)}
        >
          <ArrowLeftRight size={18} />
        </button>
        <Summary contact={source} keep={false} />
      </div>
    </Dialog>
  );
}
