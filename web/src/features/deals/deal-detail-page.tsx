import { useQueryClient } from '@tanstack/react-query';
import { ArrowLeft, RotateCcw, TriangleAlert } from 'lucide-react';
import { useCallback, useState } from 'react';
import { Link, useParams } from 'react-router';
import { useCustomFields } from '../../api/custom-fields.api';
import { fetchDeal, moveDeal, patchDeal, reopenDeal, useDeal, usePipelines } from '../../api/deals.api';
import { queryKeys } from '../../api/query-keys';
import type { Currency, Deal, DealPatch, Stage } from '../../api/types';
import { useAccess } from '../../app/access';
import { formatDate, formatDateTime, humanize, personLabel } from '../../domain/format';
import { formatMoney, minorDigits, parseAmount } from '../../domain/money';
import { EmptyState, ErrorPanel, SkeletonRows } from '../../ui/misc';
import { useToasts } from '../../ui/toast';
import { ActivityComposer } from '../activities/activity-composer';
import { CustomFieldsSection } from '../custom-fields/custom-fields-section';
import { ConflictDialog } from '../records/conflict-dialog';
import { InlineField } from '../records/inline-field';
import { useVersionedPatch } from '../records/use-versioned-patch';
import { CloseDealDialog } from './close-deal-dialog';

export function DealDetailPage() {
  const { id = '' } = useParams();
  const deal = useDeal(id);
  if (deal.isPending)
    return (
      <div className="page">
        <SkeletonRows rows={8} />
      </div>
    );
  if (!deal.data)
    return (
      <div className="page">
        {deal.error && 'isNotFound' in deal.error && deal.error.isNotFound ? (
          <EmptyState icon={<TriangleAlert size={22} />} title="Deal not found">
            It was deleted or is not visible to you.
          </EmptyState>
        ) : (
          <ErrorPanel error={deal.error} onRetry={() => void deal.refetch()} />
        )}
      </div>
    );
  return <DealDetail deal={deal.data} />;
}

