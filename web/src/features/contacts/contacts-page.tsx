import { Plus, Search, Upload, Users } from 'lucide-react';
import { useDeferredValue, useEffect, useState } from 'react';
import { Link } from 'react-router';
import { useContactList } from '../../api/contacts.api';
import { LIFECYCLE_STAGES, type LifecycleStage } from '../../api/types';
import { useAccess } from '../../app/access';
import { fullName, humanize, personLabel, relativeTime } from '../../domain/format';
import { useGlobalActions } from '../../shell/global-actions';
import { Avatar, EmptyState, ErrorPanel, InfiniteSentinel, PageHeader, SkeletonRows, Spinner } from '../../ui/misc';
import { ScopeSelect, scopeFilter, useUrlFilters } from '../records/list-filters';

export function ContactsPage() {
  const access = useAccess();
  const { openCreate } = useGlobalActions();
  const { values, set } = useUrlFilters(['q', 'scope', 'stage', 'tag'] as const);
  const [search, setSearch] = useState(values.q);
  const deferred = useDeferredValue(search.trim());
  useEffect(() => set('q', deferred), [deferred]); // eslint-disable-line react-hooks/exhaustive-deps

  const filters = {
    q: deferred || undefined,
    ...scopeFilter(values.scope, access.userId),
    lifecycleStage: (values.stage || undefined) as LifecycleStage | undefined,
    tag: values.tag || undefined,
  };
  const list = useContactList(filters);
  const contacts = list.data?.pages.flatMap((p) => p.data) ?? [];
  const filtered = Boolean(deferred || values.scope || values.stage || values.tag);

  return (
    <div className="page">
      <PageHeader
        title="Contacts"
        subtitle={deferred ? 'Best matches first' : 'People you work with'}
        actions={
          <>
            {access.can('privacyAndBulk') ? (
              <Link to="/imports" className="btn desktop-only">
                <Upload size={16} aria-hidden="true" /> Import
              </Link>
            ) : null}
            {access.can('contactsWrite') ? (
              <button type="button" className="btn btn-primary" onClick={() => openCreate('contact')}>
                <Plus size={16} aria-hidden="true" /> New contact
              </button>
            ) : null}
          </>
        }
      />
      <div className="toolbar">
        <div className="search-input">
          <Search size={16} aria-hidden="true" />
          <input
            className="input"
            type="search"
            data-list-search
            aria-label="Search contacts"
            placeholder="Search name, email, phone, company…"
            value={search}
            onChange={(e) => setSearch(e.target.value)}
          />
        </div>
        <ScopeSelect value={values.scope} onChange={(v) => set('scope', v)} />
        <select
          className="select"
          aria-label="Lifecycle stage"
          value={values.stage}
          onChange={(e) => set('stage', e.target.value)}
        >
          <option value="">Any stage</option>
          {LIFECYCLE_STAGES.map((s) => (
            <option key={s} value={s}>
              {humanize(s)}
            </option>
          ))}
        </select>
        <input
          className="input"
          style={{ width: 140 }}
          aria-label="Tag"
          placeholder="Tag"
          defaultValue={values.tag}
          onKeyDown={(e) => {
            if (e.key === 'Enter') set('tag', e.currentTarget.value.trim());
          }}
          onBlur={(e) => set('tag', e.currentTarget.value.trim())}
        />
        {list.isFetching && !list.isFetchingNextPage ? <Spinner label="Updating" /> : null}
      </div>

      {list.isPending ? (
        <SkeletonRows rows={8} />
      ) : list.isError && contacts.length === 0 ? (
        <ErrorPanel error={list.error} onRetry={() => void list.refetch()} />
      ) : contacts.length === 0 ? (
        <EmptyState
          icon={<Users size={22} />}
          title={filtered ? 'No contact matches' : 'No contacts yet'}
          action={
            !filtered && access.can('contactsWrite') ? (
              <button type="button" className="btn btn-primary" onClick={() => openCreate('contact')}>
                <Plus size={16} aria-hidden="true" /> Add your first contact
              </button>
            ) : undefined
          }
        >
          {filtered ? 'Try fewer letters or other filters.' : 'Add one, or import a spreadsheet.'}
        </EmptyState>
      ) : (
        <div className="record-list card">
          <div className="record-row record-head contact-row" aria-hidden="true">
            <span>Name</span>
            <span>Company</span>
            <span>Stage</span>
            <span>Phone</span>
            <span>Owner</span>
            <span>Last activity</span>
          </div>
          <ul aria-label="Contacts">
            {contacts.map((contact) => {
              const name = fullName(contact);
              return (
                <li key={contact.id}>
                  <Link to={`/contacts/${contact.id}`} className="record-row contact-row">
                    <span className="record-main">
                      <Avatar name={name} id={contact.id} />
                      <span className="grow" style={{ minWidth: 0 }}>
                        <span className="record-title truncate">{name}</span>
                        <span className="subtle truncate">{contact.emails[0]?.address ?? contact.title}</span>
                      </span>
                    </span>
                    <span className="truncate" data-label="Company">
                      {contact.companyName || <span className="subtle">—</span>}
                    </span>
                    <span data-label="Stage">
                      {contact.lifecycleStage ? (
                        <span className="badge">{humanize(contact.lifecycleStage)}</span>
                      ) : null}
                    </span>
                    <span className="truncate tabular" data-label="Phone">
                      {contact.phones[0]?.number ?? ''}
                    </span>
                    <span className="truncate subtle" data-label="Owner">
                      {personLabel(contact.ownerId, access.userId)}
                    </span>
                    <span className="subtle nowrap" data-label="Last activity">
                      {relativeTime(contact.lastActivityAt)}
                    </span>
                  </Link>
                </li>
              );
            })}
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
    </div>
  );
}
