// SLA policies in evaluation order and the business calendars they count in (crm-admin). Policies: conditions,
// targets per priority and metric in business or calendar time, pause and fulfil statuses, warning percentage.
// Calendars: weekly working intervals per weekday in an IANA time zone (two a day leave a break), holidays.
import { useQueryClient } from '@tanstack/react-query';
import { ArrowDown, ArrowUp, CalendarClock, Pencil, Plus, Trash2, X } from 'lucide-react';
import { useState } from 'react';
import {
  createCalendar,
  createPolicy,
  deleteCalendar,
  deletePolicy,
  fetchCalendar,
  fetchPolicy,
  replaceCalendar,
  replacePolicy,
  slaKeys,
  useCalendars,
  usePolicies,
  type BusinessCalendar,
  type BusinessCalendarInput,
  type SlaPolicy,
  type SlaPolicyInput,
} from '../../api/sla.api';
import {
  WEEKDAYS,
  calendarProblems,
  defaultWeek,
  formatDuration,
  hoursByWeekday,
  joinDuration,
  orderPolicies,
  reorderPositions,
  splitDuration,
  type Holiday,
  type WorkingInterval,
} from '../../domain/business-calendar';
import { humanize } from '../../domain/format';
import { metricLabel } from '../../domain/sla';
import { TICKET_CHANNELS, TICKET_PRIORITIES, TICKET_STATUSES, TICKET_TYPES } from '../../domain/ticket-queues';
import { Dialog } from '../../ui/dialog';
import { Field } from '../../ui/field';
import { EmptyState, ErrorPanel, PageHeader, SkeletonRows } from '../../ui/misc';
import { useToasts } from '../../ui/toast';
import { ConflictDialog } from '../records/conflict-dialog';
import { useReplace } from './use-replace';
import '../../styles/support.css';

type Tab = 'policies' | 'calendars';

export function SlaAdminPage() {
  const [tab, setTab] = useState<Tab>('policies');
  return (
    <div className="page">
      <PageHeader title="SLA policies" subtitle="Targets tickets are held to, and the business hours they count in" />
      <div className="tabs" role="tablist" aria-label="SLA settings" style={{ marginBottom: 14 }}>
        {(['policies', 'calendars'] as const).map((t) => (
          <button key={t} type="button" role="tab" className="tab" aria-selected={tab === t} onClick={() => setTab(t)}>
            {t === 'policies' ? 'Policies' : 'Business calendars'}
          </button>
        ))}
      </div>
      {tab === 'policies' ? <PoliciesTab /> : <CalendarsTab />}
    </div>
  );
}

// ---- policies ----

type Conditions = SlaPolicyInput['conditions'];
type Target = SlaPolicyInput['targets'][number];

function conditionsOf(policy: SlaPolicy): Conditions {
  const c = (policy.conditions ?? {}) as Partial<Conditions>;
  return {
    priorities: c.priorities ?? [],
    groupIds: c.groupIds ?? [],
    channels: c.channels ?? [],
    types: c.types ?? [],
    tags: c.tags ?? [],
  };
}

function inputOf(policy: SlaPolicy): SlaPolicyInput {
  return {
    name: policy.name,
    position: policy.position,
    conditions: conditionsOf(policy),
    ...(policy.calendarId ? { calendarId: policy.calendarId } : {}),
    targets: policy.targets.map((t) => ({
      priority: t.priority as Target['priority'],
      metric: t.metric as Target['metric'],
      targetSeconds: t.targetSeconds,
      businessHours: t.businessHours,
    })),
    pauseStatuses: policy.pauseStatuses as SlaPolicyInput['pauseStatuses'],
    fulfilStatuses: policy.fulfilStatuses as SlaPolicyInput['fulfilStatuses'],
    warningPercent: policy.warningPercent,
    enabled: policy.enabled,
  };
}

function conditionSummary(c: Conditions): string {
  const parts = [
    c.priorities.length ? `priority ${c.priorities.join('/')}` : '',
    c.groupIds.length ? `group ${c.groupIds.join('/')}` : '',
    c.channels.length ? `channel ${c.channels.map(humanize).join('/')}` : '',
    c.types.length ? `type ${c.types.join('/')}` : '',
    c.tags.length ? `tagged ${c.tags.map((t) => `#${t}`).join(' ')}` : '',
  ].filter(Boolean);
  return parts.length ? parts.join(' · ') : 'Every ticket';
}

