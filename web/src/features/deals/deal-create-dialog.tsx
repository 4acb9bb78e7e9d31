import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useForm } from 'react-hook-form';
import { useNavigate } from 'react-router';
import { fetchContacts } from '../../api/contacts.api';
import { useCustomFields } from '../../api/custom-fields.api';
import { createDeal, usePipelines } from '../../api/deals.api';
import { formErrorsOf } from '../../api/problem';
import { queryKeys } from '../../api/query-keys';
import type { Currency, DealCreate } from '../../api/types';
import { collectCustomFields, type RawFieldValue } from '../../domain/custom-fields';
import { fullName } from '../../domain/format';
import { COMMON_CURRENCIES, parseAmount } from '../../domain/money';
import { Dialog } from '../../ui/dialog';
import { Field } from '../../ui/field';
import { useToasts } from '../../ui/toast';
import { companySearch } from '../contacts/contact-create-dialog';
import { CustomFieldInputs } from '../custom-fields/custom-field-inputs';
import { RecordPicker, type PickerOption } from '../records/record-picker';

interface DealForm {
  title: string;
  amount: string;
  currency: string;
  pipelineId: string;
  stageId: string;
  expectedCloseDate: string;
  nextStep: string;
}

const CURRENCY_KEY = 'crm.last-currency';

export function contactSearch(text: string, signal: AbortSignal): Promise<PickerOption[]> {
  return fetchContacts({ q: text }, undefined, signal).then((page) =>
    page.data.map((c) => ({
      id: c.id,
      label: fullName(c),
      ...(c.companyName || c.emails[0] ? { detail: c.companyName || c.emails[0]?.address } : {}),
    })),
  );
}

