// One webhook endpoint: its settings (saved with If-Match), a secret rotation, and the delivery log with every
// attempt's answer; failed and dead-lettered deliveries can be sent again.
import { useQueryClient } from '@tanstack/react-query';
import { ChevronDown, ChevronRight, KeyRound, RotateCcw, Send } from 'lucide-react';
import { useEffect, useState } from 'react';
import { Link, useParams } from 'react-router';
import { queryKeys } from '../../api/query-keys';
import {
  fetchEndpoint,
  patchEndpoint,
  replayDeliveries,
  rotateSecret,
  useDeliveries,
  useEndpoint,
  type WebhookDelivery,
  type WebhookEndpoint,
  type WebhookEndpointPatch,
} from '../../api/webhooks.api';
import { useAccess } from '../../app/access';
import { formatDateTime, relativeTime } from '../../domain/format';
import { countDeliveries, summarizeDelivery } from '../../domain/webhook-deliveries';
import { Field } from '../../ui/field';
import { EmptyState, ErrorPanel, InfiniteSentinel, PageHeader, SkeletonRows } from '../../ui/misc';
import { useToasts } from '../../ui/toast';
import { ConflictDialog } from '../records/conflict-dialog';
import { useVersionedPatch } from '../records/use-versioned-patch';
import { SecretDialog } from './secret-dialog';
import { eventList } from './webhooks-page';
import './automation.css';

function EndpointSettings({ endpoint, canWrite }: { endpoint: WebhookEndpoint; canWrite: boolean }) {
  const client = useQueryClient();
  const toasts = useToasts();
  const [url, setUrl] = useState(endpoint.url);
  const [description, setDescription] = useState(endpoint.description);
  const [events, setEvents] = useState(endpoint.eventTypes.join(', '));
  const [enabled, setEnabled] = useState(endpoint.status === 'enabled');
  useEffect(() => {
    setUrl(endpoint.url);
    setDescription(endpoint.description);
    setEvents(endpoint.eventTypes.join(', '));
    setEnabled(endpoint.status === 'enabled');
  }, [endpoint]);
  const versioned = useVersionedPatch<WebhookEndpoint, WebhookEndpointPatch>({
    queryKey: queryKeys.webhooks.detail(endpoint.id),
    send: (version, patch) => patchEndpoint(endpoint.id, version, patch),
    fetchLatest: () => fetchEndpoint(endpoint.id),
    onSaved: () => {
      void client.invalidateQueries({ queryKey: queryKeys.webhooks.list });
      toasts.success('Endpoint saved');
    },
  });
  const patch = (): WebhookEndpointPatch => {
    const out: WebhookEndpointPatch = {};
    if (url.trim() !== endpoint.url) out.url = url.trim();
    if (description !== endpoint.description) out.description = description;
    const list = eventList(events);
    if (list.join(',') !== endpoint.eventTypes.join(',')) out.eventTypes = list;
    if (enabled !== (endpoint.status === 'enabled')) out.status = enabled ? 'enabled' : 'disabled';
    return out;
  };
  const changes = patch();
  return (
    <form
      className="card card-pad stack"
      aria-label="Endpoint settings"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        void versioned.save(changes);
      }}
    >
      {endpoint.status === 'disabled' && endpoint.disabledReason ? (
        <div className="alert alert-danger" role="alert">
          Disabled: {endpoint.disabledReason}
        </div>
      ) : null}
      <Field label="URL" required>
        <input className="input" type="url" value={url} disabled={!canWrite} onChange={(e) => setUrl(e.target.value)} />
      </Field>
      <Field label="Description">
        <input
          className="input"
          value={description}
          disabled={!canWrite}
          onChange={(e) => setDescription(e.target.value)}
        />
      </Field>
      <Field label="Events" hint='Separated by commas: "deal.won", "contact.*" or "*".'>
        <input className="input" value={events} disabled={!canWrite} onChange={(e) => setEvents(e.target.value)} />
      </Field>
      <label className="switch">
        <input
          type="checkbox"
          role="switch"
          checked={enabled}
          disabled={!canWrite}
          onChange={(e) => setEnabled(e.target.checked)}
        />
        Enabled {endpoint.consecutiveFailures > 0 ? `(${endpoint.consecutiveFailures} failed in a row)` : ''}
      </label>
      {canWrite ? (
        <div className="row">
          <button
            type="submit"
            className="btn btn-primary"
            disabled={versioned.saving || Object.keys(changes).length === 0}
          >
            Save
          </button>
        </div>
      ) : null}
      <ConflictDialog
        pending={versioned.conflict}
        recordLabel="endpoint"
        onReapply={() => void versioned.reapply()}
        onDiscard={versioned.discard}
      />
    </form>
  );
}

