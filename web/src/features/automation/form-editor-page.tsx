// One web form: its fields and what each maps to, consent, allowed origins, spam trap, owner assignment and the
// follow-up task; saved with If-Match. A saved form shows the snippet to embed, with a copy button.
import { useQueryClient } from '@tanstack/react-query';
import { Plus, Trash2 } from 'lucide-react';
import { useEffect, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { createForm, fetchForm, patchForm, useForm, type WebForm, type WebFormPatch } from '../../api/forms.api';
import { formErrorsOf } from '../../api/problem';
import { queryKeys } from '../../api/query-keys';
import { useAccess } from '../../app/access';
import { formSnippet } from '../../domain/form-snippet';
import { sameValue } from '../../domain/record-conflict';
import { Field } from '../../ui/field';
import { ErrorPanel, PageHeader, SkeletonRows } from '../../ui/misc';
import { useToasts } from '../../ui/toast';
import { ConflictDialog } from '../records/conflict-dialog';
import { useVersionedPatch } from '../records/use-versioned-patch';
import { CopyButton, SecretDialog } from './secret-dialog';
import './automation.css';

const MAPS_TO = [
  ['first_name', 'First name'],
  ['last_name', 'Last name'],
  ['email', 'Email'],
  ['phone', 'Phone'],
  ['title', 'Job title'],
  ['lead_source', 'Lead source'],
  ['', 'Not mapped (kept in the activity)'],
] as const;

type Strategy = 'round_robin' | 'least_loaded' | 'fixed';

interface Draft {
  name: string;
  fields: { name: string; label: string; mapsTo: string; required: boolean }[];
  consentText: string;
  allowedOrigins: string;
  honeypotField: string;
  strategy: Strategy;
  teamId: string;
  ownerId: string;
  followUpTitle: string;
  followUpDueMinutes: string;
  enabled: boolean;
  hmacEnabled: boolean;
}

const NEW_DRAFT: Draft = {
  name: '',
  fields: [
    { name: 'email', label: 'Email', mapsTo: 'email', required: true },
    { name: 'first_name', label: 'First name', mapsTo: 'first_name', required: false },
    { name: 'last_name', label: 'Last name', mapsTo: 'last_name', required: false },
  ],
  consentText: '',
  allowedOrigins: '',
  honeypotField: 'website',
  strategy: 'fixed',
  teamId: '',
  ownerId: '',
  followUpTitle: 'Follow up on the web form',
  followUpDueMinutes: '1440',
  enabled: true,
  hmacEnabled: false,
};

function draftOf(form: WebForm): Draft {
  return {
    name: form.name,
    fields: form.fields.map((f) => ({ ...f })),
    consentText: form.consentText,
    allowedOrigins: form.allowedOrigins.join('\n'),
    honeypotField: form.honeypotField,
    strategy: (form.assignment?.strategy as Strategy | undefined) ?? 'round_robin',
    teamId: form.assignment?.teamId ?? '',
    ownerId: form.assignment?.ownerId ?? '',
    followUpTitle: form.followUpTitle,
    followUpDueMinutes: String(form.followUpDueMinutes),
    enabled: form.enabled,
    hmacEnabled: form.hmacEnabled,
  };
}

function bodyOf(draft: Draft) {
  return {
    name: draft.name.trim(),
    fields: draft.fields.map((f) => ({
      name: f.name.trim(),
      ...(f.label ? { label: f.label } : {}),
      ...(f.mapsTo ? { mapsTo: f.mapsTo } : {}),
      required: f.required,
    })),
    consentText: draft.consentText,
    allowedOrigins: draft.allowedOrigins
      .split(/\s+/)
      .map((o) => o.trim().replace(/\/+$/, ''))
      .filter(Boolean),
    honeypotField: draft.honeypotField.trim(),
    assignment: {
      strategy: draft.strategy,
      ...(draft.teamId.trim() ? { teamId: draft.teamId.trim() } : {}),
      ...(draft.ownerId.trim() ? { ownerId: draft.ownerId.trim() } : {}),
    },
    followUpTitle: draft.followUpTitle,
    followUpDueMinutes: Number(draft.followUpDueMinutes) || 0,
    enabled: draft.enabled,
    hmacEnabled: draft.hmacEnabled,
  };
}

/** Only what changed, so a conflict names the fields the user touched. */
function patchOf(form: WebForm, draft: Draft): WebFormPatch {
  const body = bodyOf(draft);
  const current = bodyOf(draftOf(form));
  const patch: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(body))
    if (!sameValue(value, current[key as keyof typeof current])) patch[key] = value;
  return patch as WebFormPatch;
}

