// A run: one trigger that matched one rule, with the state of every step. Pure: the executor (app/) loads, asks
// what to do next, does it, and stores the outcome.
import type { TenantRecord } from '@crm/service-kit';
import type { ActionStep } from './rule-definition';

export type RunStatus = 'pending' | 'running' | 'waiting' | 'succeeded' | 'failed' | 'cancelled';
export type StepStatus = 'pending' | 'running' | 'succeeded' | 'failed' | 'skipped';
export type RunTriggerType = 'event' | 'relative' | 'schedule' | 'threshold' | 'manual' | 'form';

export const TERMINAL: readonly RunStatus[] = ['succeeded', 'failed', 'cancelled'];

export interface StepState {
  id: string;
  type: string;
  status: StepStatus;
  attempts: number;
  /** JSON of the resolved parameters. */
  inputJson: string;
  outputJson: string;
  error: string;
  startedAt: Date | null;
  finishedAt: Date | null;
  nextAttemptAt: Date | null;
}

export interface RunDoc extends TenantRecord {
  ruleId: string;
  ruleVersion: number;
  ruleName: string;
  triggerType: RunTriggerType;
  eventId: string;
  eventType: string;
  subjectType: string;
  subjectId: string;
  status: RunStatus;
  /** JSON of the context: {event, record, previous, trigger, payload}. */
  inputJson: string;
  /** JSON of the steps as the rule's version had them (later edits do not change a run in flight). */
  planJson: string;
  steps: StepState[];
  error: string;
  finishedAt: Date | null;
}

/** Every step of a plan in order, branches followed by their arms. */
export function flattenPlan(plan: readonly ActionStep[]): ActionStep[] {
  return plan.flatMap((step) =>
    step.type === 'branch' ? [step, ...flattenPlan(step.then), ...flattenPlan(step.else ?? [])] : [step],
  );
}

export function initialSteps(plan: readonly ActionStep[]): StepState[] {
  return flattenPlan(plan).map((step) => ({
    id: step.id as string,
    type: step.type,
    status: 'pending',
    attempts: 0,
    inputJson: 'null',
    outputJson: 'null',
    error: '',
    startedAt: null,
    finishedAt: null,
    nextAttemptAt: null,
  }));
}

/**
 * The next step to work on, walking the plan: finished steps are passed, a branch whose arm is decided leads into
 * that arm. Undefined when every step is done or skipped.
 */
export function nextStep(plan: readonly ActionStep[], steps: readonly StepState[]): ActionStep | undefined {
  const state = new Map(steps.map((s) => [s.id, s]));
  const walk = (list: readonly ActionStep[]): ActionStep | undefined => {
    for (const step of list) {
      const current = state.get(step.id as string);
      if (!current || current.status === 'skipped') continue;
      if (current.status !== 'succeeded') return step;
      if (step.type === 'branch') {
        const arm = (JSON.parse(current.outputJson) as { arm?: string } | null)?.arm;
        const found = walk(arm === 'then' ? step.then : (step.else ?? []));
        if (found) return found;
      }
    }
    return undefined;
  };
  return walk(plan);
}

/** Ids of a branch arm's steps (to skip the arm not taken). */
export function armStepIds(step: ActionStep & { type: 'branch' }, arm: 'then' | 'else'): string[] {
  return flattenPlan(arm === 'then' ? step.then : (step.else ?? [])).map((s) => s.id as string);
}

/** Action id: what makes an action apply once, whatever redelivers or retries it. */
export function actionIdOf(runId: string, stepId: string): string {
  return `${runId}:${stepId}`;
}

export function withStep(steps: readonly StepState[], id: string, change: Partial<StepState>): StepState[] {
  return steps.map((s) => (s.id === id ? { ...s, ...change } : s));
}