function DeliveryRow({
  delivery,
  canReplay,
  onReplay,
}: {
  delivery: WebhookDelivery;
  canReplay: boolean;
  onReplay: (delivery: WebhookDelivery) => void;
}) {
  const [open, setOpen] = useState(false);
  const summary = summarizeDelivery(delivery);
  return (
    <li className="delivery-row" data-delivery-id={delivery.id} data-status={delivery.status}>
      <div className="delivery-head">
        <button type="button" className="run-toggle" aria-expanded={open} onClick={() => setOpen((o) => !o)}>
          {open ? <ChevronDown size={16} aria-hidden="true" /> : <ChevronRight size={16} aria-hidden="true" />}
          <span className={`badge${summary.tone === 'neutral' ? '' : ` badge-${summary.tone}`}`}>{summary.label}</span>
          <span className="grow truncate">{delivery.eventType}</span>
          <span className="subtle nowrap" title="Answers of the attempts, in order">
            {summary.attempts} attempt{summary.attempts === 1 ? '' : 's'}
            {summary.results ? ` · ${summary.results}` : ''}
          </span>
          <span className="subtle nowrap" title={formatDateTime(delivery.createdAt)}>
            {relativeTime(delivery.createdAt)}
          </span>
        </button>
        {canReplay && summary.replayable ? (
          <button type="button" className="btn btn-sm" onClick={() => onReplay(delivery)}>
            <RotateCcw size={14} aria-hidden="true" /> Replay
          </button>
        ) : null}
      </div>
      {open ? (
        <div className="delivery-detail">
          <table className="attempts">
            <caption className="subtle">Attempts of delivery {delivery.id}</caption>
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Answer</th>
                <th scope="col">Latency</th>
                <th scope="col">Error</th>
              </tr>
            </thead>
            <tbody>
              {delivery.attempts.map((attempt, i) => (
                <tr key={i}>
                  <td>{formatDateTime(attempt.at)}</td>
                  <td>{attempt.statusCode > 0 ? attempt.statusCode : 'no answer'}</td>
                  <td>{attempt.latencyMs} ms</td>
                  <td>{attempt.error || '–'}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {delivery.nextAttemptAt && delivery.status === 'pending' ? (
            <p className="subtle">Next attempt {relativeTime(delivery.nextAttemptAt)}</p>
          ) : null}
          <pre className="payload" role="region" aria-label="Body sent" tabIndex={0}>
            {delivery.payload}
          </pre>
        </div>
      ) : null}
    </li>
  );
}

function DeliveryLog({ endpointId, canReplay }: { endpointId: string; canReplay: boolean }) {
  const deliveries = useDeliveries(endpointId);
  const client = useQueryClient();
  const toasts = useToasts();
  const list = deliveries.data?.pages.flatMap((p) => p.data) ?? [];
  const counts = countDeliveries(list);
  const replay = async (delivery: WebhookDelivery) => {
    try {
      const result = await replayDeliveries(endpointId, [delivery.id]);
      toasts.success(result.deliveryIds.length ? 'Delivery sent again' : 'Nothing to replay');
    } catch (error) {
      toasts.error(error, 'The delivery was not replayed');
    } finally {
      void client.invalidateQueries({ queryKey: queryKeys.webhooks.deliveries(endpointId) });
    }
  };
  return (
    <section className="card card-pad stack" aria-labelledby="delivery-log-title">
      <div className="row wrap" style={{ justifyContent: 'space-between' }}>
        <h2 id="delivery-log-title" className="section-title">
          Delivery log
        </h2>
        {list.length > 0 ? (
          <span className="subtle" data-testid="delivery-summary">
            {counts.succeeded} delivered · {counts.pending} pending · {counts.failed} failed · {counts.dead_lettered}{' '}
            dead-lettered{deliveries.hasNextPage ? ' (so far)' : ''}
          </span>
        ) : null}
      </div>
      {deliveries.isPending ? (
        <SkeletonRows rows={3} />
      ) : deliveries.isError ? (
        <ErrorPanel error={deliveries.error} onRetry={() => void deliveries.refetch()} />
      ) : list.length === 0 ? (
        <EmptyState icon={<Send size={22} />} title="No deliveries yet">
          Each event sent to this endpoint is listed here with every attempt.
        </EmptyState>
      ) : (
        <>
          <ul className="delivery-list" aria-label="Deliveries">
            {list.map((delivery) => (
              <DeliveryRow
                key={delivery.id}
                delivery={delivery}
                canReplay={canReplay}
                onReplay={(d) => void replay(d)}
              />
            ))}
          </ul>
          {deliveries.hasNextPage ? (
            <InfiniteSentinel
              onVisible={() => void deliveries.fetchNextPage()}
              disabled={deliveries.isFetchingNextPage}
            />
          ) : null}
        </>
      )}
    </section>
  );
}

export function WebhookDetailPage() {
  const { id = '' } = useParams();
  const access = useAccess();
  const endpoint = useEndpoint(id);
  const client = useQueryClient();
  const toasts = useToasts();
  const [secret, setSecret] = useState<string | undefined>();
  const canWrite = access.can('webhooksWrite');
  if (endpoint.isPending)
    return (
      <div className="page">
        <SkeletonRows />
      </div>
    );
  if (endpoint.isError)
    return (
      <div className="page">
        <ErrorPanel error={endpoint.error} onRetry={() => void endpoint.refetch()} />
      </div>
    );
  const rotate = async () => {
    try {
      const rotated = await rotateSecret(id);
      client.setQueryData(queryKeys.webhooks.detail(id), rotated.endpoint);
      setSecret(rotated.secret);
    } catch (error) {
      toasts.error(error, 'The secret was not rotated');
    }
  };
  return (
    <div className="page">
      <PageHeader
        title={endpoint.data.description || 'Webhook endpoint'}
        subtitle={
          <>
            <Link to="/automation/webhooks" className="crumb">
              Webhooks
            </Link>{' '}
            · <span className="mono">{endpoint.data.url}</span> · v{endpoint.data.version}
          </>
        }
        actions={
          canWrite ? (
            <button type="button" className="btn" onClick={() => void rotate()}>
              <KeyRound size={16} aria-hidden="true" /> Rotate secret
            </button>
          ) : null
        }
      />
      <div className="automation-grid">
        <EndpointSettings endpoint={endpoint.data} canWrite={canWrite} />
        <DeliveryLog endpointId={id} canReplay={canWrite} />
      </div>
      <SecretDialog secret={secret} title="The new signing secret" onClose={() => setSecret(undefined)} />
    </div>
  );
}