export function FormEditorPage() {
  const { id = 'new' } = useParams();
  const isNew = id === 'new';
  const access = useAccess();
  const canWrite = access.can('formsWrite');
  const form = useForm(isNew ? undefined : id);
  const client = useQueryClient();
  const toasts = useToasts();
  const navigate = useNavigate();
  // New forms assign their leads to the admin who made them until a team is chosen.
  const [draft, setDraft] = useState<Draft>(() => ({ ...NEW_DRAFT, ownerId: access.userId ?? '' }));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [secret, setSecret] = useState<string | undefined>();
  const [saving, setSaving] = useState(false);

  useEffect(() => {
    if (form.data) setDraft(draftOf(form.data));
  }, [form.data]);

  const versioned = useVersionedPatch<WebForm, WebFormPatch>({
    queryKey: queryKeys.forms.detail(id),
    send: async (version, patch) => {
      try {
        return await patchForm(id, version, patch);
      } catch (error) {
        setErrors(formErrorsOf(error));
        throw error;
      }
    },
    fetchLatest: () => fetchForm(id),
    onSaved: (saved) => {
      setErrors({});
      void client.invalidateQueries({ queryKey: queryKeys.forms.list });
      toasts.success('Form saved', `${saved.name} is now v${saved.version}`);
    },
  });

  const set = <K extends keyof Draft>(key: K, value: Draft[K]) => setDraft((d) => ({ ...d, [key]: value }));
  const setField = (index: number, change: Partial<Draft['fields'][number]>) =>
    setDraft((d) => ({ ...d, fields: d.fields.map((f, i) => (i === index ? { ...f, ...change } : f)) }));

  const save = async () => {
    if (!isNew) {
      if (form.data) await versioned.save(patchOf(form.data, draft));
      return;
    }
    setSaving(true);
    try {
      const created = await createForm(bodyOf(draft));
      client.setQueryData(queryKeys.forms.detail(created.form.id), created.form);
      void client.invalidateQueries({ queryKey: queryKeys.forms.list });
      toasts.success('Form created', created.form.name);
      if (created.hmacSecret) setSecret(created.hmacSecret);
      void navigate(`/automation/forms/${created.form.id}`, { replace: true });
    } catch (error) {
      setErrors(formErrorsOf(error));
      toasts.error(error, 'The form was not created');
    } finally {
      setSaving(false);
    }
  };

  if (!isNew && form.isPending)
    return (
      <div className="page">
        <SkeletonRows />
      </div>
    );
  if (!isNew && form.isError)
    return (
      <div className="page">
        <ErrorPanel error={form.error} onRetry={() => void form.refetch()} />
      </div>
    );

  const snippet = form.data ? formSnippet(form.data, window.location.origin) : undefined;
  const unchanged = !isNew && form.data !== undefined && Object.keys(patchOf(form.data, draft)).length === 0;
  return (
    <div className="page">
      <PageHeader
        title={isNew ? 'New web form' : (form.data?.name ?? 'Web form')}
        subtitle={
          <>
            <Link to="/automation/forms" className="crumb">
              Web forms
            </Link>
            {form.data ? ` · v${form.data.version}` : ''}
          </>
        }
      />
      <div className="automation-grid">
        <form
          className="card card-pad stack"
          aria-label="Form settings"
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            void save();
          }}
        >
          <Field label="Name" required error={errors.name}>
            <input
              className="input"
              value={draft.name}
              disabled={!canWrite}
              onChange={(e) => set('name', e.target.value)}
            />
          </Field>
          <fieldset className="form-fields" disabled={!canWrite}>
            <legend className="field-label">Fields</legend>
            {errors.fields ? <span className="field-error">{errors.fields}</span> : null}
            <ul aria-label="Fields">
              {draft.fields.map((field, i) => (
                <li key={i} className="form-field-row">
                  <Field label="Field name" error={errors[`fields[${i}].name`]}>
                    <input
                      className="input"
                      value={field.name}
                      onChange={(e) => setField(i, { name: e.target.value })}
                    />
                  </Field>
                  <Field label="Label" error={errors[`fields[${i}].label`]}>
                    <input
                      className="input"
                      value={field.label}
                      onChange={(e) => setField(i, { label: e.target.value })}
                    />
                  </Field>
                  <Field label="Maps to" error={errors[`fields[${i}].mapsTo`]}>
                    <select
                      className="select"
                      value={field.mapsTo}
                      onChange={(e) => setField(i, { mapsTo: e.target.value })}
                    >
                      {MAPS_TO.map(([value, label]) => (
                        <option key={value} value={value}>
                          {label}
                        </option>
                      ))}
                      {field.mapsTo && !MAPS_TO.some(([v]) => v === field.mapsTo) ? (
                        <option value={field.mapsTo}>{field.mapsTo}</option>
                      ) : null}
                    </select>
                  </Field>
                  <label className="checkbox-row">
                    <input
                      type="checkbox"
                      checked={field.required}
                      onChange={(e) => setField(i, { required: e.target.checked })}
                    />
                    Required
                  </label>
                  <button
                    type="button"
                    className="icon-btn"
                    aria-label={`Remove field ${field.name || i + 1}`}
                    onClick={() => setDraft((d) => ({ ...d, fields: d.fields.filter((_, j) => j !== i) }))}
                  >
                    <Trash2 size={16} aria-hidden="true" />
                  </button>
                </li>
              ))}
            </ul>
            <button
              type="button"
              className="btn btn-sm"
              onClick={() =>
                setDraft((d) => ({ ...d, fields: [...d.fields, { name: '', label: '', mapsTo: '', required: false }] }))
              }
            >
              <Plus size={14} aria-hidden="true" /> Add field
            </button>
          </fieldset>
          <Field label="Consent text" error={errors.consentText}>
            <textarea
              className="textarea"
              rows={2}
              value={draft.consentText}
              disabled={!canWrite}
              onChange={(e) => set('consentText', e.target.value)}
            />
          </Field>
          <Field
            label="Allowed origins"
            error={errors.allowedOrigins ?? errors['allowedOrigins[0]']}
            hint="The sites the form may be posted from, one per line, e.g. https://www.example.com"
          >
            <textarea
              className="textarea"
              rows={2}
              value={draft.allowedOrigins}
              disabled={!canWrite}
              onChange={(e) => set('allowedOrigins', e.target.value)}
            />
          </Field>
          <Field label="Spam trap field" error={errors.honeypotField} hint="Hidden from people; bots fill it in.">
            <input
              className="input"
              value={draft.honeypotField}
              disabled={!canWrite}
              onChange={(e) => set('honeypotField', e.target.value)}
            />
          </Field>
          <div className="form-grid-3">
            <Field label="Owner assignment" error={errors['assignment.strategy']}>
              <select
                className="select"
                value={draft.strategy}
                disabled={!canWrite}
                onChange={(e) => set('strategy', e.target.value as Strategy)}
              >
                <option value="round_robin">Round robin in a team</option>
                <option value="least_loaded">Least loaded in a team</option>
                <option value="fixed">A fixed owner</option>
              </select>
            </Field>
            <Field label="Team" error={errors['assignment.teamId']}>
              <input
                className="input"
                value={draft.teamId}
                disabled={!canWrite}
                onChange={(e) => set('teamId', e.target.value)}
              />
            </Field>
            <Field label="Owner (user id)" error={errors['assignment.ownerId']}>
              <input
                className="input"
                value={draft.ownerId}
                disabled={!canWrite}
                onChange={(e) => set('ownerId', e.target.value)}
              />
            </Field>
          </div>
          <div className="form-grid-3">
            <Field label="Follow-up task" error={errors.followUpTitle}>
              <input
                className="input"
                value={draft.followUpTitle}
                disabled={!canWrite}
                onChange={(e) => set('followUpTitle', e.target.value)}
              />
            </Field>
            <Field label="Due after (minutes)" error={errors.followUpDueMinutes}>
              <input
                className="input"
                type="number"
                min={0}
                value={draft.followUpDueMinutes}
                disabled={!canWrite}
                onChange={(e) => set('followUpDueMinutes', e.target.value)}
              />
            </Field>
          </div>
          <div className="row wrap">
            <label className="checkbox-row">
              <input
                type="checkbox"
                checked={draft.enabled}
                disabled={!canWrite}
                onChange={(e) => set('enabled', e.target.checked)}
              />
              Accepting submissions
            </label>
            <label className="checkbox-row">
              <input
                type="checkbox"
                checked={draft.hmacEnabled}
                disabled={!canWrite}
                onChange={(e) => set('hmacEnabled', e.target.checked)}
              />
              Server-side posts must be signed
            </label>
          </div>
          {errors[''] ? <span className="field-error">{errors['']}</span> : null}
          {canWrite ? (
            <div className="row">
              <button type="submit" className="btn btn-primary" disabled={saving || versioned.saving || unchanged}>
                {isNew ? 'Create form' : 'Save'}
              </button>
            </div>
          ) : null}
        </form>
        {snippet ? (
          <section className="card card-pad stack" aria-labelledby="snippet-title">
            <div className="row" style={{ justifyContent: 'space-between' }}>
              <h2 id="snippet-title" className="section-title">
                Embed on your site
              </h2>
              <CopyButton text={snippet} label="Copy snippet" />
            </div>
            <p className="subtle">
              Paste this HTML where the form should appear. It posts to this CRM from the allowed origins only.
            </p>
            <pre className="snippet" role="region" aria-label="Snippet" tabIndex={0} data-testid="form-snippet">
              {snippet}
            </pre>
          </section>
        ) : null}
      </div>
      <ConflictDialog
        pending={versioned.conflict}
        recordLabel="form"
        onReapply={() => void versioned.reapply()}
        onDiscard={versioned.discard}
      />
      <SecretDialog secret={secret} title="The form's signing key" onClose={() => setSecret(undefined)} />
    </div>
  );
}
