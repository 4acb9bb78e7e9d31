// One rule as YAML: problems at their line (the YAML's own, then the API's), a dry run that shows the diff against
// the live version and the records the rule would match with what it would change, save with If-Match (a 412
// shows what changed meanwhile), a manual run, and the rule's run history.
import { useQueryClient } from '@tanstack/react-query';
import { FlaskConical, Play, Save } from 'lucide-react';
import { Suspense, lazy, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useNavigate, useParams } from 'react-router';
import { ApiError } from '../../api/problem';
import { queryKeys } from '../../api/query-keys';
import {
  createRule,
  fetchRule,
  patchRule,
  planRules,
  triggerRule,
  useRule,
  type ApplyResult,
  type WorkflowRule,
  type WorkflowRulePatch,
} from '../../api/workflows.api';
import { useAccess } from '../../app/access';
import { humanize } from '../../domain/format';
import {
  RULE_TEMPLATE,
  applyDocumentOf,
  parseRuleYaml,
  problemsAt,
  ruleDefinitionOf,
  ruleToYaml,
  type RuleDefinition,
  type YamlProblem,
} from '../../domain/rule-yaml';
import { ConflictDialog } from '../records/conflict-dialog';
import { useVersionedPatch } from '../records/use-versioned-patch';
import { ErrorPanel, PageHeader, Skeleton, SkeletonRows, Spinner } from '../../ui/misc';
import { useToasts } from '../../ui/toast';
import { RunHistory } from './run-history';
import './automation.css';

const YamlEditor = lazy(() => import('./yaml-editor').then((m) => ({ default: m.YamlEditor })));

type Plan = ApplyResult['changes'][number];

function yamlOf(rule: WorkflowRule): string {
  return ruleToYaml(ruleDefinitionOf(rule));
}

/** The whole definition as a merge patch: fields the text left out are cleared. */
function patchOf(rule: RuleDefinition): WorkflowRulePatch {
  return {
    key: rule.key,
    name: rule.name,
    description: rule.description ?? '',
    enabled: rule.enabled,
    trigger: rule.trigger as WorkflowRulePatch['trigger'],
    conditions: rule.conditions ?? null,
    actions: rule.actions as WorkflowRulePatch['actions'],
  };
}

function problemsOfError(text: string, error: unknown): YamlProblem[] {
  if (!(error instanceof ApiError) || error.status !== 400) return [];
  return problemsAt(text, error.problem.errors ?? [{ field: '', detail: error.problem.detail ?? error.message }]);
}

function DiffView({ diff }: { diff: string }) {
  return (
    <pre className="diff" role="region" aria-label="Diff against the live version" tabIndex={0}>
      {diff.split('\n').map((line, i) => (
        <span key={i} className={line.startsWith('+') ? 'diff-add' : line.startsWith('-') ? 'diff-del' : undefined}>
          {line}
          {'\n'}
        </span>
      ))}
    </pre>
  );
}

function PlanView({ plan, liveVersion }: { plan: Plan; liveVersion: number | undefined }) {
  return (
    <section className="card card-pad stack" aria-labelledby="plan-title" data-testid="dry-run">
      <h2 id="plan-title" className="section-title">
        Dry run
      </h2>
      <p>
        {plan.action === 'create'
          ? 'Saving creates this rule.'
          : plan.action === 'unchanged'
            ? `No change from the live version${liveVersion ? ` (v${liveVersion})` : ''}.`
            : `Saving changes the live version${liveVersion ? ` (v${liveVersion})` : ''}:`}
      </p>
      {plan.diff ? <DiffView diff={plan.diff} /> : null}
      <h3 className="section-title">
        {plan.matches.length === 0
          ? 'It would match no existing record now'
          : `It would match ${plan.matches.length} record${plan.matches.length === 1 ? '' : 's'} now`}
      </h3>
      {plan.matches.length > 0 ? (
        <ul className="match-list" aria-label="Records the rule would match">
          {plan.matches.map((match) => (
            <li key={`${match.subjectType}:${match.subjectId}`}>
              <strong>{match.subjectName || match.subjectId}</strong>{' '}
              <span className="subtle">{humanize(match.subjectType)}</span>
              <ul>
                {match.changes.map((change) => (
                  <li key={change.stepId}>
                    <span className="mono">{change.stepId}</span>: {change.description}
                  </li>
                ))}
              </ul>
            </li>
          ))}
        </ul>
      ) : null}
    </section>
  );
}

