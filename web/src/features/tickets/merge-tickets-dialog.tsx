import { useQueryClient } from '@tanstack/react-query';
import { X } from 'lucide-react';
import { useState } from 'react';
import { fetchTickets, mergeTickets, ticketKeys, useTicketCache, type Ticket } from '../../api/tickets.api';
import { Dialog } from '../../ui/dialog';
import { useToasts } from '../../ui/toast';
import { RecordPicker, type PickerOption } from '../records/record-picker';

/** Closes the chosen duplicates into this ticket; their conversation then shows here. */
export function MergeTicketsDialog({ ticket, onClose }: { ticket: Ticket; onClose: () => void }) {
  const client = useQueryClient();
  const toasts = useToasts();
  const remember = useTicketCache();
  const [sources, setSources] = useState<PickerOption[]>([]);
  const [saving, setSaving] = useState(false);

  const search = (text: string, signal: AbortSignal) =>
    fetchTickets({ q: text }, undefined, signal).then((page) =>
      page.data
        .filter((t) => t.id !== ticket.id && !t.mergedInto && !sources.some((s) => s.id === t.id))
        .map((t) => ({ id: t.id, label: t.subject, detail: t.requesterEmail || t.status })),
    );

  const merge = async () => {
    setSaving(true);
    try {
      const merged = await mergeTickets(
        ticket.id,
        ticket.version,
        sources.map((s) => s.id),
      );
      remember(merged);
      void client.invalidateQueries({ queryKey: ticketKeys.comments(ticket.id) });
      toasts.success(sources.length === 1 ? 'Ticket merged' : `${sources.length} tickets merged`);
      onClose();
    } catch (error) {
      if (error instanceof Error && 'isConflict' in error && error.isConflict)
        void client.invalidateQueries({ queryKey: ticketKeys.detail(ticket.id) });
      toasts.error(error, 'Not merged');
    } finally {
      setSaving(false);
    }
  };

  return (
    <Dialog
      open
      onClose={onClose}
      title="Merge duplicate tickets"
      description="The duplicates are closed and their conversation shows on this ticket."
      footer={
        <>
          <button type="button" className="btn" onClick={onClose}>
            Cancel
          </button>
          <button
            type="button"
            className="btn btn-primary"
            disabled={sources.length === 0 || saving}
            onClick={() => void merge()}
          >
            Merge {sources.length || ''} into this ticket
          </button>
        </>
      }
    >
      <div className="stack">
        <RecordPicker
          label="Duplicate ticket"
          value={undefined}
          onChange={(option) => option && setSources((all) => [...all, option])}
          search={search}
          queryKey={`ticket-merge-${ticket.id}-${sources.length}`}
          placeholder="Search by subject or requester…"
        />
        {sources.length > 0 ? (
          <ul className="change-list" aria-label="Tickets to merge">
            {sources.map((s) => (
              <li key={s.id} className="row">
                <span className="grow">{s.label}</span>
                <button
                  type="button"
                  className="icon-btn"
                  aria-label={`Do not merge ${s.label}`}
                  onClick={() => setSources((all) => all.filter((x) => x.id !== s.id))}
                >
                  <X size={14} />
                </button>
              </li>
            ))}
          </ul>
        ) : null}
      </div>
    </Dialog>
  );
}
