import { Building2, Plus, Search } from 'lucide-react';
import { useDeferredValue, useEffect, useState } from 'react';
import { Link } from 'react-router';
import { useCompanyList } from '../../api/companies.api';
import { useAccess } from '../../app/access';
import { personLabel } from '../../domain/format';
import { useGlobalActions } from '../../shell/global-actions';
import { Avatar, EmptyState, ErrorPanel, InfiniteSentinel, PageHeader, SkeletonRows, Spinner } from '../../ui/misc';
import { ScopeSelect, scopeFilter, useUrlFilters } from '../records/list-filters';

export function CompaniesPage() {
  const access = useAccess();
  const { openCreate } = useGlobalActions();
  const { values, set } = useUrlFilters(['q', 'scope', 'industry'] as const);
  const [search, setSearch] = useState(values.q);
  const deferred = useDeferredValue(search.trim());
  useEffect(() => set('q', deferred), [deferred]); // eslint-disable-line react-hooks/exhaustive-deps
  const list = useCompanyList({
    q: deferred || undefined,
    ...scopeFilter(values.scope, access.userId),
    industry: values.industry || undefined,
  });
  const companies = list.data?.pages.flatMap((p) => p.data) ?? [];
  const filtered = Boolean(deferred || values.scope || values.industry);

  return (
    <div className="page">
      <PageHeader
        title="Companies"
        subtitle="Accounts and organisations"
        actions={
          access.can('contactsWrite') ? (
            <button type="button" className="btn btn-primary" onClick={() => openCreate('company')}>
              <Plus size={16} aria-hidden="true" /> New company
            </button>
          ) : undefined
        }
      />
      <div className="toolbar">
        <div className="search-input">
          <Search size={16} aria-hidden="true" />
          <input
            className="input"
            type="search"
            data-list-search
            aria-label="Search companies"
            placeholder="Search companies…"
            value={search}
            onChange={(e) => setSearch(e.target.value)}
          />
        </div>
        <ScopeSelect value={values.scope} onChange={(v) => set('scope', v)} />
        <input
          className="input"
          style={{ width: 160 }}
          aria-label="Industry"
          placeholder="Industry"
          defaultValue={values.industry}
          onKeyDown={(e) => {
            if (e.key === 'Enter') set('industry', e.currentTarget.value.trim());
          }}
          onBlur={(e) => set('industry', e.currentTarget.value.trim())}
        />
        {list.isFetching && !list.isFetchingNextPage ? <Spinner label="Updating" /> : null}
      </div>
      {list.isPending ? (
        <SkeletonRows rows={8} />
      ) : list.isError && companies.length === 0 ? (
        <ErrorPanel error={list.error} onRetry={() => void list.refetch()} />
      ) : companies.length === 0 ? (
        <EmptyState icon={<Building2 size={22} />} title={filtered ? 'No company matches' : 'No companies yet'}>
          {filtered ? 'Try other filters.' : 'Companies group your contacts and deals.'}
        </EmptyState>
      ) : (
        <div className="record-list card">
          <div className="record-row record-head company-row" aria-hidden="true">
            <span>Name</span>
            <span>Industry</span>
            <span>Size</span>
            <span>Owner</span>
          </div>
          <ul aria-label="Companies">
            {companies.map((company) => (
              <li key={company.id}>
                <Link to={`/companies/${company.id}`} className="record-row company-row">
                  <span className="record-main">
                    <Avatar name={company.name} id={company.id} />
                    <span className="grow" style={{ minWidth: 0 }}>
                      <span className="record-title truncate">{company.name}</span>
                      <span className="subtle truncate">{company.domain}</span>
                    </span>
                  </span>
                  <span className="truncate" data-label="Industry">
                    {company.industry || <span className="subtle">—</span>}
                  </span>
                  <span data-label="Size">{company.size ? <span className="badge">{company.size}</span> : null}</span>
                  <span className="truncate subtle" data-label="Owner">
                    {personLabel(company.ownerId, access.userId)}
                  </span>
                </Link>
              </li>
            ))}
          </ul>
          {list.hasNextPage ? (
            <InfiniteSentinel onVisible={() => void list.fetchNextPage()} disabled={list.isFetchingNextPage} />
          ) : null}
        </div>
      )}
    </div>
  );
}