function PoliciesTab() {
  const client = useQueryClient();
  const toasts = useToasts();
  const policies = usePolicies();
  const calendars = useCalendars().data ?? [];
  const [editing, setEditing] = useState<SlaPolicy | 'new' | undefined>();
  const [busy, setBusy] = useState(false);
  const ordered = orderPolicies(policies.data ?? []);
  const reload = () => client.invalidateQueries({ queryKey: slaKeys.policies });

  const move = async (from: number, to: number) => {
    const positions = reorderPositions(ordered, from, to);
    setBusy(true);
    try {
      for (const policy of ordered) {
        const position = positions.get(policy.id);
        if (position !== undefined && position !== policy.position)
          await replacePolicy(policy.id, policy.version, { ...inputOf(policy), position });
      }
      toasts.success('Order saved');
    } catch (error) {
      toasts.error(error, 'Order not saved');
    } finally {
      setBusy(false);
      await reload();
    }
  };

  const remove = async (policy: SlaPolicy) => {
    if (!window.confirm(`Delete the policy "${policy.name}"? Open tickets it applies to are recomputed.`)) return;
    try {
      await deletePolicy(policy.id, policy.version);
      toasts.success('Policy deleted', policy.name);
    } catch (error) {
      toasts.error(error, 'Not deleted');
    }
    await reload();
  };

  if (policies.isPending) return <SkeletonRows rows={4} />;
  if (policies.isError) return <ErrorPanel error={policies.error} onRetry={() => void policies.refetch()} />;
  return (
    <>
      <div className="row" style={{ marginBottom: 12 }}>
        <p className="muted grow">The first enabled policy, top to bottom, whose conditions match a ticket applies.</p>
        <button type="button" className="btn btn-primary" onClick={() => setEditing('new')}>
          <Plus size={16} aria-hidden="true" /> New policy
        </button>
      </div>
      {ordered.length === 0 ? (
        <EmptyState icon={<CalendarClock size={22} />} title="No SLA policy yet">
          Without one, tickets have no targets.
        </EmptyState>
      ) : (
        <ol className="card admin-list" aria-label="SLA policies">
          {ordered.map((policy, i) => (
            <li key={policy.id} className="admin-item" data-policy-id={policy.id}>
              <span className="badge tabular">{i + 1}</span>
              <div className="grow" style={{ minWidth: 0 }}>
                <div className="row wrap">
                  <strong>{policy.name}</strong>
                  {policy.enabled ? null : <span className="badge">Disabled</span>}
                  <span className="subtle">
                    {calendars.find((c) => c.id === policy.calendarId)?.name ?? 'Calendar time'} · warn at{' '}
                    {policy.warningPercent}%
                  </span>
                </div>
                <div className="subtle">{conditionSummary(conditionsOf(policy))}</div>
                <div className="row wrap" style={{ marginTop: 4 }}>
                  {policy.targets.map((t) => (
                    <span key={`${t.priority}-${t.metric}`} className="badge">
                      {humanize(t.priority)}: {metricLabel(t.metric)} {formatDuration(t.targetSeconds)}
                      {t.businessHours ? '' : ' (24/7)'}
                    </span>
                  ))}
                </div>
              </div>
              <div className="row">
                <button
                  type="button"
                  className="icon-btn"
                  aria-label={`Move ${policy.name} up`}
                  disabled={busy || i === 0}
                  onClick={() => void move(i, i - 1)}
                >
                  <ArrowUp size={16} />
                </button>
                <button
                  type="button"
                  className="icon-btn"
                  aria-label={`Move ${policy.name} down`}
                  disabled={busy || i === ordered.length - 1}
                  onClick={() => void move(i, i + 1)}
                >
                  <ArrowDown size={16} />
                </button>
                <button
                  type="button"
                  className="icon-btn"
                  aria-label={`Edit ${policy.name}`}
                  onClick={() => setEditing(policy)}
                >
                  <Pencil size={16} />
                </button>
                <button
                  type="button"
                  className="icon-btn"
                  aria-label={`Delete ${policy.name}`}
                  onClick={() => void remove(policy)}
                >
                  <Trash2 size={16} />
                </button>
              </div>
            </li>
          ))}
        </ol>
      )}
      {editing ? (
        <PolicyDialog
          policy={editing === 'new' ? undefined : editing}
          nextPosition={(ordered.length + 1) * 10}
          calendars={calendars}
          onClose={() => {
            setEditing(undefined);
            void reload();
          }}
        />
      ) : null}
    </>
  );
}

