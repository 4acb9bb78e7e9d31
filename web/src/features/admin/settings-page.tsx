import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { saveTenantSettings, useTenantSettings } from '../../api/settings.api';
import { formErrorsOf } from '../../api/problem';
import { queryKeys } from '../../api/query-keys';
import { Field } from '../../ui/field';
import { PageHeader, SkeletonRows } from '../../ui/misc';
import { useToasts } from '../../ui/toast';

const list = (text: string) =>
  text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

export function SettingsPage() {
  const settings = useTenantSettings();
  const client = useQueryClient();
  const toasts = useToasts();
  const [region, setRegion] = useState('');
  const [contactFields, setContactFields] = useState('');
  const [companyFields, setCompanyFields] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  useEffect(() => {
    if (!settings.data) return;
    setRegion(settings.data.defaultPhoneRegion);
    setContactFields(settings.data.requiredContactFields.join(', '));
    setCompanyFields(settings.data.requiredCompanyFields.join(', '));
  }, [settings.data]);

  const save = async () => {
    if (!settings.data) return;
    try {
      const saved = await saveTenantSettings(settings.data.version, {
        defaultPhoneRegion: region.trim().toUpperCase(),
        requiredContactFields: list(contactFields),
        requiredCompanyFields: list(companyFields),
      });
      client.setQueryData(queryKeys.settings, saved);
      setErrors({});
      toasts.success('Settings saved');
    } catch (error) {
      setErrors(formErrorsOf(error));
      toasts.error(error, 'Settings not saved');
    }
  };

  if (settings.isPending)
    return (
      <div className="page">
        <SkeletonRows />
      </div>
    );
  return (
    <div className="page">
      <PageHeader title="Settings" subtitle="Rules for everyone in your organisation." />
      <form
        className="card card-pad stack"
        style={{ maxWidth: 640 }}
        onSubmit={(e) => {
          e.preventDefault();
          void save();
        }}
      >
        <Field
          label="Default phone region"
          hint="Two letters (ISO 3166), for numbers written without +country"
          error={errors.defaultPhoneRegion}
        >
          <input
            className="input"
            style={{ width: 100 }}
            maxLength={2}
            value={region}
            onChange={(e) => setRegion(e.target.value)}
          />
        </Field>
        <Field
          label="Required contact fields"
          hint="Comma-separated, e.g. email, phone"
          error={errors.requiredContactFields ?? errors['requiredContactFields[0]']}
        >
          <input className="input" value={contactFields} onChange={(e) => setContactFields(e.target.value)} />
        </Field>
        <Field
          label="Required company fields"
          hint="Comma-separated, e.g. domain"
          error={errors.requiredCompanyFields ?? errors['requiredCompanyFields[0]']}
        >
          <input className="input" value={companyFields} onChange={(e) => setCompanyFields(e.target.value)} />
        </Field>
        <div>
          <button type="submit" className="btn btn-primary">
            Save settings
          </button>
        </div>
      </form>
    </div>
  );
}
