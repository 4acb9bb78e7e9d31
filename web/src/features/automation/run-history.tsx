// A rule's runs, newest first, every one listed and counted by state; a run opens to its steps with their status,
// attempts and errors. A failed run can be retried from its failed step.
import { useQueryClient } from '@tanstack/react-query';
import { ChevronDown, ChevronRight, History } from 'lucide-react';
import { useState } from 'react';
import { retryRun, useRuleRuns, useRun, type WorkflowRun } from '../../api/workflows.api';
import { queryKeys } from '../../api/query-keys';
import { formatDateTime, humanize, relativeTime } from '../../domain/format';
import { RUN_STATUSES, countRuns, runTone, stepProgress } from '../../domain/workflow-runs';
import { EmptyState, ErrorPanel, InfiniteSentinel, SkeletonRows } from '../../ui/misc';
import { useToasts } from '../../ui/toast';

function StatusBadge({ status }: { status: string }) {
  const tone = runTone(status as Parameters<typeof runTone>[0]);
  return <span className={`badge${tone === 'neutral' ? '' : ` badge-${tone}`}`}>{humanize(status)}</span>;
}

function RunSteps({ runId, canRetry }: { runId: string; canRetry: boolean }) {
  const run = useRun(runId);
  const client = useQueryClient();
  const toasts = useToasts();
  if (run.isPending) return <SkeletonRows rows={2} />;
  if (run.isError) return <ErrorPanel error={run.error} onRetry={() => void run.refetch()} />;
  const steps = run.data.steps;
  return (
    <div className="run-steps">
      <p className="subtle">
        {stepProgress(steps)}
        {run.data.error ? ` · ${run.data.error}` : ''}
      </p>
      <ol aria-label={`Steps of run ${run.data.id}`}>
        {steps.map((step) => (
          <li key={step.id} className="run-step">
            <span className="mono">{step.id}</span>
            <span className="subtle">{humanize(step.type)}</span>
            <StatusBadge status={step.status} />
            <span className="subtle">
              {step.attempts} attempt{step.attempts === 1 ? '' : 's'}
            </span>
            {step.error ? <span className="field-error">{step.error}</span> : null}
          </li>
        ))}
      </ol>
      {canRetry && run.data.status === 'failed' ? (
        <button
          type="button"
          className="btn btn-sm"
          onClick={() =>
            void retryRun(run.data).then(
              (saved) => {
                client.setQueryData(queryKeys.workflows.run(saved.id), saved);
                void client.invalidateQueries({ queryKey: ['workflows', 'runs'] });
                toasts.success('Run retried from its failed step');
              },
              (error: unknown) => toasts.error(error, 'The run was not retried'),
            )
          }
        >
          Retry from the failed step
        </button>
      ) : null}
    </div>
  );
}

function RunRow({ run, canRetry }: { run: WorkflowRun; canRetry: boolean }) {
  const [open, setOpen] = useState(false);
  return (
    <li className="run-row" data-run-id={run.id}>
      <button type="button" className="run-toggle" aria-expanded={open} onClick={() => setOpen((o) => !o)}>
        {open ? <ChevronDown size={16} aria-hidden="true" /> : <ChevronRight size={16} aria-hidden="true" />}
        <StatusBadge status={run.status} />
        <span className="grow truncate">
          {run.eventType ? humanize(run.eventType) : humanize(run.triggerType)}
          {run.subjectType ? ` · ${humanize(run.subjectType)}` : ''}
        </span>
        <span className="subtle nowrap" title={formatDateTime(run.createdAt)}>
          {relativeTime(run.createdAt)}
        </span>
        <span className="badge">v{run.ruleVersion}</span>
      </button>
      {open ? <RunSteps runId={run.id} canRetry={canRetry} /> : null}
    </li>
  );
}

export function RunHistory({ ruleId, canRetry }: { ruleId: string; canRetry: boolean }) {
  const runs = useRuleRuns(ruleId);
  const list = runs.data?.pages.flatMap((p) => p.data) ?? [];
  const counts = countRuns(list);
  const summary = RUN_STATUSES.filter((s) => counts[s] > 0)
    .map((s) => `${counts[s]} ${humanize(s).toLowerCase()}`)
    .join(', ');
  return (
    <section className="card card-pad stack" aria-labelledby="run-history-title">
      <div className="row" style={{ justifyContent: 'space-between' }}>
        <h2 id="run-history-title" className="section-title">
          Run history
        </h2>
        {list.length > 0 ? (
          <span className="subtle" data-testid="run-summary">
            {list.length}
            {runs.hasNextPage ? '+' : ''} run{list.length === 1 ? '' : 's'}: {summary}
          </span>
        ) : null}
      </div>
      {runs.isPending ? (
        <SkeletonRows rows={3} />
      ) : runs.isError ? (
        <ErrorPanel error={runs.error} onRetry={() => void runs.refetch()} />
      ) : list.length === 0 ? (
        <EmptyState icon={<History size={22} />} title="No runs yet">
          Every time the trigger matches, a run is listed here with its steps.
        </EmptyState>
      ) : (
        <>
          <ul className="run-list" aria-label="Runs">
            {list.map((run) => (
              <RunRow key={run.id} run={run} canRetry={canRetry} />
            ))}
          </ul>
          {runs.hasNextPage ? (
            <InfiniteSentinel onVisible={() => void runs.fetchNextPage()} disabled={runs.isFetchingNextPage} />
          ) : null}
        </>
      )}
    </section>
  );
}
