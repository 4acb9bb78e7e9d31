import { useQueryClient } from '@tanstack/react-query';
import {
  ArrowLeft,
  Download,
  GitMerge,
  Handshake,
  MoreHorizontal,
  ShieldOff,
  Trash2,
  TriangleAlert,
} from 'lucide-react';
import { useCallback, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import {
  deleteContact,
  eraseContact,
  exportContactData,
  fetchContact,
  mergeContacts,
  patchContact,
  restoreContact,
  useContact,
  useContactActivities,
  useDuplicates,
} from '../../api/contacts.api';
import { useCustomFields } from '../../api/custom-fields.api';
import { useDealList } from '../../api/deals.api';
import { queryKeys } from '../../api/query-keys';
import { LIFECYCLE_STAGES, type Contact, type ContactPatch } from '../../api/types';
import { useAccess } from '../../app/access';
import { fullName, humanize, personLabel } from '../../domain/format';
import { formatMoney } from '../../domain/money';
import { useGlobalActions } from '../../shell/global-actions';
import { Dialog } from '../../ui/dialog';
import { MenuButton } from '../../ui/menu';
import { Avatar, EmptyState, ErrorPanel, SkeletonRows } from '../../ui/misc';
import { useToasts } from '../../ui/toast';
import { ActivityComposer } from '../activities/activity-composer';
import { Timeline } from '../activities/timeline';
import { CustomFieldsSection } from '../custom-fields/custom-fields-section';
import { ConflictDialog } from '../records/conflict-dialog';
import { downloadText } from '../records/download';
import { InlineField } from '../records/inline-field';
import { RecordPicker } from '../records/record-picker';
import { useVersionedPatch } from '../records/use-versioned-patch';
import { companySearch } from './contact-create-dialog';
import { HistoryList } from '../records/history-list';
import { MergeDialog } from './merge-dialog';

type Tab = 'activity' | 'deals' | 'duplicates' | 'history';

export function ContactDetailPage() {
  const { id = '' } = useParams();
  const contact = useContact(id);
  if (contact.isPending)
    return (
      <div className="page">
        <SkeletonRows rows={8} />
      </div>
    );
  if (contact.isError || !contact.data)
    return (
      <div className="page">
        {contact.error && 'isNotFound' in contact.error && contact.error.isNotFound ? (
          <EmptyState icon={<TriangleAlert size={22} />} title="Contact not found">
            It was deleted, merged, or is not visible to you.
          </EmptyState>
        ) : (
          <ErrorPanel error={contact.error} onRetry={() => void contact.refetch()} />
        )}
      </div>
    );
  return <ContactDetail contact={contact.data} />;
}

function ContactDetail({ contact }: { contact: Contact }) {
  const access = useAccess();
  const navigate = useNavigate();
  const toasts = useToasts();
  const client = useQueryClient();
  const { openCreate } = useGlobalActions();
  const [tab, setTab] = useState<Tab>('activity');
  const [merging, setMerging] = useState<Contact | undefined>();
  const [mergeBusy, setMergeBusy] = useState(false);
  const [erasing, setErasing] = useState(false);
  const [editingCompany, setEditingCompany] = useState(false);
  const activities = useContactActivities(contact.id);
  const duplicates = useDuplicates(contact.id, access.can('contactsCurate'));
  const deals = useDealList({ contactId: contact.id }, access.can('dealsRead'));
  const definitions = useCustomFields('contact').data?.definitions ?? [];
  const name = fullName(contact);
  const editable = access.can('contactsWrite');

  const patcher = useVersionedPatch<Contact, ContactPatch>({
    queryKey: queryKeys.contacts.detail(contact.id),
    send: (version, patch) => patchContact(contact.id, version, patch),
    fetchLatest: useCallback(() => fetchContact(contact.id), [contact.id]),
    onSaved: () => void client.invalidateQueries({ queryKey: ['contacts', 'list'] }),
  });
  const save = (patch: ContactPatch) => patcher.save(patch);

  const candidates = (duplicates.data?.data ?? []).filter((d) => d.contact.id !== contact.id);

  const merge = async (keep: Contact, source: Contact) => {
    setMergeBusy(true);
    try {
      const result = await mergeContacts(keep.id, source.id, keep.version);
      client.setQueryData(queryKeys.contacts.detail(keep.id), result.contact);
      client.removeQueries({ queryKey: queryKeys.contacts.detail(source.id) });
      void client.invalidateQueries({ queryKey: queryKeys.contacts.all });
      toasts.success('Contacts merged', `${result.activitiesMoved} activities moved to ${fullName(keep)}.`);
      setMerging(undefined);
      if (keep.id !== contact.id) navigate(`/contacts/${keep.id}`, { replace: true });
    } catch (error) {
      toasts.error(error, 'Not merged');
    } finally {
      setMergeBusy(false);
    }
  };

  const exportData = async () => {
    try {
      const data = await exportContactData(contact.id);
      downloadText(`contact-${contact.id}.json`, JSON.stringify(data, null, 2), 'application/json');
    } catch (error) {
      toasts.error(error, 'Export failed');
    }
  };

  const remove = async () => {
    try {
      await deleteContact(contact.id, contact.version);
      void client.invalidateQueries({ queryKey: ['contacts', 'list'] });
      navigate('/contacts');
      toasts.show({
        kind: 'success',
        title: `${name} deleted`,
        action: {
          label: 'Undo',
          run: () =>
            void restoreContact(contact.id)
              .then(() => {
                void client.invalidateQueries({ queryKey: queryKeys.contacts.all });
                navigate(`/contacts/${contact.id}`);
              })
              .catch((error: unknown) => toasts.error(error, 'Not restored')),
        },
      });
    } catch (error) {
      toasts.error(error, 'Not deleted');
    }
  };

  const primaryEmail = contact.emails.find((e) => e.primary) ?? contact.emails[0];
  const primaryPhone = contact.phones.find((p) => p.primary) ?? contact.phones[0];

  return (
    <div className="page">
      <Link to="/contacts" className="back-link">
        <ArrowLeft size={15} aria-hidden="true" /> Contacts
      </Link>
      <header className="record-header card card-pad">
        <Avatar name={name} id={contact.id} size="lg" />
        <div className="grow" style={{ minWidth: 0 }}>
          <h1 className="truncate">{name}</h1>
          <p className="muted truncate">
            {[contact.title, contact.companyName].filter(Boolean).join(' at ') || primaryEmail?.address}
          </p>
          <div className="row wrap" style={{ marginTop: 6, gap: 6 }}>
            {contact.lifecycleStage ? (
              <span className="badge badge-accent">{humanize(contact.lifecycleStage)}</span>
            ) : null}
            {contact.tier === 'vip' ? <span className="badge badge-warning">VIP</span> : null}
            {contact.tags.map((t) => (
              <span key={t} className="badge">
                #{t}
              </span>
            ))}
            <span className="subtle">Owner: {personLabel(contact.ownerId, access.userId)}</span>
          </div>
        </div>
        <div className="row">
          {access.can('dealsWrite') ? (
            <button
              type="button"
              className="btn"
              aria-label="New deal"
              onClick={() =>
                openCreate('deal', {
                  contactId: contact.id,
                  contactName: name,
                  ...(contact.companyId ? { companyId: contact.companyId, companyName: contact.companyName } : {}),
                })
              }
            >
              <Handshake size={16} aria-hidden="true" /> <span className="desktop-only">New deal</span>
            </button>
          ) : null}
          <MenuButton label="More actions" buttonContent={<MoreHorizontal size={18} />}>
            {(close) => (
              <>
                {access.can('privacyAndBulk') ? (
                  <button type="button" className="menu-item" onClick={() => (close(), void exportData())}>
                    <Download size={16} aria-hidden="true" /> Export personal data (GDPR)
                  </button>
                ) : null}
                {access.can('erase') ? (
                  <button type="button" className="menu-item" onClick={() => (close(), setErasing(true))}>
                    <ShieldOff size={16} aria-hidden="true" /> Erase personal data
                  </button>
                ) : null}
                {editable ? (
                  <button type="button" className="menu-item" onClick={() => (close(), void remove())}>
                    <Trash2 size={16} aria-hidden="true" /> Delete contact
                  </button>
                ) : null}
              </>
            )}
          </MenuButton>
        </div>
      </header>

      {candidates.length > 0 ? (
        <div className="alert" role="status" style={{ marginTop: 12 }}>
          <GitMerge size={18} aria-hidden="true" />
          <div className="grow">
            <strong>Possible duplicate:</strong> {fullName(candidates[0]!.contact)}{' '}
            <span className="muted">({candidates[0]!.reasons.map(humanize).join(', ')})</span>
          </div>
          <button type="button" className="btn btn-sm" onClick={() => setMerging(candidates[0]!.contact)}>
            Review and merge
          </button>
        </div>
      ) : null}

      <div className="detail-grid">
        <aside className="stack">
          <section className="card">
            <div className="card-header">
              <h2>About</h2>
            </div>
            <dl className="card-body inline-fields">
              <InlineField
                label="First name"
                value={contact.firstName}
                readOnly={!editable}
                onSave={(v) => save({ firstName: v || null })}
              />
              <InlineField
                label="Last name"
                value={contact.lastName}
                readOnly={!editable}
                onSave={(v) => save({ lastName: v || null })}
              />
              <InlineField
                label="Email"
                type="email"
                value={primaryEmail?.address ?? ''}
                {...(primaryEmail ? { href: `mailto:${primaryEmail.address}` } : {})}
                readOnly={!editable}
                onSave={(v) =>
                  save({
                    emails: v
                      ? [
                          { address: v, primary: true },
                          ...contact.emails
                            .filter((e) => e !== primaryEmail)
                            .map((e) => ({ address: e.address, primary: false, label: e.label })),
                        ]
                      : contact.emails
                          .filter((e) => e !== primaryEmail)
                          .map((e) => ({ address: e.address, label: e.label })),
                  })
                }
              />
              <InlineField
                label="Phone"
                type="tel"
                value={primaryPhone?.number ?? ''}
                {...(primaryPhone ? { href: `tel:${primaryPhone.number}` } : {})}
                readOnly={!editable}
                onSave={(v) =>
                  save({
                    phones: v
                      ? [
                          { number: v, primary: true },
                          ...contact.phones
                            .filter((p) => p !== primaryPhone)
                            .map((p) => ({ number: p.number, primary: false, label: p.label })),
                        ]
                      : contact.phones
                          .filter((p) => p !== primaryPhone)
                          .map((p) => ({ number: p.number, label: p.label })),
                  })
                }
              />
              <InlineField
                label="Job title"
                value={contact.title}
                readOnly={!editable}
                onSave={(v) => save({ title: v || null })}
              />
              <div className="inline-field">
                <dt className="inline-field-label">Company</dt>
                <dd>
                  {editingCompany ? (
                    <RecordPicker
                      label="Company"
                      value={undefined}
                      onChange={(option) => {
                        setEditingCompany(false);
                        if (option) void save({ companyId: option.id });
                      }}
                      search={companySearch}
                      queryKey="companies"
                    />
                  ) : (
                    <div className="row">
                      <span className="inline-field-value grow">
                        {contact.companyId ? (
                          <Link to={`/companies/${contact.companyId}`}>{contact.companyName || 'Company'}</Link>
                        ) : (
                          <span className="subtle">—</span>
                        )}
                      </span>
                      {editable ? (
                        <button type="button" className="btn btn-sm btn-ghost" onClick={() => setEditingCompany(true)}>
                          Change
                        </button>
                      ) : null}
                    </div>
                  )}
                </dd>
              </div>
              <InlineField
                label="Lifecycle stage"
                type="select"
                value={contact.lifecycleStage}
                display={contact.lifecycleStage ? humanize(contact.lifecycleStage) : undefined}
                options={LIFECYCLE_STAGES.map((s) => ({ value: s, label: humanize(s) }))}
                readOnly={!editable}
                onSave={(v) => save({ lifecycleStage: (v || null) as ContactPatch['lifecycleStage'] })}
              />
              <InlineField
                label="Lead source"
                value={contact.leadSource}
                readOnly={!editable}
                onSave={(v) => save({ leadSource: v || null })}
              />
              <InlineField
                label="Tags"
                value={contact.tags.join(', ')}
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
              <InlineField
                label="Tier"
                type="select"
                value={contact.tier}
                display={contact.tier ? humanize(contact.tier) : undefined}
                options={[
                  { value: 'standard', label: 'Standard' },
                  { value: 'vip', label: 'VIP' },
                ]}
                readOnly={!editable}
                onSave={(v) => save({ tier: (v || null) as ContactPatch['tier'] })}
              />
              <InlineField
                label="City"
                value={contact.address?.city ?? ''}
                readOnly={!editable}
                onSave={(v) => save({ address: { ...(contact.address ?? {}), city: v } })}
              />
              <InlineField
                label="Country"
                value={contact.address?.country ?? ''}
                placeholder="Two letters, e.g. DE"
                readOnly={!editable}
                onSave={(v) => save({ address: { ...(contact.address ?? {}), country: v.toUpperCase() } })}
              />
            </dl>
          </section>
          <CustomFieldsSection
            definitions={definitions}
            values={contact.customFields}
            readOnly={!editable}
            onSave={(key, value) => save({ customFields: { [key]: value } })}
          />
        </aside>

        <section className="stack" aria-label="Activity">
          {editable ? <ActivityComposer contactId={contact.id} /> : null}
          <div className="card">
            <div className="tabs" role="tablist" aria-label="Contact sections" style={{ padding: '0 12px' }}>
              <button
                type="button"
                role="tab"
                className="tab"
                aria-selected={tab === 'activity'}
                onClick={() => setTab('activity')}
              >
                Activity
              </button>
              {access.can('dealsRead') ? (
                <button
                  type="button"
                  role="tab"
                  className="tab"
                  aria-selected={tab === 'deals'}
                  onClick={() => setTab('deals')}
                >
                  Deals {deals.data ? `(${deals.data.pages.flatMap((p) => p.data).length})` : ''}
                </button>
              ) : null}
              {access.can('contactsCurate') ? (
                <button
                  type="button"
                  role="tab"
                  className="tab"
                  aria-selected={tab === 'duplicates'}
                  onClick={() => setTab('duplicates')}
                >
                  Duplicates {candidates.length ? `(${candidates.length})` : ''}
                </button>
              ) : null}
              <button
                type="button"
                role="tab"
                className="tab"
                aria-selected={tab === 'history'}
                onClick={() => setTab('history')}
              >
                History
              </button>
            </div>
            <div className="card-body" role="tabpanel">
              {tab === 'activity' ? <Timeline query={activities} /> : null}
              {tab === 'history' ? <HistoryList resource="contacts" id={contact.id} /> : null}
              {tab === 'deals' ? (
                <ul className="simple-list">
                  {(deals.data?.pages.flatMap((p) => p.data) ?? []).map((deal) => (
                    <li key={deal.id}>
                      <Link to={`/deals/${deal.id}`} className="row-between simple-row">
                        <span className="truncate">{deal.title}</span>
                        <span className="row">
                          <span
                            className={`badge ${deal.status === 'won' ? 'badge-success' : deal.status === 'lost' ? 'badge-danger' : ''}`}
                          >
                            {humanize(deal.status)}
                          </span>
                          <span className="tabular">{formatMoney(deal.amount)}</span>
                        </span>
                      </Link>
                    </li>
                  ))}
                  {deals.data && deals.data.pages[0]?.data.length === 0 ? (
                    <li className="subtle">No deals with this contact.</li>
                  ) : null}
                </ul>
              ) : null}
              {tab === 'duplicates' ? (
                candidates.length === 0 ? (
                  <p className="subtle">No likely duplicates.</p>
                ) : (
                  <ul className="simple-list">
                    {candidates.map((candidate) => (
                      <li key={candidate.contact.id} className="row-between simple-row">
                        <span className="grow" style={{ minWidth: 0 }}>
                          <Link to={`/contacts/${candidate.contact.id}`} className="truncate">
                            {fullName(candidate.contact)}
                          </Link>
                          <span className="subtle truncate" style={{ display: 'block' }}>
                            {candidate.reasons.map(humanize).join(', ')} · score {Math.round(candidate.score * 100)}%
                          </span>
                        </span>
                        <button type="button" className="btn btn-sm" onClick={() => setMerging(candidate.contact)}>
                          <GitMerge size={14} aria-hidden="true" /> Merge
                        </button>
                      </li>
                    ))}
                  </ul>
                )
              ) : null}
            </div>
          </div>
        </section>
      </div>

      {merging ? (
        <MergeDialog
          current={contact}
          other={merging}
          busy={mergeBusy}
          onClose={() => setMerging(undefined)}
          onMerge={(k, s) => void merge(k, s)}
        />
      ) : null}
      <EraseDialog
        open={erasing}
        name={name}
        onClose={() => setErasing(false)}
        onErase={async () => {
          try {
            await eraseContact(contact.id);
            setErasing(false);
            // Its page is left first: refetching an erased contact would only answer 404.
            navigate('/contacts');
            client.removeQueries({ queryKey: queryKeys.contacts.detail(contact.id) });
            void client.invalidateQueries({ queryKey: ['contacts', 'list'] });
            toasts.success('Personal data erased', 'The contact is now anonymous.');
          } catch (error) {
            toasts.error(error, 'Not erased');
          }
        }}
      />
      <ConflictDialog
        pending={patcher.conflict}
        recordLabel="contact"
        onReapply={() => void patcher.reapply()}
        onDiscard={patcher.discard}
      />
    </div>
  );
}

function EraseDialog({
  open,
  name,
  onClose,
  onErase,
}: {
  open: boolean;
  name: string;
  onClose: () => void;
  onErase: () => Promise<void>;
}) {
  const [typed, setTyped] = useState('');
  const [busy, setBusy] = useState(false);
  return (
    <Dialog
      open={open}
      onClose={onClose}
      title="Erase personal data?"
      description="Names, emails, phones, addresses and notes are removed for good. This cannot be undone."
      footer={
        <>
          <button type="button" className="btn" onClick={onClose}>
            Cancel
          </button>
          <button
            type="button"
            className="btn btn-danger"
            disabled={typed.trim() !== 'ERASE' || busy}
            onClick={() => {
              setBusy(true);
              void onErase().finally(() => setBusy(false));
            }}
          >
            Erase {name}
          </button>
        </>
      }
    >
      <label className="field">
        <span className="field-label">Type ERASE to confirm</span>
        <input className="input" value={typed} onChange={(e) => setTyped(e.target.value)} autoComplete="off" />
      </label>
    </Dialog>
  );
}
