// Automation rules: each with its trigger, version and an enabled switch (saved with If-Match at once).
import { useQueryClient } from '@tanstack/react-query';
import { Plus, Workflow } from 'lucide-react';
import { Link } from 'react-router';
import { patchRule, useRules, type WorkflowRule } from '../../api/workflows.api';
import { queryKeys } from '../../api/query-keys';
import { useAccess } from '../../app/access';
import { humanize, relativeTime } from '../../domain/format';
import { EmptyState, ErrorPanel, InfiniteSentinel, PageHeader, SkeletonRows, Spinner } from '../../ui/misc';
import { useToasts } from '../../ui/toast';
import './automation.css';

function triggerSummary(rule: WorkflowRule): string {
  const trigger = rule.trigger ?? {};
  const type = String(trigger.type ?? 'manual');
  if (type === 'event') return `On ${String(trigger.event ?? 'an event')}`;
  if (type === 'relative')
    return `${String(trigger.delay ?? '?')} ${String(trigger.unit ?? '')} after ${String(trigger.after ?? '')}`;
  if (type === 'schedule') return `Schedule ${String(trigger.cron ?? '')}`;
  return humanize(type);
}

function EnabledSwitch({ rule, canWrite }: { rule: WorkflowRule; canWrite: boolean }) {
  const client = useQueryClient();
  const toasts = useToasts();
  const toggle = async () => {
    try {
      const saved = await patchRule(rule.id, rule.version, { enabled: !rule.enabled });
      client.setQueryData(queryKeys.workflows.detail(rule.id), saved);
      toasts.success(saved.enabled ? 'Rule enabled' : 'Rule disabled', saved.name);
    } catch (error) {
      toasts.error(error, 'The rule was not changed');
    } finally {
      void client.invalidateQueries({ queryKey: queryKeys.workflows.list });
    }
  };
  return (
    <label className="switch">
      <input
        type="checkbox"
        role="switch"
        checked={rule.enabled}
        disabled={!canWrite}
        onChange={() => void toggle()}
        aria-label={`${rule.name} enabled`}
      />
      <span className="subtle">{rule.enabled ? 'On' : 'Off'}</span>
    </label>
  );
}

export function RulesPage() {
  const access = useAccess();
  const rules = useRules();
  const list = rules.data?.pages.flatMap((p) => p.data) ?? [];
  const canWrite = access.can('workflowsWrite');
  return (
    <div className="page">
      <PageHeader
        title="Rules"
        subtitle="Automations: a trigger, conditions and actions, kept as YAML."
        actions={
          <>
            {rules.isFetching && !rules.isPending ? <Spinner label="Updating" /> : null}
            {canWrite ? (
              <Link to="/automation/rules/new" className="btn btn-primary">
                <Plus size={16} aria-hidden="true" /> New rule
              </Link>
            ) : null}
          </>
        }
      />
      {rules.isPending ? (
        <SkeletonRows />
      ) : rules.isError ? (
        <ErrorPanel error={rules.error} onRetry={() => void rules.refetch()} />
      ) : list.length === 0 ? (
        <EmptyState icon={<Workflow size={22} />} title="No rules yet">
          A rule creates tasks, updates records, assigns owners or calls webhooks when something happens.
        </EmptyState>
      ) : (
        <div className="record-list card">
          <ul aria-label="Rules">
            {list.map((rule) => (
              <li key={rule.id} className="record-row rule-row" data-rule-id={rule.id}>
                <span style={{ minWidth: 0 }}>
                  <Link to={`/automation/rules/${rule.id}`} className="record-title truncate">
                    {rule.name}
                  </Link>
                  <span className="subtle truncate mono">{rule.key}</span>
                </span>
                <span className="subtle truncate">{triggerSummary(rule)}</span>
                <span className="badge" title={`Saved ${relativeTime(rule.updatedAt)}`}>
                  v{rule.version}
                </span>
                <EnabledSwitch rule={rule} canWrite={canWrite} />
              </li>
            ))}
          </ul>
          {rules.hasNextPage ? (
            <InfiniteSentinel onVisible={() => void rules.fetchNextPage()} disabled={rules.isFetchingNextPage} />
          ) : null}
        </div>
      )}
    </div>
  );
}
