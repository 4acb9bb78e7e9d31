import { useQueryClient } from '@tanstack/react-query';
import {
  ArrowLeft,
  GitMerge,
  Lock,
  MessageSquare,
  Paperclip,
  ThumbsDown,
  ThumbsUp,
  TriangleAlert,
  Wand2,
} from 'lucide-react';
import { useCallback, useState } from 'react';
import { Link, useParams } from 'react-router';
import {
  applyMacro,
  fetchTicket,
  patchTicket,
  ticketKeys,
  useMacros,
  useTicket,
  useTicketCache,
  useTicketComments,
  type Ticket,
  type TicketComment,
  type TicketPatch,
} from '../../api/tickets.api';
import { useAccess } from '../../app/access';
import { formatDateTime, humanize, relativeTime } from '../../domain/format';
import {
  PRIORITY_BADGE,
  SETTABLE_STATUSES,
  STATUS_BADGE,
  TICKET_PRIORITIES,
  TICKET_TYPES,
} from '../../domain/ticket-queues';
import { EmptyState, ErrorPanel, SkeletonRows } from '../../ui/misc';
import { useToasts } from '../../ui/toast';
import { ConflictDialog } from '../records/conflict-dialog';
import { InlineField } from '../records/inline-field';
import { useVersionedPatch } from '../records/use-versioned-patch';
import { SlaBadge, SlaTargets } from './sla-badge';
import { TicketComposer } from './ticket-composer';
import { MergeTicketsDialog } from './merge-tickets-dialog';
import { agentLabel, useTicketOptions } from './ticket-options';
import '../../styles/support.css';

export function TicketDetailPage() {
  const { id = '' } = useParams();
  const ticket = useTicket(id);
  if (ticket.isPending)
    return (
      <div className="page">
        <SkeletonRows rows={8} />
      </div>
    );
  if (!ticket.data)
    return (
      <div className="page">
        {ticket.error && 'isNotFound' in ticket.error && ticket.error.isNotFound ? (
          <EmptyState icon={<TriangleAlert size={22} />} title="Ticket not found">
            It was deleted or is not visible to you.
          </EmptyState>
        ) : (
          <ErrorPanel error={ticket.error} onRetry={() => void ticket.refetch()} />
        )}
      </div>
    );
  return <TicketDetail ticket={ticket.data} />;
}

function PropertySelect({
  label,
  value,
  options,
  disabled,
  onChange,
}: {
  label: string;
  value: string;
  options: { value: string; label: string }[];
  disabled?: boolean;
  onChange: (value: string) => void;
}) {
  return (
    <label className="field">
      <span className="field-label">{label}</span>
      <select className="select" value={value} disabled={disabled} onChange={(e) => onChange(e.target.value)}>
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </label>
  );
}

