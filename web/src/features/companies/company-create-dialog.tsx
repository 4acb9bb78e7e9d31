import { useState } from 'react';
import { useForm } from 'react-hook-form';
import { useNavigate } from 'react-router';
import { useCreateCompany } from '../../api/companies.api';
import { useCustomFields } from '../../api/custom-fields.api';
import { formErrorsOf } from '../../api/problem';
import { COMPANY_SIZES, type CompanyCreate } from '../../api/types';
import { collectCustomFields, type RawFieldValue } from '../../domain/custom-fields';
import { Dialog } from '../../ui/dialog';
import { Field } from '../../ui/field';
import { useToasts } from '../../ui/toast';
import { CustomFieldInputs } from '../custom-fields/custom-field-inputs';

interface CompanyForm {
  name: string;
  domain: string;
  industry: string;
  size: string;
}

export function CompanyCreateDialog({ onClose }: { onClose: () => void }) {
  const navigate = useNavigate();
  const toasts = useToasts();
  const create = useCreateCompany();
  const definitions = useCustomFields('company').data?.definitions ?? [];
  const [custom, setCustom] = useState<Record<string, RawFieldValue>>({});
  const [customErrors, setCustomErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | undefined>();
  const { register, handleSubmit, setError, formState } = useForm<CompanyForm>({
    defaultValues: { name: '', domain: '', industry: '', size: '' },
  });

  const submit = async (values: CompanyForm) => {
    setFormError(undefined);
    const customResult = collectCustomFields(definitions, custom);
    setCustomErrors(customResult.errors);
    if (Object.keys(customResult.errors).length > 0) return;
    if (!values.name.trim()) return setError('name', { message: 'Required' });
    const body: CompanyCreate = {
      name: values.name.trim(),
      ...(values.domain.trim() ? { domain: values.domain.trim() } : {}),
      ...(values.industry.trim() ? { industry: values.industry.trim() } : {}),
      ...(values.size ? { size: values.size as CompanyCreate['size'] } : {}),
      ...(Object.keys(customResult.values).length > 0 ? { customFields: customResult.values } : {}),
    };
    try {
      const company = await create.mutateAsync(body);
      toasts.success('Company created', company.name);
      onClose();
      navigate(`/companies/${company.id}`);
    } catch (error) {
      const fields = formErrorsOf(error);
      let shown = false;
      for (const [name, message] of Object.entries(fields)) {
        if (name.startsWith('customFields.')) setCustomErrors((e) => ({ ...e, [name.slice(13)]: message }));
        else if (['name', 'domain', 'industry', 'size'].includes(name))
          setError(name as keyof CompanyForm, { message });
        else continue;
        shown = true;
      }
      if (!shown) setFormError(error instanceof Error ? error.message : 'Not saved');
    }
  };

  return (
    <Dialog
      open
      onClose={onClose}
      title="New company"
      onSubmit={handleSubmit(submit)}
      footer={
        <>
          <button type="button" className="btn" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="btn btn-primary" disabled={create.isPending}>
            {create.isPending ? 'Saving…' : 'Create company'}
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
        <Field label="Name" required error={formState.errors.name?.message} className="span-2">
          <input className="input" autoFocus autoComplete="off" {...register('name')} />
        </Field>
        <Field label="Domain or website" error={formState.errors.domain?.message}>
          <input className="input" placeholder="acme.com" {...register('domain')} />
        </Field>
        <Field label="Industry" error={formState.errors.industry?.message}>
          <input className="input" {...register('industry')} />
        </Field>
        <Field label="Size" error={formState.errors.size?.message}>
          <select className="select" {...register('size')}>
            <option value="">—</option>
            {COMPANY_SIZES.map((s) => (
              <option key={s} value={s}>
                {s} employees
              </option>
            ))}
          </select>
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
