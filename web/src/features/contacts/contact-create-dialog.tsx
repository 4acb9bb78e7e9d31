import { useState } from 'react';
import { useForm } from 'react-hook-form';
import { useNavigate } from 'react-router';
import { fetchCompanies } from '../../api/companies.api';
import { useCreateContact } from '../../api/contacts.api';
import { useCustomFields } from '../../api/custom-fields.api';
import { ApiError, formErrorsOf } from '../../api/problem';
import { LIFECYCLE_STAGES, type ContactCreate, type LifecycleStage } from '../../api/types';
import { collectCustomFields, type RawFieldValue } from '../../domain/custom-fields';
import { humanize } from '../../domain/format';
import { Dialog } from '../../ui/dialog';
import { Field } from '../../ui/field';
import { useToasts } from '../../ui/toast';
import { CustomFieldInputs } from '../custom-fields/custom-field-inputs';
import { RecordPicker, type PickerOption } from '../records/record-picker';

interface ContactForm {
  firstName: string;
  lastName: string;
  email: string;
  phone: string;
  title: string;
  lifecycleStage: LifecycleStage | '';
  tags: string;
}

const API_FIELDS: Record<string, string> = {
  'emails[].address': 'email',
  'phones[].number': 'phone',
  emails: 'email',
  phones: 'phone',
};

export function companySearch(text: string, signal: AbortSignal): Promise<PickerOption[]> {
  return fetchCompanies({ q: text }, undefined, signal).then((page) =>
    page.data.map((c) => ({ id: c.id, label: c.name, ...(c.domain ? { detail: c.domain } : {}) })),
  );
}

export function ContactCreateDialog({ onClose, company }: { onClose: () => void; company?: PickerOption }) {
  const navigate = useNavigate();
  const toasts = useToasts();
  const create = useCreateContact();
  const definitions = useCustomFields('contact').data?.definitions ?? [];
  const [custom, setCustom] = useState<Record<string, RawFieldValue>>({});
  const [customErrors, setCustomErrors] = useState<Record<string, string>>({});
  const [companyChoice, setCompanyChoice] = useState<PickerOption | undefined>(company);
  const [duplicate, setDuplicate] = useState<{ id: string; body: ContactCreate } | undefined>();
  const [formError, setFormError] = useState<string | undefined>();
  const { register, handleSubmit, setError, formState } = useForm<ContactForm>({
    defaultValues: { firstName: '', lastName: '', email: '', phone: '', title: '', lifecycleStage: 'lead', tags: '' },
  });

  const submit = async (values: ContactForm, allowDuplicates = false, prepared?: ContactCreate) => {
    setFormError(undefined);
    const customResult = collectCustomFields(definitions, custom);
    setCustomErrors(customResult.errors);
    if (Object.keys(customResult.errors).length > 0) return;
    if (!values.firstName.trim() && !values.lastName.trim() && !values.email.trim()) {
      setError('firstName', { message: 'Give a name or an email' });
      return;
    }
    const body: ContactCreate = prepared ?? {
      ...(values.firstName.trim() ? { firstName: values.firstName.trim() } : {}),
      ...(values.lastName.trim() ? { lastName: values.lastName.trim() } : {}),
      ...(values.email.trim() ? { emails: [{ address: values.email.trim(), primary: true }] } : {}),
      ...(values.phone.trim() ? { phones: [{ number: values.phone.trim(), primary: true }] } : {}),
      ...(values.title.trim() ? { title: values.title.trim() } : {}),
      ...(values.lifecycleStage ? { lifecycleStage: values.lifecycleStage } : {}),
      ...(companyChoice ? { companyId: companyChoice.id } : {}),
      ...(values.tags.trim()
        ? {
            tags: values.tags
              .split(',')
              .map((t) => t.trim())
              .filter(Boolean),
          }
        : {}),
      ...(Object.keys(customResult.values).length > 0 ? { customFields: customResult.values } : {}),
    };
    try {
      const contact = await create.mutateAsync({ body, allowDuplicates });
      toasts.success('Contact created', [contact.firstName, contact.lastName].filter(Boolean).join(' '));
      onClose();
      navigate(`/contacts/${contact.id}`);
    } catch (error) {
      if (error instanceof ApiError && error.status === 409 && error.problem.existingId) {
        setDuplicate({ id: error.problem.existingId, body });
        return;
      }
      const fields = formErrorsOf(error, API_FIELDS);
      let shown = false;
      for (const [name, message] of Object.entries(fields)) {
        if (name.startsWith('customFields.')) {
          setCustomErrors((e) => ({ ...e, [name.slice(13)]: message }));
          shown = true;
        } else if (['firstName', 'lastName', 'email', 'phone', 'title', 'lifecycleStage', 'tags'].includes(name)) {
          setError(name as keyof ContactForm, { message });
          shown = true;
        }
      }
      if (!shown) setFormError(error instanceof Error ? error.message : 'Not saved');
    }
  };

  const err = (name: keyof ContactForm) => formState.errors[name]?.message;

  return (
    <Dialog
      open
      onClose={onClose}
      title="New contact"
      wide
      onSubmit={handleSubmit((values) => submit(values))}
      footer={
        <>
          <button type="button" className="btn" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="btn btn-primary" disabled={create.isPending}>
            {create.isPending ? 'Saving…' : 'Create contact'}
          </button>
        </>
      }
    >
      {duplicate ? (
        <div className="alert" role="alert" style={{ marginBottom: 14 }}>
          <div className="grow">
            <strong>This looks like a contact you already have.</strong>{' '}
            <span className="muted">Another contact has the same email or phone.</span>
            <div className="row wrap" style={{ marginTop: 8 }}>
              <button
                type="button"
                className="btn btn-sm"
                onClick={() => (onClose(), navigate(`/contacts/${duplicate.id}`))}
              >
                Open the existing contact
              </button>
              <button
                type="button"
                className="btn btn-sm btn-ghost"
                onClick={() => void handleSubmit((values) => submit(values, true, duplicate.body))()}
              >
                Create anyway
              </button>
            </div>
          </div>
        </div>
      ) : null}
      {formError ? (
        <div className="alert alert-danger" role="alert" style={{ marginBottom: 14 }}>
          {formError}
        </div>
      ) : null}
      <div className="form-grid">
        <Field label="First name" error={err('firstName')}>
          <input className="input" autoComplete="off" autoFocus {...register('firstName')} />
        </Field>
        <Field label="Last name" error={err('lastName')}>
          <input className="input" autoComplete="off" {...register('lastName')} />
        </Field>
        <Field label="Email" error={err('email')}>
          <input className="input" type="email" autoComplete="off" {...register('email')} />
        </Field>
        <Field label="Phone" error={err('phone')}>
          <input className="input" type="tel" autoComplete="off" {...register('phone')} />
        </Field>
        <Field label="Job title" error={err('title')}>
          <input className="input" {...register('title')} />
        </Field>
        <RecordPicker
          label="Company"
          value={companyChoice}
          onChange={setCompanyChoice}
          search={companySearch}
          queryKey="companies"
          placeholder="Search companies…"
        />
        <Field label="Lifecycle stage" error={err('lifecycleStage')}>
          <select className="select" {...register('lifecycleStage')}>
            {LIFECYCLE_STAGES.map((s) => (
              <option key={s} value={s}>
                {humanize(s)}
              </option>
            ))}
          </select>
        </Field>
        <Field label="Tags" hint="Comma-separated" error={err('tags')}>
          <input className="input" {...register('tags')} />
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
