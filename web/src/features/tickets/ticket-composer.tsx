// Reply to the requester or leave an internal note: one box, a switch between the two, optional links to files
// (attachments are metadata; the file lives at its https URL) and a status to set with the message.
import { useQueryClient } from '@tanstack/react-query';
import { Lock, Paperclip, Send, X } from 'lucide-react';
import { useState } from 'react';
import { addComment, ticketKeys, useTicketCache, type CommentCreate, type Ticket } from '../../api/tickets.api';
import { humanize } from '../../domain/format';
import { SETTABLE_STATUSES } from '../../domain/ticket-queues';
import { useToasts } from '../../ui/toast';

type Attachment = CommentCreate['attachments'] extends (infer A)[] | undefined ? A : never;

const TYPES: Record<string, string> = {
  pdf: 'application/pdf',
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  txt: 'text/plain',
  csv: 'text/csv',
  log: 'text/plain',
  zip: 'application/zip',
};

function attachmentOf(url: string, name: string): Attachment | string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'Not a web address';
  }
  if (parsed.protocol !== 'https:') return 'Only https links';
  const fileName = name.trim() || decodeURIComponent(parsed.pathname.split('/').pop() || '') || parsed.hostname;
  const ext = fileName.split('.').pop()?.toLowerCase() ?? '';
  return {
    name: fileName,
    url: parsed.toString(),
    contentType: TYPES[ext] ?? 'application/octet-stream',
    sizeBytes: 0,
  };
}

export function TicketComposer({ ticket }: { ticket: Ticket }) {
  const client = useQueryClient();
  const toasts = useToasts();
  const remember = useTicketCache();
  const [mode, setMode] = useState<'public' | 'note'>('public');
  const [body, setBody] = useState('');
  const [status, setStatus] = useState('');
  const [attachments, setAttachments] = useState<Attachment[]>([]);
  const [linking, setLinking] = useState(false);
  const [link, setLink] = useState({ url: '', name: '', error: '' });
  const [sending, setSending] = useState(false);
  const isNote = mode === 'note';

  const send = async () => {
    if (!body.trim()) return;
    setSending(true);
    try {
      const result = await addComment(ticket.id, {
        body: body.trim(),
        public: !isNote,
        attachments,
        authorKind: 'agent',
        ...(status ? { status: status as CommentCreate['status'] } : {}),
      });
      remember(result.ticket);
      void client.invalidateQueries({ queryKey: ticketKeys.comments(ticket.id) });
      setBody('');
      setStatus('');
      setAttachments([]);
      toasts.success(isNote ? 'Internal note added' : 'Reply sent');
    } catch (error) {
      toasts.error(error, isNote ? 'Note not added' : 'Reply not sent');
    } finally {
      setSending(false);
    }
  };

  const addLink = () => {
    const result = attachmentOf(link.url.trim(), link.name);
    if (typeof result === 'string') setLink({ ...link, error: result });
    else {
      setAttachments((all) => [...all, result]);
      setLink({ url: '', name: '', error: '' });
      setLinking(false);
    }
  };

  return (
    <form
      className={`card composer${isNote ? ' composer-note' : ''}`}
      aria-label="Reply or note"
      onSubmit={(e) => {
        e.preventDefault();
        void send();
      }}
    >
      <div className="card-header">
        <div className="segmented" role="group" aria-label="Message kind">
          <button type="button" aria-pressed={!isNote} onClick={() => setMode('public')}>
            Public reply
          </button>
          <button type="button" aria-pressed={isNote} onClick={() => setMode('note')}>
            <Lock size={12} aria-hidden="true" /> Internal note
          </button>
        </div>
      </div>
      <div className="card-body stack">
        <textarea
          className="textarea"
          rows={4}
          aria-label={isNote ? 'Internal note' : 'Reply to the requester'}
          placeholder={isNote ? 'Only agents see this note' : `Reply to ${ticket.requesterEmail || 'the requester'}`}
          value={body}
          onChange={(e) => setBody(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && (e.metaKey || e.ctrlKey)) void send();
          }}
        />
        {attachments.length > 0 ? (
          <ul className="attachment-list" aria-label="Attachments to send">
            {attachments.map((a, i) => (
              <li key={`${a.url}-${i}`} className="badge">
                <Paperclip size={12} aria-hidden="true" /> {a.name}
                <button
                  type="button"
                  className="icon-btn icon-btn-sm"
                  aria-label={`Remove ${a.name}`}
                  onClick={() => setAttachments((all) => all.filter((_, j) => j !== i))}
                >
                  <X size={12} />
                </button>
              </li>
            ))}
          </ul>
        ) : null}
        {linking ? (
          <div className="row wrap">
            <input
              className="input grow"
              type="url"
              aria-label="File link (https)"
              placeholder="https://files.example.com/report.pdf"
              value={link.url}
              onChange={(e) => setLink({ ...link, url: e.target.value, error: '' })}
            />
            <input
              className="input"
              style={{ width: 160 }}
              aria-label="File name"
              placeholder="Name (optional)"
              value={link.name}
              onChange={(e) => setLink({ ...link, name: e.target.value })}
            />
            <button type="button" className="btn btn-sm" onClick={addLink}>
              Attach
            </button>
            {link.error ? <span className="field-error">{link.error}</span> : null}
          </div>
        ) : null}
        <div className="row wrap composer-actions">
          <button type="button" className="btn btn-sm" onClick={() => setLinking((v) => !v)}>
            <Paperclip size={14} aria-hidden="true" /> Attach link
          </button>
          <span className="grow" />
          <select
            className="select"
            aria-label="Status after sending"
            value={status}
            onChange={(e) => setStatus(e.target.value)}
          >
            <option value="">Keep status ({humanize(ticket.status)})</option>
            {SETTABLE_STATUSES.filter((s) => s !== ticket.status).map((s) => (
              <option key={s} value={s}>
                Set {humanize(s).toLowerCase()}
              </option>
            ))}
          </select>
          <button type="submit" className="btn btn-primary" disabled={sending || !body.trim()}>
            {isNote ? <Lock size={15} aria-hidden="true" /> : <Send size={15} aria-hidden="true" />}
            {isNote ? 'Add note' : 'Send reply'}
          </button>
        </div>
      </div>
    </form>
  );
}
