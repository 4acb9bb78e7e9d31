import { ArrowLeft, Globe, Plus, TriangleAlert } from 'lucide-react';
import { useCallback, useState } from 'react';
import { Link, useParams } from 'react-router';
import {
  fetchCompany,
  patchCompany,
  useCompany,
  useCompanyActivities,
  useCompanyContacts,
} from '../../api/companies.api';
import { useCustomFields } from '../../api/custom-fields.api';
import { useDealList } from '../../api/deals.api';
import { queryKeys } from '../../api/query-keys';
import { COMPANY_SIZES, type Company, type CompanyPatch } from '../../api/types';
import { useAccess } from '../../app/access';
import { fullName, humanize, personLabel } from '../../domain/format';
import { formatMoney } from '../../domain/money';
import { useGlobalActions } from '../../shell/global-actions';
import { Avatar, EmptyState, ErrorPanel, SkeletonRows } from '../../ui/misc';
import { Timeline } from '../activities/timeline';
import { HistoryList } from '../records/history-list';
import { CustomFieldsSection } from '../custom-fields/custom-fields-section';
import { ConflictDialog } from '../records/conflict-dialog';
import { InlineField } from '../records/inline-field';
import { useVersionedPatch } from '../records/use-versioned-patch';

export function CompanyDetailPage() {
  const { id = '' } = useParams();
  const company = useCompany(id);
  if (company.isPending)
    return (
      <div className="page">
        <SkeletonRows rows={8} />
      </div>
    );
  if (!company.data)
    return (
      <div className="page">
        {company.error && 'isNotFound' in company.error && company.error.isNotFound ? (
          <EmptyState icon={<TriangleAlert size={22} />} title="Company not found">
            It was deleted or is not visible to you.
          </EmptyState>
        ) : (
          <ErrorPanel error={company.error} onRetry={() => void company.refetch()} />
        )}
      </div>
    );
  return <CompanyDetail company={company.data} />;
}

function CompanyDetail({ company }: { company: Company }) {
  const access = useAccess();
  const { openCreate } = useGlobalActions();
  const [historyOpen, setHistoryOpen] = useState(false);
  const contacts = useCompanyContacts(company.id);
  const activities = useCompanyActivities(company.id);
  const deals = useDealList({ companyId: company.id }, access.can('dealsRead'));
  const definitions = useCustomFields('company').data?.definitions ?? [];
  const editable = access.can('contactsWrite');
  const patcher = useVersionedPatch<Company, CompanyPatch>({
    queryKey: queryKeys.companies.detail(company.id),
    send: (version, patch) => patchCompany(company.id, version, patch),
    fetchLatest: useCallback(() => fetchCompany(company.id), [company.id]),
  });
  const save = (patch: CompanyPatch) => patcher.save(patch);
  const people = contacts.data?.pages.flatMap((p) => p.data) ?? [];
  const companyDeals = deals.data?.pages.flatMap((p) => p.data) ?? [];

  return (
    <div className="page">
      <Link to="/companies" className="back-link">
        <ArrowLeft size={15} aria-hidden="true" /> Companies
      </Link>
      <header className="record-header card card-pad">
        <Avatar name={company.name} id={company.id} size="lg" />
        <div className="grow" style={{ minWidth: 0 }}>
          <h1 className="truncate">{company.name}</h1>
          <p className="muted row">
            {company.domain ? (
              <>
                <Globe size={14} aria-hidden="true" /> {company.domain}
              </>
            ) : null}
            {company.industry ? <span>· {company.industry}</span> : null}
          </p>
          <p className="subtle">Owner: {personLabel(company.ownerId, access.userId)}</p>
        </div>
        {access.can('dealsWrite') ? (
          <button
            type="button"
            className="btn"
            onClick={() => openCreate('deal', { companyId: company.id, companyName: company.name })}
          >
            <Plus size={16} aria-hidden="true" /> New deal
          </button>
        ) : null}
      </header>
      <div className="detail-grid">
        <aside className="stack">
          <section className="card">
            <div className="card-header">
              <h2>About</h2>
            </div>
            <dl className="card-body inline-fields">
              <InlineField label="Name" value={company.name} readOnly={!editable} onSave={(v) => save({ name: v })} />
              <InlineField
                label="Domain"
                value={company.domain}
                readOnly={!editable}
                onSave={(v) => save({ domain: v || null })}
              />
              <InlineField
                label="Website"
                type="url"
                value={company.website}
                readOnly={!editable}
                onSave={(v) => save({ website: v || null })}
              />
              <InlineField
                label="Industry"
                value={company.industry}
                readOnly={!editable}
                onSave={(v) => save({ industry: v || null })}
              />
              <InlineField
                label="Size"
                type="select"
                value={company.size}
                options={COMPANY_SIZES.map((s) => ({ value: s, label: `${s} employees` }))}
                readOnly={!editable}
                onSave={(v) => save({ size: (v || null) as CompanyPatch['size'] })}
              />
              <InlineField
                label="Annual revenue"
                value={formatMoney(company.annualRevenue)}
                readOnly
                onSave={async () => false}
              />
              <InlineField
                label="City"
                value={company.address?.city ?? ''}
                readOnly={!editable}
                onSave={(v) => save({ address: { ...(company.address ?? {}), city: v } })}
              />
            </dl>
          </section>
          <CustomFieldsSection
            definitions={definitions}
            values={company.customFields}
            readOnly={!editable}
            onSave={(key, value) => save({ customFields: { [key]: value } })}
          />
        </aside>
        <section className="stack">
          <div className="card">
            <div className="card-header">
              <h2>People</h2>
              <span className="subtle">{people.length}</span>
            </div>
            <ul className="simple-list card-body">
              {people.map((person) => (
                <li key={person.id}>
                  <Link to={`/contacts/${person.id}`} className="row simple-row">
                    <Avatar name={fullName(person)} id={person.id} size="sm" />
                    <span className="grow truncate">{fullName(person)}</span>
                    <span className="subtle truncate">{person.title}</span>
                  </Link>
                </li>
              ))}
              {contacts.data && people.length === 0 ? (
                <li className="subtle">No contacts at this company yet.</li>
              ) : null}
            </ul>
          </div>
          {access.can('dealsRead') ? (
            <div className="card">
              <div className="card-header">
                <h2>Deals</h2>
                <span className="subtle">{companyDeals.length}</span>
              </div>
              <ul className="simple-list card-body">
                {companyDeals.map((deal) => (
                  <li key={deal.id}>
                    <Link to={`/deals/${deal.id}`} className="row-between simple-row">
                      <span className="truncate">{deal.title}</span>
                      <span className="row">
                        <span className="badge">{humanize(deal.status)}</span>
                        <span className="tabular">{formatMoney(deal.amount)}</span>
                      </span>
                    </Link>
                  </li>
                ))}
                {deals.data && companyDeals.length === 0 ? <li className="subtle">No deals yet.</li> : null}
              </ul>
            </div>
          ) : null}
          <div className="card">
            <div className="card-header">
              <h2>Activity</h2>
            </div>
            <div className="card-body">
              <Timeline query={activities} />
            </div>
          </div>
          <details className="card history-card" onToggle={(e) => setHistoryOpen(e.currentTarget.open)}>
            <summary className="card-header">
              <h2>History</h2>
            </summary>
            <div className="card-body">{historyOpen ? <HistoryList resource="companies" id={company.id} /> : null}</div>
          </details>
        </section>
      </div>
      <ConflictDialog
        pending={patcher.conflict}
        recordLabel="company"
        onReapply={() => void patcher.reapply()}
        onDiscard={patcher.discard}
      />
    </div>
  );
}