export function DealCreateDialog({
  onClose,
  preset = {},
}: {
  onClose: () => void;
  preset?: Record<string, string> | undefined;
}) {
  const navigate = useNavigate();
  const toasts = useToasts();
  const client = useQueryClient();
  const pipelines = usePipelines();
  const definitions = useCustomFields('deal').data?.definitions ?? [];
  const [contact, setContact] = useState<PickerOption | undefined>(
    preset.contactId ? { id: preset.contactId, label: preset.contactName ?? 'Contact' } : undefined,
  );
  const [company, setCompany] = useState<PickerOption | undefined>(
    preset.companyId ? { id: preset.companyId, label: preset.companyName ?? 'Company' } : undefined,
  );
  const [custom, setCustom] = useState<Record<string, RawFieldValue>>({});
  const [customErrors, setCustomErrors] = useState<Record<string, string>>({});
  const [saving, setSaving] = useState(false);
  const [formError, setFormError] = useState<string | undefined>();
  const defaultPipeline = preset.pipelineId ?? pipelines.data?.find((p) => p.isDefault)?.id ?? '';
  const { register, handleSubmit, setError, watch, formState } = useForm<DealForm>({
    values: {
      title: '',
      amount: '',
      currency: localStorage.getItem(CURRENCY_KEY) ?? 'USD',
      pipelineId: defaultPipeline,
      stageId: '',
      expectedCloseDate: '',
      nextStep: '',
    },
    resetOptions: { keepDirtyValues: true },
  });
  const pipelineId = watch('pipelineId');
  const stages = (pipelines.data?.find((p) => p.id === pipelineId)?.stages ?? []).filter(
    (s) => !s.archived && s.kind === 'open',
  );

  const submit = async (values: DealForm) => {
    setFormError(undefined);
    if (!values.title.trim()) return setError('title', { message: 'Required' });
    // The API requires an amount (0 is fine for a deal not yet sized); the currency is one of ISO 4217.
    if (!values.amount.trim()) return setError('amount', { message: 'Required (0 if not known yet)' });
    const parsed = parseAmount(values.amount, values.currency);
    if (!parsed.ok) return setError('amount', { message: parsed.error });
    const amount: DealCreate['amount'] = {
      amountMinor: parsed.amountMinor,
      currency: values.currency as Currency,
    };
    const customResult = collectCustomFields(definitions, custom);
    setCustomErrors(customResult.errors);
    if (Object.keys(customResult.errors).length > 0) return;
    const body: DealCreate = {
      title: values.title.trim(),
      amount,
      ...(contact ? { contactId: contact.id } : {}),
      ...(company ? { companyId: company.id } : {}),
      ...(values.pipelineId ? { pipelineId: values.pipelineId } : {}),
      ...(values.stageId ? { stageId: values.stageId } : {}),
      ...(values.expectedCloseDate ? { expectedCloseDate: values.expectedCloseDate } : {}),
      ...(values.nextStep.trim() ? { nextStep: values.nextStep.trim() } : {}),
      ...(Object.keys(customResult.values).length > 0 ? { customFields: customResult.values } : {}),
    };
    setSaving(true);
    try {
      const deal = await createDeal(body);
      localStorage.setItem(CURRENCY_KEY, values.currency);
      void client.invalidateQueries({ queryKey: queryKeys.boards.all });
      void client.invalidateQueries({ queryKey: ['deals', 'list'] });
      toasts.success('Deal created', deal.title);
      onClose();
      navigate(`/deals?pipeline=${deal.pipelineId}`);
    } catch (error) {
      const fields = formErrorsOf(error, { 'amount.amountMinor': 'amount', 'amount.currency': 'currency' });
      let shown = false;
      for (const [name, message] of Object.entries(fields)) {
        if (name.startsWith('customFields.')) setCustomErrors((e) => ({ ...e, [name.slice(13)]: message }));
        else if (
          ['title', 'amount', 'currency', 'pipelineId', 'stageId', 'expectedCloseDate', 'nextStep'].includes(name)
        )
          setError(name as keyof DealForm, { message });
        else continue;
        shown = true;
      }
      if (!shown) setFormError(error instanceof Error ? error.message : 'Not saved');
    } finally {
      setSaving(false);
    }
  };

  const err = (name: keyof DealForm) => formState.errors[name]?.message;
  return (
    <Dialog
      open
      wide
      onClose={onClose}
      title="New deal"
      onSubmit={handleSubmit(submit)}
      footer={
        <>
          <button type="button" className="btn" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="btn btn-primary" disabled={saving}>
            {saving ? 'Saving…' : 'Create deal'}
          </button>
        </>
      }
    >
      {formError ? (
        <div className="alert alert-danger" role="alert" style={{ marginBottom: 14 }}>
          {formError}
        </div>
      ) : null}
      <div className="form-grid">
        <Field label="Title" required error={err('title')} className="span-2">
          <input
            className="input"
            autoFocus
            autoComplete="off"
            placeholder="e.g. Acme – 50 seats"
            {...register('title')}
          />
        </Field>
        <div className="row" style={{ alignItems: 'flex-start' }}>
          <Field label="Amount" error={err('amount')} className="grow">
            <input className="input tabular" inputMode="decimal" placeholder="12,500" {...register('amount')} />
          </Field>
          <Field label="Currency" error={err('currency')}>
            <select className="select" style={{ width: 96 }} {...register('currency')}>
              {COMMON_CURRENCIES.map((c) => (
                <option key={c}>{c}</option>
              ))}
            </select>
          </Field>
        </div>
        <Field label="Expected close" error={err('expectedCloseDate')}>
          <input className="input" type="date" {...register('expectedCloseDate')} />
        </Field>
        <RecordPicker
          label="Contact"
          value={contact}
          onChange={setContact}
          search={contactSearch}
          queryKey="contacts"
          placeholder="Search contacts…"
        />
        <RecordPicker
          label="Company"
          value={company}
          onChange={setCompany}
          search={companySearch}
          queryKey="companies"
          placeholder="Search companies…"
        />
        {(pipelines.data?.length ?? 0) > 1 ? (
          <Field label="Pipeline" error={err('pipelineId')}>
            <select className="select" {...register('pipelineId')}>
              {pipelines.data?.map((p) => (
                <option key={p.id} value={p.id}>
                  {p.name}
                </option>
              ))}
            </select>
          </Field>
        ) : null}
        <Field label="Stage" error={err('stageId')} hint="Default: the first stage">
          <select className="select" {...register('stageId')}>
            <option value="">First stage</option>
            {stages.map((s) => (
              <option key={s.id} value={s.id}>
                {s.name} ({s.probability}%)
              </option>
            ))}
          </select>
        </Field>
        <Field label="Next step" error={err('nextStep')} className="span-2">
          <input className="input" {...register('nextStep')} />
        </Field>
        <CustomFieldInputs
          definitions={definitions}
          values={custom}
          errors={customErrors}
          onChange={(key, value) => setCustom((c) => ({ ...c, [key]: value }))}
        />
      </div>
    </Dialog>
  );
}