function DealDetail({ deal }: { deal: Deal }) {
  const access = useAccess();
  const toasts = useToasts();
  const client = useQueryClient();
  const pipelines = usePipelines();
  const definitions = useCustomFields('deal').data?.definitions ?? [];
  const [closing, setClosing] = useState<Stage | undefined>();
  const pipeline = pipelines.data?.find((p) => p.id === deal.pipelineId);
  const stages = pipeline?.stages.filter((s) => !s.archived) ?? [];
  const stage = pipeline?.stages.find((s) => s.id === deal.stageId);
  const editable = access.can('dealsWrite');
  const patcher = useVersionedPatch<Deal, DealPatch>({
    queryKey: queryKeys.deals.detail(deal.id),
    send: (version, patch) => patchDeal(deal.id, version, patch),
    fetchLatest: useCallback(() => fetchDeal(deal.id), [deal.id]),
    onSaved: () => void client.invalidateQueries({ queryKey: queryKeys.boards.all }),
  });
  const save = (patch: DealPatch) => patcher.save(patch);
  const contact = deal.contact as { id: string; displayName?: string } | null;
  const company = deal.company as { id: string; name?: string } | null;

  const changeStage = async (target: Stage, lostReason?: string) => {
    try {
      const moved =
        deal.status !== 'open' && target.kind === 'open'
          ? await reopenDeal(deal.id, deal.version, target.id)
          : await moveDeal(deal.id, deal.version, {
              stageId: target.id,
              rank: 'top',
              ...(lostReason ? { lostReason } : {}),
            });
      client.setQueryData(queryKeys.deals.detail(deal.id), moved);
      void client.invalidateQueries({ queryKey: queryKeys.boards.all });
      toasts.success(`Moved to ${target.name}`);
    } catch (error) {
      if (error instanceof Error && 'isConflict' in error && error.isConflict)
        void client.invalidateQueries({ queryKey: queryKeys.deals.detail(deal.id) });
      toasts.error(error, 'Stage not changed');
    }
  };

  const digits = deal.amount ? minorDigits(deal.amount.currency) : 2;
  return (
    <div className="page">
      <Link to={`/deals?pipeline=${deal.pipelineId}`} className="back-link">
        <ArrowLeft size={15} aria-hidden="true" /> Board
      </Link>
      <header className="record-header card card-pad">
        <div className="grow" style={{ minWidth: 0 }}>
          <h1 className="truncate">{deal.title}</h1>
          <p className="muted">
            {formatMoney(deal.amount)} · {stage?.name ?? 'Stage'} · {deal.probability}%
          </p>
          <div className="row wrap" style={{ marginTop: 6 }}>
            <span
              className={`badge ${deal.status === 'won' ? 'badge-success' : deal.status === 'lost' ? 'badge-danger' : 'badge-accent'}`}
            >
              {humanize(deal.status)}
            </span>
            <span className="badge">{humanize(deal.forecastCategory || 'pipeline')}</span>
            <span className="subtle">Owner: {personLabel(deal.ownerId, access.userId)}</span>
          </div>
        </div>
        {editable && stages.length > 0 ? (
          <label className="field" style={{ minWidth: 200 }}>
            <span className="field-label">Stage</span>
            <select
              className="select"
              value={deal.stageId}
              onChange={(e) => {
                const target = stages.find((s) => s.id === e.target.value);
                if (!target) return;
                if (target.kind === 'lost' || target.kind === 'won') setClosing(target);
                else void changeStage(target);
              }}
            >
              {stages.map((s) => (
                <option key={s.id} value={s.id}>
                  {s.name}
                </option>
              ))}
            </select>
          </label>
        ) : null}
        {editable && deal.status !== 'open' ? (
          <button
            type="button"
            className="btn"
            onClick={() => {
              const target = stages.find((s) => s.kind === 'open');
              if (target) void changeStage(target);
            }}
          >
            <RotateCcw size={15} aria-hidden="true" /> Reopen
          </button>
        ) : null}
      </header>
      <div className="detail-grid">
        <aside className="stack">
          <section className="card">
            <div className="card-header">
              <h2>Details</h2>
            </div>
            <dl className="card-body inline-fields">
              <InlineField
                label="Title"
                value={deal.title}
                readOnly={!editable}
                onSave={(v) => (v ? save({ title: v }) : Promise.resolve(false))}
              />
              <InlineField
                label={`Amount${deal.amount ? ` (${deal.amount.currency})` : ''}`}
                value={deal.amount ? (deal.amount.amountMinor / 10 ** digits).toFixed(digits) : ''}
                display={formatMoney(deal.amount)}
                readOnly={!editable}
                onSave={async (v) => {
                  if (!v) return save({ amount: null });
                  const currency = deal.amount?.currency ?? localStorage.getItem('crm.last-currency') ?? 'USD';
                  const parsed = parseAmount(v, currency);
                  if (!parsed.ok) {
                    toasts.show({ kind: 'error', title: 'Amount not saved', body: parsed.error });
                    return false;
                  }
                  return save({ amount: { amountMinor: parsed.amountMinor, currency: currency as Currency } });
                }}
              />
              <InlineField
                label="Expected close"
                type="date"
                value={deal.expectedCloseDate}
                display={deal.expectedCloseDate ? formatDate(deal.expectedCloseDate) : undefined}
                readOnly={!editable}
                onSave={(v) => save({ expectedCloseDate: v || null })}
              />
              <InlineField
                label="Next step"
                type="textarea"
                value={deal.nextStep}
                readOnly={!editable}
                onSave={(v) => save({ nextStep: v || null })}
              />
              <div className="inline-field">
                <dt className="inline-field-label">Contact</dt>
                <dd className="inline-field-value">
                  {contact?.id ? (
                    <Link to={`/contacts/${contact.id}`}>{contact.displayName || 'Contact'}</Link>
                  ) : (
                    <span className="subtle">—</span>
                  )}
                </dd>
              </div>
              <div className="inline-field">
                <dt className="inline-field-label">Company</dt>
                <dd className="inline-field-value">
                  {company?.id ? (
                    <Link to={`/companies/${company.id}`}>{company.name || 'Company'}</Link>
                  ) : (
                    <span className="subtle">—</span>
                  )}
                </dd>
              </div>
              {deal.status === 'lost' ? (
                <InlineField
                  label="Lost reason"
                  value={deal.lostReason}
                  readOnly={!editable}
                  onSave={(v) => save({ lostReason: v || null })}
                />
              ) : null}
            </dl>
          </section>
          <CustomFieldsSection
            definitions={definitions}
            values={deal.customFields}
            readOnly={!editable}
            onSave={(key, value) => save({ customFields: { [key]: value } })}
          />
        </aside>
        <section className="stack">
          {editable && contact?.id ? <ActivityComposer contactId={contact.id} dealId={deal.id} /> : null}
          <div className="card">
            <div className="card-header">
              <h2>Stage history</h2>
            </div>
            <ol className="timeline card-body">
              {[...deal.stageHistory].reverse().map((visit, i) => (
                <li key={`${visit.stageId}-${i}`} className="timeline-item">
                  <span className="timeline-icon" aria-hidden="true" />
                  <div className="timeline-content">
                    <strong>{pipeline?.stages.find((s) => s.id === visit.stageId)?.name ?? visit.stageId}</strong>
                    <div className="subtle">
                      {formatDateTime(visit.enteredAt)}
                      {visit.leftAt ? ` → ${formatDateTime(visit.leftAt)}` : ' · now'}
                    </div>
                  </div>
                </li>
              ))}
            </ol>
          </div>
        </section>
      </div>
      {closing ? (
        <CloseDealDialog
          kind={closing.kind === 'won' ? 'won' : 'lost'}
          dealTitle={deal.title}
          stageName={closing.name}
          onCancel={() => setClosing(undefined)}
          onConfirm={(reason) => {
            const target = closing;
            setClosing(undefined);
            void changeStage(target, reason);
          }}
        />
      ) : null}
      <ConflictDialog
        pending={patcher.conflict}
        recordLabel="deal"
        onReapply={() => void patcher.reapply()}
        onDiscard={patcher.discard}
      />
    </div>
  );
}
