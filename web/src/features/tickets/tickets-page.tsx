import { Inbox, Plus, Search } from 'lucide-react';
import { useDeferredValue, useEffect, useState } from 'react';
import { Link } from 'react-router';
import { useTicketList } from '../../api/tickets.api';
import { useAccess } from '../../app/access';
import { humanize, relativeTime } from '../../domain/format';
import {
  ORDER_LABELS,
  PRIORITY_BADGE,
  QUEUES,
  STATUS_BADGE,
  TICKET_PRIORITIES,
  TICKET_STATUSES,
  queueOf,
  ticketListQuery,
  type TicketOrder,
} from '../../domain/ticket-queues';
import { EmptyState, ErrorPanel, InfiniteSentinel, PageHeader, SkeletonRows, Spinner } from '../../ui/misc';
import { useUrlFilters } from '../records/list-filters';
import { SlaBadge } from './sla-badge';
import { TicketCreateDialog } from './ticket-create-dialog';
import { agentLabel, useTicketOptions } from './ticket-options';
import '../../styles/support.css';

const KEYS = ['view', 'q', 'status', 'priority', 'groupId', 'assignee', 'tag', 'order'] as const;

export function TicketsPage() {
  const access = useAccess();
  const options = useTicketOptions();
  const { values, set } = useUrlFilters(KEYS);
  const [search, setSearch] = useState(values.q);
  const [creating, setCreating] = useState(false);
  const deferred = useDeferredValue(search.trim());
  useEffect(() => set('q', deferred), [deferred]); // eslint-disable-line react-hooks/exhaustive-deps

  const query = ticketListQuery({ ...values, q: deferred });
  const queue = queueOf(values.view);
  const list = useTicketList(query);
  const tickets = list.data?.pages.flatMap((p) => p.data) ?? [];
  const filtered = Boolean(
    deferred || values.status || values.priority || values.groupId || values.assignee || values.tag,
  );

  return (
    <div className="page">
      <PageHeader
        title="Tickets"
        subtitle={deferred ? 'Search across every queue' : queue.label}
        actions={
          access.can('ticketsWrite') ? (
            <button type="button" className="btn btn-primary" onClick={() => setCreating(true)}>
              <Plus size={16} aria-hidden="true" /> New ticket
            </button>
          ) : null
        }
      />
      <div className="tabs queue-tabs" role="tablist" aria-label="Queues">
        {QUEUES.map((q) => (
          <button
            key={q.view}
            type="button"
            role="tab"
            className="tab"
            aria-selected={q.view === queue.view && !deferred}
            onClick={() => {
              setSearch('');
              set('view', q.view === 'my_open' ? '' : q.view);
            }}
          >
            {q.label}
          </button>
        ))}
      </div>
      <div className="toolbar">
        <div className="search-input">
          <Search size={16} aria-hidden="true" />
          <input
            className="input"
            type="search"
            data-list-search
            aria-label="Search tickets"
            placeholder="Search subject, text, tags, requester…"
            value={search}
            onChange={(e) => setSearch(e.target.value)}
          />
        </div>
        <select
          className="select"
          aria-label="Status"
          value={values.status}
          onChange={(e) => set('status', e.target.value)}
        >
          <option value="">Any status</option>
          {TICKET_STATUSES.map((s) => (
            <option key={s} value={s}>
              {humanize(s)}
            </option>
          ))}
        </select>
        <select
          className="select"
          aria-label="Priority"
          value={values.priority}
          onChange={(e) => set('priority', e.target.value)}
        >
          <option value="">Any priority</option>
          {TICKET_PRIORITIES.map((p) => (
            <option key={p} value={p}>
              {humanize(p)}
            </option>
          ))}
        </select>
        <select
          className="select"
          aria-label="Group"
          value={values.groupId}
          onChange={(e) => set('groupId', e.target.value)}
        >
          <option value="">Any group</option>
          {options.groups.map((g) => (
            <option key={g} value={g}>
              {g}
            </option>
          ))}
        </select>
        <select
          className="select"
          aria-label="Assignee"
          value={values.assignee}
          onChange={(e) => set('assignee', e.target.value)}
        >
          <option value="">Anyone</option>
          <option value="me">Me</option>
          <option value="none">Unassigned</option>
          {options.agents
            .filter((a) => a.userId !== options.me)
            .map((a) => (
              <option key={a.userId} value={a.userId}>
                {agentLabel(a.userId, options.agents, options.me)}
              </option>
            ))}
        </select>
        <input
          className="input"
          style={{ width: 130 }}
          aria-label="Tag"
          placeholder="Tag"
          defaultValue={values.tag}
          onKeyDown={(e) => {
            if (e.key === 'Enter') set('tag', e.currentTarget.value.trim());
          }}
          onBlur={(e) => set('tag', e.currentTarget.value.trim())}
        />
        {queue.view !== 'breaching' && !deferred ? (
          <select
            className="select"
            aria-label="Order"
            value={query.orderBy ?? ''}
            onChange={(e) => set('order', e.target.value)}
          >
            {(Object.keys(ORDER_LABELS) as TicketOrder[]).map((o) => (
              <option key={o} value={o}>
                {ORDER_LABELS[o]}
              </option>
            ))}
          </select>
        ) : null}
        {list.isFetching && !list.isFetchingNextPage ? <Spinner label="Updating" /> : null}
      </div>

      {list.isPending ? (
        <SkeletonRows rows={8} />
      ) : list.isError && tickets.length === 0 ? (
        <ErrorPanel error={list.error} onRetry={() => void list.refetch()} />
      ) : tickets.length === 0 ? (
        <EmptyState icon={<Inbox size={22} />} title={filtered ? 'No ticket matches' : 'This queue is empty'}>
          {filtered ? 'Try other words or fewer filters.' : 'Tickets that land in this queue show up here.'}
        </EmptyState>
      ) : (
        <div className="record-list card">
          <div className="record-row record-head ticket-row" aria-hidden="true">
            <span>Subject</span>
            <span>Status</span>
            <span>Priority</span>
            <span>SLA</span>
            <span>Assignee</span>
            <span>Updated</span>
          </div>
          <ul aria-label="Tickets">
            {tickets.map((ticket) => (
              <li key={ticket.id}>
                <Link to={`/tickets/${ticket.id}`} className="record-row ticket-row" data-ticket-id={ticket.id}>
                  <span className="record-main">
                    <span className="grow" style={{ minWidth: 0 }}>
                      <span className="record-title truncate">{ticket.subject}</span>
                      <span className="subtle truncate">
                        {ticket.requesterEmail || 'No requester'}
                        {ticket.groupId ? ` · ${ticket.groupId}` : ''}
                        {ticket.tags.length ? ` · ${ticket.tags.map((t) => `#${t}`).join(' ')}` : ''}
                      </span>
                    </span>
                  </span>
                  <span data-label="Status">
                    <span className={`badge ${STATUS_BADGE[ticket.status] ?? ''}`}>{humanize(ticket.status)}</span>
                  </span>
                  <span data-label="Priority">
                    <span className={`badge ${PRIORITY_BADGE[ticket.priority] ?? ''}`}>
                      {humanize(ticket.priority)}
                    </span>
                  </span>
                  <span data-label="SLA">
                    <SlaBadge sla={ticket.sla} />
                  </span>
                  <span className="truncate subtle" data-label="Assignee">
                    {agentLabel(ticket.assigneeId, options.agents, options.me)}
                  </span>
                  <span className="subtle nowrap" data-label="Updated">
                    {relativeTime(ticket.updatedAt)}
                  </span>
                </Link>
              </li>
            ))}
          </ul>
          {list.hasNextPage ? (
            <>
              <InfiniteSentinel onVisible={() => void list.fetchNextPage()} disabled={list.isFetchingNextPage} />
              <div className="list-more">
                <button
                  type="button"
                  className="btn btn-sm"
                  onClick={() => void list.fetchNextPage()}
                  disabled={list.isFetchingNextPage}
                >
                  {list.isFetchingNextPage ? 'Loading…' : 'Load more'}
                </button>
              </div>
            </>
          ) : null}
        </div>
      )}
      {creating ? <TicketCreateDialog onClose={() => setCreating(false)} /> : null}
    </div>
  );
}
