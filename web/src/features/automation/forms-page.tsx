// Web forms: lead capture forms a tenant embeds in their own site.
import { FormInput, Plus } from 'lucide-react';
import { Link } from 'react-router';
import { useForms } from '../../api/forms.api';
import { useAccess } from '../../app/access';
import { EmptyState, ErrorPanel, PageHeader, SkeletonRows } from '../../ui/misc';
import './automation.css';

export function FormsPage() {
  const access = useAccess();
  const forms = useForms();
  const list = forms.data ?? [];
  return (
    <div className="page">
      <PageHeader
        title="Web forms"
        subtitle="Forms for your website: each submission becomes a contact with an owner and a follow-up task."
        actions={
          access.can('formsWrite') ? (
            <Link to="/automation/forms/new" className="btn btn-primary">
              <Plus size={16} aria-hidden="true" /> New form
            </Link>
          ) : null
        }
      />
      {forms.isPending ? (
        <SkeletonRows />
      ) : forms.isError ? (
        <ErrorPanel error={forms.error} onRetry={() => void forms.refetch()} />
      ) : list.length === 0 ? (
        <EmptyState icon={<FormInput size={22} />} title="No forms yet">
          Create one, then paste its snippet into your site.
        </EmptyState>
      ) : (
        <div className="record-list card">
          <ul aria-label="Web forms">
            {list.map((form) => (
              <li key={form.id} className="record-row form-row">
                <Link to={`/automation/forms/${form.id}`} className="record-title truncate">
                  {form.name}
                </Link>
                <span className="subtle truncate">{form.fields.map((f) => f.label || f.name).join(', ')}</span>
                <span className={`badge${form.enabled ? ' badge-success' : ''}`}>{form.enabled ? 'Live' : 'Off'}</span>
                <span className="badge">v{form.version}</span>
              </li>
            ))}
          </ul>
        </div>
      )}
    </div>
  );
}