export function RuleEditorPage() {
  const { id = 'new' } = useParams();
  const isNew = id === 'new';
  const access = useAccess();
  const canWrite = access.can('workflowsWrite');
  const rule = useRule(isNew ? undefined : id);
  const client = useQueryClient();
  const toasts = useToasts();
  const navigate = useNavigate();
  const [text, setText] = useState(isNew ? RULE_TEMPLATE : '');
  const [baseline, setBaseline] = useState<string | undefined>(isNew ? '' : undefined);
  const [serverProblems, setServerProblems] = useState<YamlProblem[]>([]);
  const [plan, setPlan] = useState<Plan | undefined>();
  const [busy, setBusy] = useState<'plan' | 'save' | 'run' | undefined>();

  const latest = useRef({ text, baseline });
  latest.current = { text, baseline };
  // The text follows the saved rule until the user edits it.
  useEffect(() => {
    if (!rule.data) return;
    const saved = yamlOf(rule.data);
    const { text: current, baseline: before } = latest.current;
    if (before === undefined || current === before) setText(saved);
    setBaseline(saved);
  }, [rule.data]);

  const parsed = useMemo(() => parseRuleYaml(text), [text]);
  const problems = parsed.problems.length > 0 ? parsed.problems : serverProblems;
  const dirty = baseline !== undefined && text !== baseline;

  const onChange = useCallback((value: string) => {
    setText(value);
    setServerProblems([]);
    setPlan(undefined);
  }, []);

  const versioned = useVersionedPatch<WorkflowRule, WorkflowRulePatch>({
    queryKey: queryKeys.workflows.detail(id),
    send: async (version, patch) => {
      try {
        return await patchRule(id, version, patch);
      } catch (error) {
        setServerProblems(problemsOfError(text, error));
        throw error;
      }
    },
    fetchLatest: () => fetchRule(id),
    onSaved: (saved) => {
      const yaml = yamlOf(saved);
      setBaseline(yaml);
      setText(yaml);
      setPlan(undefined);
      void client.invalidateQueries({ queryKey: queryKeys.workflows.list });
      toasts.success('Rule saved', `${saved.name} is now v${saved.version}`);
    },
  });

  const dryRun = async () => {
    if (!parsed.rule) return;
    setBusy('plan');
    try {
      const result = await planRules(applyDocumentOf(parsed.rule));
      setServerProblems([]);
      setPlan(result.changes[0]);
    } catch (error) {
      setServerProblems(problemsOfError(text, error));
      toasts.error(error, 'The dry run found a problem');
    } finally {
      setBusy(undefined);
    }
  };

  const save = async () => {
    if (!parsed.rule) return;
    setBusy('save');
    try {
      if (!isNew) return void (await versioned.save(patchOf(parsed.rule)));
      const created = await createRule(parsed.rule as Parameters<typeof createRule>[0]);
      client.setQueryData(queryKeys.workflows.detail(created.id), created);
      void client.invalidateQueries({ queryKey: queryKeys.workflows.list });
      toasts.success('Rule created', created.name);
      void navigate(`/automation/rules/${created.id}`, { replace: true });
    } catch (error) {
      setServerProblems(problemsOfError(text, error));
      toasts.error(error, 'The rule was not saved');
    } finally {
      setBusy(undefined);
    }
  };

  const runNow = async () => {
    setBusy('run');
    try {
      const { runId } = await triggerRule(id);
      toasts.success('Run started', 'It is listed in the run history below.');
      // The run list is a read model: look again until the new run is in it.
      for (let attempt = 0; attempt < 20; attempt += 1) {
        await client.invalidateQueries({ queryKey: queryKeys.workflows.runs(id) });
        const pages = client.getQueryData<{ pages: { data: { id: string }[] }[] }>(queryKeys.workflows.runs(id));
        if (pages?.pages.some((p) => p.data.some((r) => r.id === runId))) break;
        await new Promise((resolve) => window.setTimeout(resolve, 500 * Math.min(attempt + 1, 4)));
      }
    } catch (error) {
      toasts.error(error, 'The rule did not run');
    } finally {
      setBusy(undefined);
    }
  };

  if (!isNew && rule.isPending)
    return (
      <div className="page">
        <SkeletonRows />
      </div>
    );
  if (!isNew && rule.isError)
    return (
      <div className="page">
        <ErrorPanel error={rule.error} onRetry={() => void rule.refetch()} />
      </div>
    );

  const manual = parsed.rule?.trigger.type === 'manual' || rule.data?.trigger?.type === 'manual';
  return (
    <div className="page rule-editor">
      <PageHeader
        title={isNew ? 'New rule' : (rule.data?.name ?? 'Rule')}
        subtitle={
          isNew ? (
            'Write the rule as YAML; the dry run shows what it would do before you save.'
          ) : (
            <>
              <span className="mono">{rule.data?.key}</span> · v{rule.data?.version} ·{' '}
              {rule.data?.enabled ? 'enabled' : 'disabled'}
              {dirty ? ' · unsaved changes' : ''}
            </>
          )
        }
        actions={
          canWrite ? (
            <>
              <button
                type="button"
                className="btn"
                disabled={!parsed.rule || busy !== undefined}
                onClick={() => void dryRun()}
              >
                {busy === 'plan' ? <Spinner label="Checking" /> : <FlaskConical size={16} aria-hidden="true" />} Dry run
              </button>
              <button
                type="button"
                className="btn btn-primary"
                disabled={!parsed.rule || busy !== undefined || versioned.saving || (!isNew && !dirty)}
                onClick={() => void save()}
              >
                {busy === 'save' ? <Spinner label="Saving" /> : <Save size={16} aria-hidden="true" />} Save
              </button>
              {!isNew && manual ? (
                <button
                  type="button"
                  className="btn"
                  disabled={busy !== undefined || dirty}
                  title={dirty ? 'Save the rule first' : undefined}
                  onClick={() => void runNow()}
                >
                  <Play size={16} aria-hidden="true" /> Run now
                </button>
              ) : null}
            </>
          ) : null
        }
      />
      <div className="rule-editor-grid">
        <div className="stack">
          <Suspense fallback={<Skeleton height={320} />}>
            <YamlEditor
              value={text}
              onChange={onChange}
              problems={problems}
              label="Rule YAML"
              describedBy="rule-problems"
            />
          </Suspense>
          <div id="rule-problems" role="status" aria-live="polite">
            {problems.length > 0 ? (
              <ul className="problem-list" aria-label="Problems">
                {problems.map((p, i) => (
                  <li key={i}>
                    <span className="badge badge-danger">Line {p.line}</span> {p.message}
                  </li>
                ))}
              </ul>
            ) : (
              <p className="subtle">
                {canWrite ? 'No problems found. Dry run to see what the rule would do.' : 'Read only.'}
              </p>
            )}
          </div>
        </div>
        {plan ? <PlanView plan={plan} liveVersion={rule.data?.version} /> : null}
      </div>
      {!isNew ? <RunHistory ruleId={id} canRetry={canWrite} /> : null}
      <ConflictDialog
        pending={versioned.conflict}
        recordLabel="rule"
        onReapply={() => void versioned.reapply()}
        onDiscard={() => {
          const latest = versioned.conflict?.latest;
          versioned.discard();
          if (latest) {
            setBaseline(yamlOf(latest));
            setText(yamlOf(latest));
          }
        }}
      />
    </div>
  );
}
