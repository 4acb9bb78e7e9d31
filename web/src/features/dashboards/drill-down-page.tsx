// The records behind one number of a dashboard, as the API lists them (its drill-down URL's query, kept in the
// address), each linking to its own screen; downloadable as the API's CSV.
import { ArrowLeft, Download, ListX } from 'lucide-react';
import { useState } from 'react';
import { Link, useParams, useSearchParams } from 'react-router';
import { useCompany } from '../../api/companies.api';
import { useContact } from '../../api/contacts.api';
import { downloadApiCsv, useDrillDown, useMetrics, useTicketSubject } from '../../api/dashboards.api';
import { useDeal } from '../../api/deals.api';
import { useAccess } from '../../app/access';
import { drillDownQuery, groupLabel, recordHref, type DashboardName } from '../../domain/dashboard';
import { fullName, humanize } from '../../domain/format';
import { EmptyState, ErrorPanel, InfiniteSentinel, PageHeader, SkeletonRows, Spinner } from '../../ui/misc';
import { useToasts } from '../../ui/toast';

export function DrillDownPage() {
  const params = useParams();
  const dashboard: DashboardName = params.dashboard === 'support' ? 'support' : 'sales';
  const [search] = useSearchParams();
  const query = drillDownQuery(search);
  const access = useAccess();
  const metrics = useMetrics();
  const records = useDrillDown(dashboard, query);
  const toasts = useToasts();
  const [downloading, setDownloading] = useState(false);
  const metric = metrics.data?.find((m) => m.name === query.metric);
  const rows = records.data?.pages.flatMap((page) => page.data) ?? [];
  const back = new URLSearchParams();
  if (query.from && query.to) {
    back.set('period', 'custom');
    back.set('from', query.from);
    back.set('to', query.to);
  } else if (query.period) back.set('period', query.period);
  if (query.groupBy) back.set('groupBy', query.groupBy);
  if (query.currency && !('group' in query) && !query.pipelineId) back.set('currency', query.currency);
  const scope = [
    query.from && query.to ? `${query.from} – ${query.to}` : query.period,
    query.groupBy ? groupLabel(query.groupBy, query.group ?? '', { me: access.userId }) : undefined,
    query.currency,
    query.stageId ? `stage ${query.stageId.slice(0, 8)}` : undefined,
    query.category ? humanize(query.category) : undefined,
    query.target ? humanize(query.target) : undefined,
    query.type ? humanize(query.type) : undefined,
    query.source !== undefined ? query.source || 'No source' : undefined,
    query.bucket,
  ].filter(Boolean);

  const download = async () => {
    setDownloading(true);
    try {
      await downloadApiCsv(`/api/v1/dashboards/${dashboard}/records`, query, `${query.metric ?? 'records'}.csv`);
    } catch (error) {
      toasts.error(error, 'The CSV could not be downloaded');
    } finally {
      setDownloading(false);
    }
  };

  return (
    <div className="page">
      <Link to={`/dashboards/${dashboard}?${back.toString()}`} className="back-link">
        <ArrowLeft size={15} aria-hidden="true" /> {dashboard === 'sales' ? 'Sales dashboard' : 'Support dashboard'}
      </Link>
      <PageHeader
        title={metric?.title ?? humanize(query.metric ?? 'Records')}
        subtitle={scope.join(' · ')}
        actions={
          <button type="button" className="btn" onClick={() => void download()} disabled={downloading}>
            <Download size={15} aria-hidden="true" /> Download CSV
          </button>
        }
      />
      {metric ? <p className="subtle drill-definition">{metric.definition}</p> : null}
      {records.isPending ? (
        <SkeletonRows rows={6} />
      ) : records.isError && rows.length === 0 ? (
        <ErrorPanel error={records.error} onRetry={() => void records.refetch()} />
      ) : rows.length === 0 ? (
        <EmptyState icon={<ListX size={22} />} title="No records behind this number" />
      ) : (
        <div className="record-list card">
          <ul aria-label="Records">
            {rows.map((record) => (
              <li key={`${record.kind}:${record.id}`} data-record-id={record.id}>
                <RecordRow kind={record.kind} id={record.id} outcome={record.outcome} />
              </li>
            ))}
          </ul>
          {records.hasNextPage ? (
            <InfiniteSentinel onVisible={() => void records.fetchNextPage()} disabled={records.isFetchingNextPage} />
          ) : null}
          {records.isFetchingNextPage ? (
            <div className="list-more">
              <Spinner />
            </div>
          ) : null}
        </div>
      )}
    </div>
  );
}

function RecordRow({ kind, id, outcome }: { kind: string; id: string; outcome: string }) {
  const href = recordHref(kind, id);
  const body = (
    <>
      <span className="record-main">
        <span className="grow" style={{ minWidth: 0 }}>
          <span className="record-title truncate">
            <RecordName kind={kind} id={id} />
          </span>
          <span className="subtle truncate">
            {humanize(kind)} {id}
          </span>
        </span>
      </span>
      {outcome ? <span className="badge">{humanize(outcome)}</span> : <span />}
    </>
  );
  return href ? (
    <Link to={href} className="record-row drill-row">
      {body}
    </Link>
  ) : (
    <div className="record-row drill-row">{body}</div>
  );
}

function RecordName({ kind, id }: { kind: string; id: string }) {
  switch (kind) {
    case 'deal':
      return <DealName id={id} />;
    case 'contact':
      return <ContactName id={id} />;
    case 'company':
      return <CompanyName id={id} />;
    case 'ticket':
      return <TicketName id={id} />;
    default:
      return <>{humanize(kind)}</>;
  }
}

function DealName({ id }: { id: string }) {
  const deal = useDeal(id);
  return <>{deal.data?.title ?? '…'}</>;
}

function ContactName({ id }: { id: string }) {
  const contact = useContact(id);
  return <>{contact.data ? fullName(contact.data) : '…'}</>;
}

function CompanyName({ id }: { id: string }) {
  const company = useCompany(id);
  return <>{company.data?.name ?? '…'}</>;
}

function TicketName({ id }: { id: string }) {
  const ticket = useTicketSubject(id);
  return <>{ticket.data ?? '…'}</>;
}