function TicketDetail({ ticket }: { ticket: Ticket }) {
  const access = useAccess();
  const toasts = useToasts();
  const client = useQueryClient();
  const remember = useTicketCache();
  const options = useTicketOptions();
  const editable = access.can('ticketsWrite');
  const curate = access.can('ticketsCurate');
  const [merging, setMerging] = useState(false);
  const patcher = useVersionedPatch<Ticket, TicketPatch>({
    queryKey: ticketKeys.detail(ticket.id),
    send: (version, patch) => patchTicket(ticket.id, version, patch),
    fetchLatest: useCallback(() => fetchTicket(ticket.id), [ticket.id]),
    onSaved: () => void client.invalidateQueries({ queryKey: ticketKeys.lists }),
  });
  const save = (patch: TicketPatch, done?: string) =>
    patcher.save(patch).then((ok) => {
      if (ok && done) toasts.success(done);
      return ok;
    });

  const statusOptions = [...new Set([...SETTABLE_STATUSES, ticket.status])].map((s) => ({
    value: s,
    label: humanize(s),
  }));
  const assignees = [
    { value: '', label: 'Unassigned' },
    ...(options.me ? [{ value: options.me, label: 'Me' }] : []),
    ...options.agents
      .filter((a) => a.userId !== options.me)
      .map((a) => ({ value: a.userId, label: agentLabel(a.userId, options.agents, options.me) })),
  ];
  if (ticket.assigneeId && !assignees.some((a) => a.value === ticket.assigneeId))
    assignees.push({ value: ticket.assigneeId, label: agentLabel(ticket.assigneeId, options.agents, options.me) });
  const groups = [...new Set([...options.groups, ticket.groupId].filter(Boolean))];

  return (
    <div className="page">
      <Link to="/tickets" className="back-link">
        <ArrowLeft size={15} aria-hidden="true" /> Queues
      </Link>
      <header className="record-header card card-pad">
        <div className="grow" style={{ minWidth: 0 }}>
          <h1>{ticket.subject}</h1>
          <div className="row wrap" style={{ marginTop: 6 }}>
            <span className={`badge ${STATUS_BADGE[ticket.status] ?? ''}`} data-testid="ticket-status">
              {humanize(ticket.status)}
            </span>
            <span className={`badge ${PRIORITY_BADGE[ticket.priority] ?? ''}`}>{humanize(ticket.priority)}</span>
            <SlaBadge sla={ticket.sla} />
            <span className="subtle">
              {humanize(ticket.channel || 'api')} · opened {relativeTime(ticket.createdAt)}
            </span>
          </div>
          {ticket.mergedInto ? (
            <p className="muted" style={{ marginTop: 6 }}>
              Merged into <Link to={`/tickets/${ticket.mergedInto}`}>another ticket</Link>.
            </p>
          ) : null}
        </div>
        {curate && !ticket.mergedInto ? (
          <button type="button" className="btn" onClick={() => setMerging(true)}>
            <GitMerge size={15} aria-hidden="true" /> Merge duplicates
          </button>
        ) : null}
      </header>
      <div className="detail-grid">
        <aside className="stack">
          <section className="card">
            <div className="card-header">
              <h2>Properties</h2>
            </div>
            <div className="card-body stack ticket-properties">
              <PropertySelect
                label="Status"
                value={ticket.status}
                options={statusOptions}
                disabled={!editable || patcher.saving}
                onChange={(v) => void save({ status: v as TicketPatch['status'] }, `Status: ${humanize(v)}`)}
              />
              <PropertySelect
                label="Priority"
                value={ticket.priority}
                options={TICKET_PRIORITIES.map((p) => ({ value: p, label: humanize(p) }))}
                disabled={!editable || patcher.saving}
                onChange={(v) => void save({ priority: v as TicketPatch['priority'] }, `Priority: ${humanize(v)}`)}
              />
              <PropertySelect
                label="Type"
                value={ticket.type}
                options={[...new Set([...(ticket.type ? [] : ['']), ...TICKET_TYPES, ticket.type])].map((t) => ({
                  value: t,
                  label: t ? humanize(t) : 'Not set',
                }))}
                disabled={!editable || patcher.saving}
                onChange={(v) => void save({ type: v as NonNullable<TicketPatch['type']> })}
              />
              <PropertySelect
                label="Assignee"
                value={ticket.assigneeId}
                options={assignees}
                disabled={!editable || patcher.saving}
                onChange={(v) => void save({ assigneeId: v || null }, v ? 'Assigned' : 'Unassigned')}
              />
              <PropertySelect
                label="Group"
                value={ticket.groupId}
                options={groups.map((g) => ({ value: g, label: g }))}
                disabled={!editable || patcher.saving}
                onChange={(v) => void save({ groupId: v }, `Moved to ${v}`)}
              />
              <dl className="inline-fields">
                <InlineField
                  label="Tags"
                  value={ticket.tags.join(', ')}
                  display={ticket.tags.length ? ticket.tags.map((t) => `#${t}`).join(' ') : undefined}
                  readOnly={!editable}
                  onSave={(v) =>
                    save({
                      tags: v
                        .split(',')
                        .map((t) => t.trim())
                        .filter(Boolean),
                    })
                  }
                />
                <div className="inline-field">
                  <dt className="inline-field-label">Requester</dt>
                  <dd className="inline-field-value">
                    {ticket.requesterContactId ? (
                      <Link to={`/contacts/${ticket.requesterContactId}`}>{ticket.requesterEmail || 'Contact'}</Link>
                    ) : (
                      ticket.requesterEmail || <span className="subtle">—</span>
                    )}
                  </dd>
                </div>
                {ticket.companyId ? (
                  <div className="inline-field">
                    <dt className="inline-field-label">Company</dt>
                    <dd className="inline-field-value">
                      <Link to={`/companies/${ticket.companyId}`}>Company</Link>
                    </dd>
                  </div>
                ) : null}
                {ticket.dealIds.length > 0 ? (
                  <div className="inline-field">
                    <dt className="inline-field-label">Deals</dt>
                    <dd className="inline-field-value row wrap">
                      {ticket.dealIds.map((d, i) => (
                        <Link key={d} to={`/deals/${d}`}>
                          Deal {i + 1}
                        </Link>
                      ))}
                    </dd>
                  </div>
                ) : null}
              </dl>
            </div>
          </section>
          <section className="card">
            <div className="card-header">
              <h2>SLA</h2>
            </div>
            <div className="card-body">
              <SlaTargets sla={ticket.sla} />
            </div>
          </section>
          <section className="card">
            <div className="card-header">
              <h2>Satisfaction</h2>
            </div>
            <div className="card-body">
              {ticket.csat ? (
                <div className="stack" data-testid="csat">
                  <span className={`badge ${ticket.csat.rating === 'good' ? 'badge-success' : 'badge-danger'}`}>
                    {ticket.csat.rating === 'good' ? (
                      <ThumbsUp size={13} aria-hidden="true" />
                    ) : (
                      <ThumbsDown size={13} aria-hidden="true" />
                    )}
                    {ticket.csat.rating === 'good' ? 'Good' : 'Bad'}
                  </span>
                  {ticket.csat.comment ? <blockquote className="csat-comment">{ticket.csat.comment}</blockquote> : null}
                  <span className="subtle">Answered {formatDateTime(ticket.csat.answeredAt)}</span>
                </div>
              ) : (
                <p className="subtle">
                  {ticket.solvedAt
                    ? 'The requester has not answered the survey yet.'
                    : 'A survey goes out when solved.'}
                </p>
              )}
            </div>
          </section>
        </aside>
        <section className="stack">
          {curate && editable && !ticket.mergedInto ? <MacroBar ticket={ticket} onApplied={remember} /> : null}
          <Conversation ticket={ticket} me={options.me} />
          {editable && !ticket.mergedInto && ticket.status !== 'closed' ? <TicketComposer ticket={ticket} /> : null}
        </section>
      </div>
      <ConflictDialog
        pending={patcher.conflict}
        recordLabel="ticket"
        onReapply={() => void patcher.reapply()}
        onDiscard={patcher.discard}
      />
      {merging ? <MergeTicketsDialog ticket={ticket} onClose={() => setMerging(false)} /> : null}
    </div>
  );
}

