// Webhook endpoints: where events are sent, signed; a new endpoint's secret is shown once.
import { useQueryClient } from '@tanstack/react-query';
import { Plus, Webhook } from 'lucide-react';
import { useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { formErrorsOf } from '../../api/problem';
import { queryKeys } from '../../api/query-keys';
import { createEndpoint, useEndpoints } from '../../api/webhooks.api';
import { useAccess } from '../../app/access';
import { Dialog } from '../../ui/dialog';
import { Field } from '../../ui/field';
import { EmptyState, ErrorPanel, PageHeader, SkeletonRows } from '../../ui/misc';
import { useToasts } from '../../ui/toast';
import { SecretDialog } from './secret-dialog';
import './automation.css';

export const eventList = (text: string) =>
  text
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter(Boolean);

function CreateEndpointDialog({
  onClose,
  onCreated,
}: {
  onClose: () => void;
  onCreated: (secret: string, id: string) => void;
}) {
  const client = useQueryClient();
  const toasts = useToasts();
  const [url, setUrl] = useState('');
  const [description, setDescription] = useState('');
  const [events, setEvents] = useState('*');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [saving, setSaving] = useState(false);
  const submit = async () => {
    setSaving(true);
    try {
      const created = await createEndpoint({ url: url.trim(), description, eventTypes: eventList(events) });
      void client.invalidateQueries({ queryKey: queryKeys.webhooks.list });
      onCreated(created.secret, created.endpoint.id);
    } catch (error) {
      setErrors(formErrorsOf(error, { 'eventTypes[]': 'eventTypes' }));
      toasts.error(error, 'The endpoint was not created');
    } finally {
      setSaving(false);
    }
  };
  return (
    <Dialog
      open
      onClose={onClose}
      title="New webhook endpoint"
      description="Events are posted to it, signed the Standard Webhooks way."
      onSubmit={() => void submit()}
      footer={
        <>
          <button type="button" className="btn" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="btn btn-primary" disabled={saving || !url.trim()}>
            Create endpoint
          </button>
        </>
      }
    >
      <div className="stack">
        <Field label="URL" required error={errors.url}>
          <input className="input" type="url" value={url} onChange={(e) => setUrl(e.target.value)} autoFocus />
        </Field>
        <Field label="Description" error={errors.description}>
          <input className="input" value={description} onChange={(e) => setDescription(e.target.value)} />
        </Field>
        <Field
          label="Events"
          error={errors.eventTypes}
          hint='Event types separated by commas: "deal.won", "contact.*", or "*" for all.'
        >
          <input className="input" value={events} onChange={(e) => setEvents(e.target.value)} />
        </Field>
      </div>
    </Dialog>
  );
}

export function WebhooksPage() {
  const access = useAccess();
  const endpoints = useEndpoints();
  const navigate = useNavigate();
  const [creating, setCreating] = useState(false);
  const [secret, setSecret] = useState<{ secret: string; id: string } | undefined>();
  const canWrite = access.can('webhooksWrite');
  const list = endpoints.data ?? [];
  return (
    <div className="page">
      <PageHeader
        title="Webhooks"
        subtitle="Endpoints that receive events, with every delivery logged."
        actions={
          canWrite ? (
            <button type="button" className="btn btn-primary" onClick={() => setCreating(true)}>
              <Plus size={16} aria-hidden="true" /> New endpoint
            </button>
          ) : null
        }
      />
      {endpoints.isPending ? (
        <SkeletonRows />
      ) : endpoints.isError ? (
        <ErrorPanel error={endpoints.error} onRetry={() => void endpoints.refetch()} />
      ) : list.length === 0 ? (
        <EmptyState icon={<Webhook size={22} />} title="No endpoints yet">
          Add one to send deals, contacts or tickets to another system as they change.
        </EmptyState>
      ) : (
        <div className="record-list card">
          <ul aria-label="Webhook endpoints">
            {list.map((endpoint) => (
              <li key={endpoint.id} className="record-row endpoint-row">
                <span style={{ minWidth: 0 }}>
                  <Link to={`/automation/webhooks/${endpoint.id}`} className="record-title truncate">
                    {endpoint.url}
                  </Link>
                  {endpoint.description ? <span className="subtle truncate">{endpoint.description}</span> : null}
                </span>
                <span className="subtle truncate">{endpoint.eventTypes.join(', ')}</span>
                <span className={`badge${endpoint.status === 'enabled' ? ' badge-success' : ' badge-danger'}`}>
                  {endpoint.status === 'enabled' ? 'Enabled' : 'Disabled'}
                </span>
                <span className="subtle nowrap">
                  {endpoint.consecutiveFailures > 0 ? `${endpoint.consecutiveFailures} failing` : 'Healthy'}
                </span>
              </li>
            ))}
          </ul>
        </div>
      )}
      {creating ? (
        <CreateEndpointDialog
          onClose={() => setCreating(false)}
          onCreated={(value, id) => {
            setCreating(false);
            setSecret({ secret: value, id });
          }}
        />
      ) : null}
      <SecretDialog
        secret={secret?.secret}
        title="The endpoint's signing secret"
        onClose={() => {
          const id = secret?.id;
          setSecret(undefined);
          if (id) void navigate(`/automation/webhooks/${id}`);
        }}
      />
    </div>
  );
}