const DEFAULT_TARGETS: Target[] = [
  { priority: 'urgent', metric: 'first_reply', targetSeconds: 3600, businessHours: false },
  { priority: 'high', metric: 'first_reply', targetSeconds: 4 * 3600, businessHours: true },
  { priority: 'normal', metric: 'first_reply', targetSeconds: 8 * 3600, businessHours: true },
  { priority: 'normal', metric: 'resolution', targetSeconds: 40 * 3600, businessHours: true },
];
const METRICS: Target['metric'][] = ['first_reply', 'next_reply', 'periodic_update', 'resolution'];

function toggle<T>(list: readonly T[], value: T, on: boolean): T[] {
  return on ? [...new Set([...list, value])] : list.filter((v) => v !== value);
}

const csv = (text: string) =>
  text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

function Checks<T extends string>({
  legend,
  values,
  selected,
  onChange,
}: {
  legend: string;
  values: readonly T[];
  selected: readonly T[];
  onChange: (next: T[]) => void;
}) {
  return (
    <fieldset className="check-group">
      <legend className="field-label">{legend}</legend>
      <div className="row wrap">
        {values.map((v) => (
          <label key={v} className="checkbox-row">
            <input
              type="checkbox"
              checked={selected.includes(v)}
              onChange={(e) => onChange(toggle(selected, v, e.target.checked))}
            />
            {humanize(v)}
          </label>
        ))}
      </div>
    </fieldset>
  );
}