function MacroBar({ ticket, onApplied }: { ticket: Ticket; onApplied: (t: Ticket) => void }) {
  const client = useQueryClient();
  const toasts = useToasts();
  const macros = useMacros().data ?? [];
  const [choice, setChoice] = useState('');
  const [applying, setApplying] = useState(false);
  if (macros.length === 0) return null;
  const apply = async () => {
    const macro = macros.find((m) => m.id === choice);
    if (!macro) return;
    setApplying(true);
    try {
      const [result] = await applyMacro(macro.id, [ticket.id]);
      if (result?.outcome === 'ok' && result.ticket) {
        onApplied(result.ticket);
        void client.invalidateQueries({ queryKey: ticketKeys.comments(ticket.id) });
        toasts.success('Macro applied', macro.name);
        setChoice('');
      } else
        toasts.show({
          kind: 'error',
          title: 'Macro not applied',
          body: result?.message || humanize(result?.outcome ?? 'failed'),
        });
    } catch (error) {
      toasts.error(error, 'Macro not applied');
    } finally {
      setApplying(false);
    }
  };
  return (
    <div className="card card-pad row macro-bar">
      <Wand2 size={16} aria-hidden="true" />
      <select className="select grow" aria-label="Macro" value={choice} onChange={(e) => setChoice(e.target.value)}>
        <option value="">Apply a macro…</option>
        {macros.map((m) => (
          <option key={m.id} value={m.id}>
            {m.name}
          </option>
        ))}
      </select>
      <button type="button" className="btn" disabled={!choice || applying} onClick={() => void apply()}>
        Apply
      </button>
    </div>
  );
}

function authorOf(comment: TicketComment, me: string | undefined): string {
  if (comment.authorKind === 'requester') return 'Requester';
  if (comment.authorId && comment.authorId === me) return 'You';
  return comment.authorId ? `Agent ${comment.authorId.slice(0, 8)}` : 'Agent';
}

function formatSize(bytes: number): string {
  if (!bytes) return '';
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 ** 2) return `${(bytes / 1024).toFixed(0)} KB`;
  return `${(bytes / 1024 ** 2).toFixed(1)} MB`;
}

function Conversation({ ticket, me }: { ticket: Ticket; me: string | undefined }) {
  const comments = useTicketComments(ticket.id);
  const items = comments.data?.pages.flatMap((p) => p.data) ?? [];
  return (
    <section className="card">
      <div className="card-header">
        <h2>Conversation</h2>
        <span className="subtle">{ticket.commentCount} messages</span>
      </div>
      <ol className="conversation card-body" aria-label="Conversation">
        {ticket.description ? (
          <li className="message message-requester">
            <div className="message-meta">
              <strong>{ticket.requesterEmail || 'Requester'}</strong>
              <span className="subtle">{formatDateTime(ticket.createdAt)}</span>
            </div>
            <p className="message-body">{ticket.description}</p>
          </li>
        ) : null}
        {comments.isPending ? (
          <li>
            <SkeletonRows rows={2} />
          </li>
        ) : comments.isError ? (
          <li>
            <ErrorPanel error={comments.error} onRetry={() => void comments.refetch()} />
          </li>
        ) : null}
        {items.map((c) => (
          <li
            key={c.id}
            className={`message ${c.public ? (c.authorKind === 'requester' ? 'message-requester' : 'message-reply') : 'message-note'}`}
            data-comment-kind={c.public ? 'public' : 'note'}
          >
            <div className="message-meta">
              {c.public ? <MessageSquare size={14} aria-hidden="true" /> : <Lock size={14} aria-hidden="true" />}
              <strong>{authorOf(c, me)}</strong>
              <span className={`badge ${c.public ? '' : 'badge-warning'}`}>
                {c.public ? 'Public reply' : 'Internal note'}
              </span>
              <span className="subtle">{formatDateTime(c.createdAt)}</span>
              {c.originalTicketId && c.originalTicketId !== ticket.id ? (
                <Link to={`/tickets/${c.originalTicketId}`} className="subtle">
                  from a merged ticket
                </Link>
              ) : null}
            </div>
            <p className="message-body">{c.body}</p>
            {c.attachments.length > 0 ? (
              <ul className="attachment-list" aria-label="Attachments">
                {c.attachments.map((a, i) => (
                  <li key={`${a.url}-${i}`}>
                    <a href={a.url} target="_blank" rel="noopener noreferrer" className="badge">
                      <Paperclip size={12} aria-hidden="true" /> {a.name}
                      <span className="subtle">
                        {[a.contentType, formatSize(a.sizeBytes)].filter(Boolean).join(' · ')}
                      </span>
                    </a>
                  </li>
                ))}
              </ul>
            ) : null}
          </li>
        ))}
        {!comments.isPending && items.length === 0 && !ticket.description ? (
          <li className="subtle">No messages yet.</li>
        ) : null}
      </ol>
      {comments.hasNextPage ? (
        <div className="list-more">
          <button type="button" className="btn btn-sm" onClick={() => void comments.fetchNextPage()}>
            Older messages
          </button>
        </div>
      ) : null}
    </section>
  );
}