function PolicyDialog({
  policy,
  nextPosition,
  calendars,
  onClose,
}: {
  policy: SlaPolicy | undefined;
  nextPosition: number;
  calendars: BusinessCalendar[];
  onClose: () => void;
}) {
  const toasts = useToasts();
  const [draft, setDraft] = useState<SlaPolicyInput>(
    policy
      ? inputOf(policy)
      : {
          name: '',
          position: nextPosition,
          conditions: { priorities: [], groupIds: [], channels: [], types: [], tags: [] },
          ...(calendars[0] ? { calendarId: calendars[0].id } : {}),
          targets: DEFAULT_TARGETS,
          pauseStatuses: ['pending', 'on_hold'],
          fulfilStatuses: ['solved', 'closed'],
          warningPercent: 75,
          enabled: true,
        },
  );
  const [groupText, setGroupText] = useState(draft.conditions.groupIds.join(', '));
  const [tagText, setTagText] = useState(draft.conditions.tags.join(', '));
  const [error, setError] = useState<string | undefined>();
  const [saving, setSaving] = useState(false);
  const replacer = useReplace<SlaPolicy, SlaPolicyInput>({
    replace: (version, input) => replacePolicy(policy?.id ?? '', version, input),
    fetchLatest: () => fetchPolicy(policy?.id ?? ''),
    onSaved: (saved) => {
      toasts.success('Policy saved', saved.name);
      onClose();
    },
  });
  const set = (patch: Partial<SlaPolicyInput>) => setDraft((d) => ({ ...d, ...patch }));
  const setConditions = (patch: Partial<Conditions>) => set({ conditions: { ...draft.conditions, ...patch } });
  const setTarget = (i: number, patch: Partial<Target>) =>
    set({ targets: draft.targets.map((t, j) => (j === i ? { ...t, ...patch } : t)) });

  const submit = async () => {
    const input: SlaPolicyInput = {
      ...draft,
      name: draft.name.trim(),
      conditions: { ...draft.conditions, groupIds: csv(groupText), tags: csv(tagText) },
    };
    const seen = new Set(input.targets.map((t) => `${t.priority}/${t.metric}`));
    if (!input.name) return setError('Give the policy a name');
    if (input.targets.length === 0) return setError('Add at least one target');
    if (seen.size !== input.targets.length) return setError('One target per priority and metric');
    if (input.targets.some((t) => t.targetSeconds < 60)) return setError('Every target needs a length');
    setError(undefined);
    setSaving(true);
    try {
      if (policy) await replacer.save(policy, input);
      else {
        const created = await createPolicy(input);
        toasts.success('Policy created', created.name);
        onClose();
      }
    } catch (e) {
      toasts.error(e, 'Not saved');
    } finally {
      setSaving(false);
    }
  };

  return (
    <>
      <Dialog
        open={!replacer.pending}
        onClose={onClose}
        wide
        title={policy ? `Edit ${policy.name}` : 'New SLA policy'}
        onSubmit={() => void submit()}
        footer={
          <>
            <button type="button" className="btn" onClick={onClose}>
              Cancel
            </button>
            <button type="submit" className="btn btn-primary" disabled={saving}>
              Save policy
            </button>
          </>
        }
      >
        <div className="stack">
          {error ? (
            <div className="alert alert-danger" role="alert">
              {error}
            </div>
          ) : null}
          <div className="form-grid">
            <Field label="Name" required>
              <input className="input" value={draft.name} onChange={(e) => set({ name: e.target.value })} />
            </Field>
            <Field label="Business calendar" hint="Business-hours targets count in its working hours">
              <select
                className="select"
                value={draft.calendarId ?? ''}
                onChange={(e) => {
                  const { calendarId: _drop, ...rest } = draft;
                  setDraft(e.target.value ? { ...rest, calendarId: e.target.value } : rest);
                }}
              >
                <option value="">None (calendar time)</option>
                {calendars.map((c) => (
                  <option key={c.id} value={c.id}>
                    {c.name}
                  </option>
                ))}
              </select>
            </Field>
            <Field label="Warning at (% of the target)">
              <input
                className="input"
                type="number"
                min={0}
                max={99}
                value={draft.warningPercent}
                onChange={(e) => set({ warningPercent: Number(e.target.value) })}
              />
            </Field>
            <label className="checkbox-row">
              <input type="checkbox" checked={draft.enabled} onChange={(e) => set({ enabled: e.target.checked })} />
              Enabled
            </label>
          </div>
          <section className="stack">
            <h3 className="section-title">Applies to</h3>
            <Checks
              legend="Priorities (none: any)"
              values={TICKET_PRIORITIES}
              selected={draft.conditions.priorities}
              onChange={(priorities) => setConditions({ priorities })}
            />
            <Checks
              legend="Channels (none: any)"
              values={TICKET_CHANNELS}
              selected={draft.conditions.channels}
              onChange={(channels) => setConditions({ channels })}
            />
            <Checks
              legend="Types (none: any)"
              values={TICKET_TYPES}
              selected={draft.conditions.types}
              onChange={(types) => setConditions({ types })}
            />
            <div className="form-grid">
              <Field label="Groups" hint="Comma-separated; empty: any">
                <input className="input" value={groupText} onChange={(e) => setGroupText(e.target.value)} />
              </Field>
              <Field label="Tags" hint="Comma-separated; a ticket needs every one">
                <input className="input" value={tagText} onChange={(e) => setTagText(e.target.value)} />
              </Field>
            </div>
          </section>
          <section className="stack">
            <h3 className="section-title">Targets</h3>
            <table className="table target-table">
              <thead>
                <tr>
                  <th scope="col">Priority</th>
                  <th scope="col">Metric</th>
                  <th scope="col">Hours</th>
                  <th scope="col">Minutes</th>
                  <th scope="col">Business hours</th>
                  <th scope="col">
                    <span className="visually-hidden">Remove</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {draft.targets.map((t, i) => {
                  const { hours, minutes } = splitDuration(t.targetSeconds);
                  const name = `target ${i + 1}`;
                  return (
                    <tr key={i}>
                      <td>
                        <select
                          className="select"
                          aria-label={`Priority of ${name}`}
                          value={t.priority}
                          onChange={(e) => setTarget(i, { priority: e.target.value as Target['priority'] })}
                        >
                          {TICKET_PRIORITIES.map((p) => (
                            <option key={p} value={p}>
                              {humanize(p)}
                            </option>
                          ))}
                        </select>
                      </td>
                      <td>
                        <select
                          className="select"
                          aria-label={`Metric of ${name}`}
                          value={t.metric}
                          onChange={(e) => setTarget(i, { metric: e.target.value as Target['metric'] })}
                        >
                          {METRICS.map((m) => (
                            <option key={m} value={m}>
                              {metricLabel(m)}
                            </option>
                          ))}
                        </select>
                      </td>
                      <td>
                        <input
                          className="input"
                          type="number"
                          min={0}
                          aria-label={`Hours of ${name}`}
                          value={hours}
                          onChange={(e) =>
                            setTarget(i, { targetSeconds: joinDuration(Number(e.target.value), minutes) })
                          }
                        />
                      </td>
                      <td>
                        <input
                          className="input"
                          type="number"
                          min={0}
                          max={59}
                          aria-label={`Minutes of ${name}`}
                          value={minutes}
                          onChange={(e) => setTarget(i, { targetSeconds: joinDuration(hours, Number(e.target.value)) })}
                        />
                      </td>
                      <td>
                        <input
                          type="checkbox"
                          aria-label={`${name} counts business hours only`}
                          checked={t.businessHours}
                          onChange={(e) => setTarget(i, { businessHours: e.target.checked })}
                        />
                      </td>
                      <td>
                        <button
                          type="button"
                          className="icon-btn"
                          aria-label={`Remove ${name}`}
                          onClick={() => set({ targets: draft.targets.filter((_, j) => j !== i) })}
                        >
                          <X size={14} />
                        </button>
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
            <div>
              <button
                type="button"
                className="btn btn-sm"
                disabled={draft.targets.length >= 16}
                onClick={() =>
                  set({
                    targets: [
                      ...draft.targets,
                      { priority: 'normal', metric: 'first_reply', targetSeconds: 3600, businessHours: true },
                    ],
                  })
                }
              >
                <Plus size={14} aria-hidden="true" /> Add target
              </button>
            </div>
          </section>
          <Checks
            legend="Clocks pause while the ticket is"
            values={TICKET_STATUSES}
            selected={draft.pauseStatuses}
            onChange={(pauseStatuses) => set({ pauseStatuses })}
          />
          <Checks
            legend="Resolution is met when the ticket is"
            values={TICKET_STATUSES}
            selected={draft.fulfilStatuses}
            onChange={(fulfilStatuses) => set({ fulfilStatuses })}
          />
        </div>
      </Dialog>
      <ConflictDialog
        pending={replacer.pending}
        recordLabel="policy"
        onReapply={() => void replacer.reapply()}
        onDiscard={replacer.discard}
      />
    </>
  );
}

// ---- calendars ----

function hoursSummary(hours: readonly WorkingInterval[]): string {
  const byDay = hoursByWeekday(hours);
  return WEEKDAYS.map((day, i) => {
    const list = byDay.get(i + 1) ?? [];
    return list.length ? `${day.slice(0, 3)} ${list.map((h) => `${h.start}–${h.end}`).join(', ')}` : '';
  })
    .filter(Boolean)
    .join(' · ');
}

function CalendarsTab() {
  const client = useQueryClient();
  const toasts = useToasts();
  const calendars = useCalendars();
  const [editing, setEditing] = useState<BusinessCalendar | 'new' | undefined>();
  const reload = () => client.invalidateQueries({ queryKey: slaKeys.calendars });

  const remove = async (calendar: BusinessCalendar) => {
    if (!window.confirm(`Delete the calendar "${calendar.name}"?`)) return;
    try {
      await deleteCalendar(calendar.id, calendar.version);
      toasts.success('Calendar deleted', calendar.name);
    } catch (error) {
      toasts.error(error, 'Not deleted');
    }
    await reload();
  };

  if (calendars.isPending) return <SkeletonRows rows={3} />;
  if (calendars.isError) return <ErrorPanel error={calendars.error} onRetry={() => void calendars.refetch()} />;
  const list = calendars.data ?? [];
  return (
    <>
      <div className="row" style={{ marginBottom: 12 }}>
        <p className="muted grow">Working hours and holidays in a time zone; policies count business time in one.</p>
        <button type="button" className="btn btn-primary" onClick={() => setEditing('new')}>
          <Plus size={16} aria-hidden="true" /> New calendar
        </button>
      </div>
      {list.length === 0 ? (
        <EmptyState icon={<CalendarClock size={22} />} title="No business calendar yet">
          Without one, targets count around the clock.
        </EmptyState>
      ) : (
        <ul className="card admin-list" aria-label="Business calendars">
          {list.map((calendar) => (
            <li key={calendar.id} className="admin-item" data-calendar-id={calendar.id}>
              <div className="grow" style={{ minWidth: 0 }}>
                <div className="row wrap">
                  <strong>{calendar.name}</strong>
                  <span className="badge">{calendar.timeZone}</span>
                  <span className="subtle">
                    {calendar.holidays.length} holiday{calendar.holidays.length === 1 ? '' : 's'}
                  </span>
                </div>
                <div className="subtle">{hoursSummary(calendar.hours)}</div>
              </div>
              <div className="row">
                <button
                  type="button"
                  className="icon-btn"
                  aria-label={`Edit ${calendar.name}`}
                  onClick={() => setEditing(calendar)}
                >
                  <Pencil size={16} />
                </button>
                <button
                  type="button"
                  className="icon-btn"
                  aria-label={`Delete ${calendar.name}`}
                  onClick={() => void remove(calendar)}
                >
                  <Trash2 size={16} />
                </button>
              </div>
            </li>
          ))}
        </ul>
      )}
      {editing ? (
        <CalendarDialog
          calendar={editing === 'new' ? undefined : editing}
          onClose={() => {
            setEditing(undefined);
            void reload();
          }}
        />
      ) : null}
    </>
  );
}

function timeZones(): string[] {
  const intl = Intl as unknown as { supportedValuesOf?: (key: string) => string[] };
  return intl.supportedValuesOf?.('timeZone') ?? [];
}

function CalendarDialog({ calendar, onClose }: { calendar: BusinessCalendar | undefined; onClose: () => void }) {
  const toasts = useToasts();
  const [draft, setDraft] = useState<BusinessCalendarInput>(
    calendar
      ? { name: calendar.name, timeZone: calendar.timeZone, hours: calendar.hours, holidays: calendar.holidays }
      : {
          name: '',
          timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC',
          hours: defaultWeek(),
          holidays: [],
        },
  );
  const [shown, setShown] = useState(false);
  const [saving, setSaving] = useState(false);
  const problems = calendarProblems(draft);
  const replacer = useReplace<BusinessCalendar, BusinessCalendarInput>({
    replace: (version, input) => replaceCalendar(calendar?.id ?? '', version, input),
    fetchLatest: () => fetchCalendar(calendar?.id ?? ''),
    onSaved: (saved) => {
      toasts.success('Calendar saved', saved.name);
      onClose();
    },
  });
  const setHour = (i: number, patch: Partial<WorkingInterval>) =>
    setDraft((d) => ({ ...d, hours: d.hours.map((h, j) => (j === i ? { ...h, ...patch } : h)) }));
  const setHoliday = (i: number, patch: Partial<Holiday>) =>
    setDraft((d) => ({ ...d, holidays: d.holidays.map((h, j) => (j === i ? { ...h, ...patch } : h)) }));

  const submit = async () => {
    setShown(true);
    if (Object.keys(problems).length > 0) return;
    const input = { ...draft, name: draft.name.trim() };
    setSaving(true);
    try {
      if (calendar) await replacer.save(calendar, input);
      else {
        const created = await createCalendar(input);
        toasts.success('Calendar created', created.name);
        onClose();
      }
    } catch (e) {
      toasts.error(e, 'Not saved');
    } finally {
      setSaving(false);
    }
  };
  const problem = (key: string) => (shown ? problems[key] : undefined);

  return (
    <>
      <Dialog
        open={!replacer.pending}
        onClose={onClose}
        wide
        title={calendar ? `Edit ${calendar.name}` : 'New business calendar'}
        onSubmit={() => void submit()}
        footer={
          <>
            <button type="button" className="btn" onClick={onClose}>
              Cancel
            </button>
            <button type="submit" className="btn btn-primary" disabled={saving}>
              Save calendar
            </button>
          </>
        }
      >
        <div className="stack">
          <div className="form-grid">
            <Field label="Name" required error={problem('name')}>
              <input
                className="input"
                value={draft.name}
                onChange={(e) => setDraft({ ...draft, name: e.target.value })}
              />
            </Field>
            <Field label="Time zone" required error={problem('timeZone')} hint="IANA name, e.g. Europe/Berlin">
              <input
                className="input"
                list="calendar-time-zones"
                value={draft.timeZone}
                onChange={(e) => setDraft({ ...draft, timeZone: e.target.value })}
              />
            </Field>
            <datalist id="calendar-time-zones">
              {timeZones().map((z) => (
                <option key={z} value={z} />
              ))}
            </datalist>
          </div>
          <section className="stack">
            <h3 className="section-title">Weekly hours</h3>
            {problem('hours') ? <span className="field-error">{problem('hours')}</span> : null}
            <ul className="week-hours" aria-label="Weekly hours">
              {WEEKDAYS.map((day, d) => {
                const weekday = d + 1;
                const rows = draft.hours.map((h, i) => ({ h, i })).filter(({ h }) => h.weekday === weekday);
                return (
                  <li key={day} className="week-day">
                    <strong className="week-day-name">{day}</strong>
                    <div className="stack grow">
                      {rows.length === 0 ? <span className="subtle">Closed</span> : null}
                      {rows.map(({ h, i }) => (
                        <div key={i} className="row wrap">
                          <input
                            className="input time-input"
                            type="time"
                            aria-label={`${day} start`}
                            value={h.start}
                            onChange={(e) => setHour(i, { start: e.target.value })}
                          />
                          <span aria-hidden="true">–</span>
                          <input
                            className="input time-input"
                            type="time"
                            aria-label={`${day} end`}
                            value={h.end === '24:00' ? '23:59' : h.end}
                            onChange={(e) => setHour(i, { end: e.target.value === '23:59' ? '24:00' : e.target.value })}
                          />
                          <button
                            type="button"
                            className="icon-btn"
                            aria-label={`Remove ${day} ${h.start}–${h.end}`}
                            onClick={() => setDraft((x) => ({ ...x, hours: x.hours.filter((_, j) => j !== i) }))}
                          >
                            <X size={14} />
                          </button>
                          {problem(`hours[${i}]`) ? (
                            <span className="field-error">{problem(`hours[${i}]`)}</span>
                          ) : null}
                        </div>
                      ))}
                    </div>
                    <button
                      type="button"
                      className="btn btn-sm"
                      aria-label={rows.length ? `Add a ${day} interval after a break` : `Open on ${day}`}
                      onClick={() => {
                        const last = rows[rows.length - 1]?.h;
                        const start = last ? last.end : '09:00';
                        const end = last ? '18:00' : '17:00';
                        setDraft((x) => ({ ...x, hours: [...x.hours, { weekday, start, end }] }));
                      }}
                    >
                      <Plus size={14} aria-hidden="true" /> {rows.length ? 'Interval' : 'Open'}
                    </button>
                  </li>
                );
              })}
            </ul>
          </section>
          <section className="stack">
            <h3 className="section-title">Holidays</h3>
            {draft.holidays.length === 0 ? <p className="subtle">No holidays.</p> : null}
            <ul className="stack" aria-label="Holidays">
              {draft.holidays.map((h, i) => (
                <li key={i} className="row wrap">
                  <input
                    className="input grow"
                    aria-label={`Holiday ${i + 1} name`}
                    placeholder="Name"
                    value={h.name}
                    onChange={(e) => setHoliday(i, { name: e.target.value })}
                  />
                  <input
                    className="input"
                    style={{ width: 130 }}
                    aria-label={`Holiday ${i + 1} date`}
                    placeholder={h.yearly ? 'MM-DD' : 'YYYY-MM-DD'}
                    value={h.date}
                    onChange={(e) => setHoliday(i, { date: e.target.value.trim() })}
                  />
                  <label className="checkbox-row">
                    <input
                      type="checkbox"
                      checked={h.yearly}
                      onChange={(e) => {
                        // A one-off date becomes its month and day when made yearly.
                        const date = e.target.checked && /^\d{4}-/.test(h.date) ? h.date.slice(5) : h.date;
                        setHoliday(i, { yearly: e.target.checked, date });
                      }}
                    />
                    Every year
                  </label>
                  <button
                    type="button"
                    className="icon-btn"
                    aria-label={`Remove holiday ${h.name || i + 1}`}
                    onClick={() => setDraft((x) => ({ ...x, holidays: x.holidays.filter((_, j) => j !== i) }))}
                  >
                    <X size={14} />
                  </button>
                  {problem(`holidays[${i}]`) ? <span className="field-error">{problem(`holidays[${i}]`)}</span> : null}
                </li>
              ))}
            </ul>
            <div>
              <button
                type="button"
                className="btn btn-sm"
                onClick={() =>
                  setDraft((x) => ({ ...x, holidays: [...x.holidays, { name: '', date: '', yearly: false }] }))
                }
              >
                <Plus size={14} aria-hidden="true" /> Add holiday
              </button>
            </div>
          </section>
        </div>
      </Dialog>
      <ConflictDialog
        pending={replacer.pending}
        recordLabel="calendar"
        onReapply={() => void replacer.reapply()}
        onDiscard={replacer.discard}
      />
    </>
  );
}
