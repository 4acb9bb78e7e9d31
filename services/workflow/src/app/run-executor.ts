// Runs, durably: a run's timer is written before the run itself (so a crash anywhere leaves something that
// resumes it), the run is worked in this process at once, and every step's outcome is stored before the next
// starts. A failing step is retried with backoff; one that exhausts its attempts fails the run, visibly, and
// the run can be retried from that step. Waits and retries sleep on the same timer.
import { setTimeout as sleep } from 'node:timers/promises';
import { ServiceError, systemPrincipal, type DueTimer, type Principal } from '@crm/service-kit';
import { backoffDelay } from '../domain/backoff';
import {
  actionIdOf,
  armStepIds,
  initialSteps,
  nextStep,
  TERMINAL,
  withStep,
  type RunDoc,
  type RunTriggerType,
  type StepState,
} from '../domain/run';
import type { ActionStep } from '../domain/rule-definition';
import type { AppDeps } from './app-deps';

export const RUN_TIMER = 'run.resume';

export interface RunSpec {
  id: string;
  tenantId: string;
  ruleId: string;
  ruleVersion: number;
  ruleName: string;
  plan: ActionStep[];
  triggerType: RunTriggerType;
  eventId: string;
  eventType: string;
  subjectType: string;
  subjectId: string;
  ownerId: string;
  teamId: string;
  context: Record<string, unknown>;
}

/** What performing a step came to. */
export type StepOutcome =
  | { kind: 'done'; output: unknown; input?: unknown }
  | { kind: 'branch'; arm: 'then' | 'else'; input?: unknown }
  | { kind: 'wait'; until: Date; output?: unknown; input?: unknown }
  | { kind: 'retry'; error: string; input?: unknown }
  | { kind: 'fail'; error: string; input?: unknown };

export interface StepRunner {
  perform(step: ActionStep, run: RunDoc, state: StepState, context: Record<string, unknown>): Promise<StepOutcome>;
}

export function runTimerId(runId: string): string {
  return `run:${runId}`;
}

/** Errors of the owning services that a retry may cure; every other answer is final. */
export function isRetryable(error: unknown): boolean {
  if (error instanceof ServiceError)
    return [
      'UNAVAILABLE',
      'DEADLINE_EXCEEDED',
      'INTERNAL',
      'RESOURCE_EXHAUSTED',
      'ABORTED',
      'FAILED_PRECONDITION',
    ].includes(error.code);
  return true;
}

export class RunExecutor {
  private runner: StepRunner | undefined;
  /** Runs queued or being worked; `known` is the run as this process just stored it (spares a read). */
  private readonly active = new Map<string, { again: boolean; known?: RunDoc }>();
  private readonly queue: string[] = [];
  private running = 0;
  private stopped = false;
  private readonly idle = new Set<() => void>();

  constructor(private readonly deps: AppDeps) {}

  setRunner(runner: StepRunner): void {
    this.runner = runner;
  }

  private get system(): (tenantId: string) => Principal {
    return (tenantId) => systemPrincipal(tenantId, 'workflow');
  }

  /** Creates the run (once per id) and works it; a crash at any point is resumed by the run's timer. */
  async start(spec: RunSpec): Promise<RunDoc> {
    const existing = await this.deps.stores.runs.load(spec.id);
    if (existing) {
      if (!TERMINAL.includes(existing.status) && existing.status !== 'waiting') this.enqueue(spec.id);
      return existing;
    }
    await this.deps.timers.schedule({
      id: runTimerId(spec.id),
      tenantId: spec.tenantId,
      kind: RUN_TIMER,
      dueAt: new Date(this.deps.clock().getTime() + this.deps.config.RUN_LEASE_MS),
      payload: { spec },
    });
    const run = await this.create(spec);
    this.enqueue(spec.id, run.version === 1 ? run : undefined);
    return run;
  }

  private async create(spec: RunSpec): Promise<RunDoc> {
    const steps = initialSteps(spec.plan);
    try {
      return await this.deps.stores.runs.create(
        this.system(spec.tenantId),
        {
          _id: spec.id,
          ownerId: spec.ownerId,
          teamId: spec.teamId,
          ruleId: spec.ruleId,
          ruleVersion: spec.ruleVersion,
          ruleName: spec.ruleName,
          triggerType: spec.triggerType,
          eventId: spec.eventId,
          eventType: spec.eventType,
          subjectType: spec.subjectType,
          subjectId: spec.subjectId,
          status: 'running',
          inputJson: JSON.stringify(spec.context),
          planJson: JSON.stringify(spec.plan),
          steps,
          error: '',
          finishedAt: null,
        },
        this.deps.events.run('workflow.run_started', this.deps.serviceActor),
      );
    } catch (error) {
      if (error instanceof ServiceError && error.code === 'ALREADY_EXISTS') {
        // Another handler of the same event won: its event is in, its snapshot follows within moments (or the
        // sweeper writes it if that handler died); if it is still missing, the event is redelivered later.
        for (let attempt = 0; attempt < 40; attempt++) {
          const existing = await this.deps.stores.runs.load(spec.id);
          if (existing) return existing;
          await sleep(50);
        }
      }
      throw error;
    }
  }

  /** The run's timer fired: create it if a crash came between timer and run, and work it. */
  async onTimer(timer: DueTimer): Promise<void> {
    const { spec } = timer.payload as { spec: RunSpec };
    const run = (await this.deps.stores.runs.load(spec.id)) ?? (await this.create(spec));
    if (TERMINAL.includes(run.status)) return;
    if (this.active.has(run._id)) {
      // Still being worked here (a long step): keep a timer, so a crash from now on is resumed too.
      void this.deps.timers
        .schedule({
          ...this.timerOf(run, spec),
          dueAt: new Date(this.deps.clock().getTime() + this.deps.config.RUN_LEASE_MS),
        })
        .catch((error: unknown) => this.deps.log.warn({ err: error, run: run._id }, 'could not re-arm a run timer'));
      return;
    }
    this.enqueue(run._id);
  }

  /** Something the run waits on happened (a delivery finished): look at it again. */
  resume(runId: string): void {
    this.enqueue(runId);
  }

  /** Retries a failed run from its failed step (or the named one). */
  async retry(principal: Principal, id: string, expectedVersion: number, fromStepId: string): Promise<RunDoc> {
    const run = await this.deps.stores.runs.update(principal, id, expectedVersion || undefined, (current) => {
      if (current.status !== 'failed')
        throw new ServiceError('FAILED_PRECONDITION', 'Only a failed run can be retried', { reason: 'RUN_NOT_FAILED' });
      const from = fromStepId || current.steps.find((s) => s.status === 'failed')?.id;
      const index = current.steps.findIndex((s) => s.id === from);
      if (index < 0)
        throw new ServiceError('INVALID_ARGUMENT', 'no such step', {
          violations: [{ field: 'fromStepId', description: 'is not a step of this run' }],
        });
      const steps = current.steps.map((s, i) =>
        i >= index && s.status !== 'skipped'
          ? { ...s, status: 'pending' as const, attempts: 0, error: '', nextAttemptAt: null, finishedAt: null }
          : s,
      );
      return {
        set: { status: 'running', steps, error: '', finishedAt: null },
        messages: this.deps.events.run('workflow.run_retried', principal),
      };
    });
    await this.armTimer(run, new Date(this.deps.clock().getTime() + this.deps.config.RUN_LEASE_MS));
    this.enqueue(run._id);
    return run;
  }

  async cancel(principal: Principal, id: string, expectedVersion: number): Promise<RunDoc> {
    const run = await this.deps.stores.runs.update(principal, id, expectedVersion || undefined, (current) => {
      if (TERMINAL.includes(current.status))
        throw new ServiceError('FAILED_PRECONDITION', 'The run has finished', { reason: 'RUN_FINISHED' });
      const now = this.deps.clock();
      const steps = current.steps.map((s) =>
        s.status === 'pending' || s.status === 'running' ? { ...s, status: 'skipped' as const, finishedAt: now } : s,
      );
      return {
        set: { status: 'cancelled', steps, finishedAt: now },
        messages: this.deps.events.run('workflow.run_cancelled', principal),
      };
    });
    await this.deps.timers.cancel(runTimerId(id));
    return run;
  }

  /** Waits until nothing is being worked (tests, shutdown). */
  async drain(): Promise<void> {
    this.stopped = true;
    if (this.running === 0) return;
    await new Promise<void>((resolve) => this.idle.add(resolve));
  }

  private enqueue(runId: string, known?: RunDoc): void {
    const current = this.active.get(runId);
    if (current) {
      current.again = true;
      return;
    }
    this.active.set(runId, { again: false, known });
    this.queue.push(runId);
    this.pump();
  }

  private pump(): void {
    while (!this.stopped && this.running < this.deps.config.RUN_CONCURRENCY && this.queue.length > 0) {
      const id = this.queue.shift() as string;
      const entry = this.active.get(id);
      const known = entry?.known;
      if (entry) entry.known = undefined;
      this.running++;
      void this.work(id, known).finally(() => {
        this.running--;
        const entry = this.active.get(id);
        if (entry?.again && !this.stopped) {
          entry.again = false;
          this.queue.push(id);
        } else this.active.delete(id);
        if (this.running === 0) for (const resolve of this.idle) resolve();
        this.pump();
      });
    }
  }

  private async work(id: string, known?: RunDoc): Promise<void> {
    try {
      // Each step's outcome is the run as stored: the next step starts from it without reading it back.
      let run = known;
      for (let guard = 0; guard < 1000; guard++) {
        const next = await this.advance(id, run);
        if (!next) return;
        run = next;
      }
    } catch (error) {
      // The run's timer resumes it later.
      this.deps.log.warn({ err: error, run: id }, 'run stopped on an error; its timer resumes it');
    }
  }

  /** Works the next step of a run; the run as stored after it, or undefined when there is nothing to do now. */
  private async advance(id: string, known?: RunDoc): Promise<RunDoc | undefined> {
    const run = known ?? (await this.deps.stores.runs.load(id));
    if (!run || TERMINAL.includes(run.status)) return undefined;
    const plan = JSON.parse(run.planJson) as ActionStep[];
    const step = nextStep(plan, run.steps);
    const now = this.deps.clock();
    if (!step) {
      await this.finish(run, 'succeeded', '');
      return undefined;
    }
    const state = run.steps.find((s) => s.id === step.id) as StepState;
    if (state.nextAttemptAt && state.nextAttemptAt > now && state.type !== 'wait' && state.type !== 'webhook') {
      await this.armTimer(run, state.nextAttemptAt);
      return undefined;
    }
    const context = this.contextOf(run);
    let outcome: StepOutcome;
    try {
      outcome = await (this.runner as StepRunner).perform(step, run, state, context);
    } catch (error) {
      outcome = {
        kind: isRetryable(error) ? 'retry' : 'fail',
        error: error instanceof Error ? error.message : String(error),
      };
    }
    return this.record(run, step, state, outcome);
  }

  private contextOf(run: RunDoc): Record<string, unknown> {
    const base = JSON.parse(run.inputJson) as Record<string, unknown>;
    const steps: Record<string, unknown> = {};
    for (const s of run.steps)
      if (s.status === 'succeeded') steps[s.id] = { output: JSON.parse(s.outputJson) as unknown };
    return { ...base, steps, run: { id: run._id, ruleId: run.ruleId } };
  }

  private async record(
    run: RunDoc,
    step: ActionStep,
    state: StepState,
    outcome: StepOutcome,
  ): Promise<RunDoc | undefined> {
    const now = this.deps.clock();
    const input = outcome.input !== undefined ? JSON.stringify(outcome.input) : state.inputJson;
    const started = state.startedAt ?? now;
    let steps: StepState[];
    let status: RunDoc['status'] = 'running';
    let wakeAt: Date | undefined;
    let eventType: string | undefined;
    switch (outcome.kind) {
      case 'done':
        steps = withStep(run.steps, state.id, {
          status: 'succeeded',
          attempts: state.attempts + 1,
          inputJson: input,
          outputJson: JSON.stringify(outcome.output ?? null),
          error: '',
          startedAt: started,
          finishedAt: now,
          nextAttemptAt: null,
        });
        break;
      case 'branch': {
        const skipped = new Set(
          armStepIds(step as ActionStep & { type: 'branch' }, outcome.arm === 'then' ? 'else' : 'then'),
        );
        steps = withStep(run.steps, state.id, {
          status: 'succeeded',
          attempts: state.attempts + 1,
          inputJson: input,
          outputJson: JSON.stringify({ arm: outcome.arm }),
          startedAt: started,
          finishedAt: now,
        }).map((s) => (skipped.has(s.id) ? { ...s, status: 'skipped' as const, finishedAt: now } : s));
        break;
      }
      case 'wait':
        steps = withStep(run.steps, state.id, {
          status: 'running',
          inputJson: input,
          outputJson: JSON.stringify(outcome.output ?? null),
          startedAt: started,
          nextAttemptAt: outcome.until,
        });
        status = 'waiting';
        wakeAt = outcome.until;
        break;
      case 'retry': {
        const attempts = state.attempts + 1;
        if (attempts >= this.deps.config.STEP_MAX_ATTEMPTS) {
          steps = withStep(run.steps, state.id, {
            status: 'failed',
            attempts,
            inputJson: input,
            error: outcome.error,
            startedAt: started,
            finishedAt: now,
            nextAttemptAt: null,
          });
          status = 'failed';
          eventType = 'workflow.run_failed';
        } else {
          const delay = backoffDelay(attempts, { baseMs: this.deps.config.STEP_RETRY_BASE_MS, maxMs: 3_600_000 });
          wakeAt = new Date(now.getTime() + delay);
          steps = withStep(run.steps, state.id, {
            status: 'pending',
            attempts,
            inputJson: input,
            error: outcome.error,
            startedAt: started,
            nextAttemptAt: wakeAt,
          });
        }
        break;
      }
      case 'fail':
        steps = withStep(run.steps, state.id, {
          status: 'failed',
          attempts: state.attempts + 1,
          inputJson: input,
          error: outcome.error,
          startedAt: started,
          finishedAt: now,
          nextAttemptAt: null,
        });
        status = 'failed';
        eventType = 'workflow.run_failed';
        break;
    }
    // The last step done: its outcome and the run's success are one change (one event per run transition).
    if (status === 'running' && !wakeAt && !nextStep(JSON.parse(run.planJson) as ActionStep[], steps)) {
      status = 'succeeded';
      eventType = 'workflow.run_succeeded';
    }
    const error = status === 'failed' ? `step ${state.id}: ${(outcome as { error: string }).error}` : '';
    const saved = await this.deps.stores.runs.update(
      this.system(run.tenantId),
      run._id,
      run.version,
      () => ({
        set: { steps, status, error, finishedAt: TERMINAL.includes(status) ? now : null },
        messages: this.deps.events.run(eventType, this.deps.serviceActor),
      }),
      { current: run },
    );
    if (TERMINAL.includes(status)) {
      await this.deps.timers.cancel(runTimerId(run._id));
      if (status === 'failed')
        this.deps.log.warn({ run: run._id, rule: run.ruleId, step: state.id, error }, 'run failed');
      return undefined;
    }
    if (wakeAt) {
      await this.armTimer(saved, wakeAt);
      return undefined;
    }
    return saved;
  }

  private async finish(run: RunDoc, status: 'succeeded', error: string): Promise<void> {
    const now = this.deps.clock();
    await this.deps.stores.runs.update(
      this.system(run.tenantId),
      run._id,
      run.version,
      () => ({
        set: { status, error, finishedAt: now },
        messages: this.deps.events.run(`workflow.run_${status}`, this.deps.serviceActor),
      }),
      { current: run },
    );
    await this.deps.timers.cancel(runTimerId(run._id));
  }

  private timerOf(run: RunDoc, spec?: RunSpec) {
    return {
      id: runTimerId(run._id),
      tenantId: run.tenantId,
      kind: RUN_TIMER,
      payload: { spec: spec ?? specOf(run) },
    };
  }

  private async armTimer(run: RunDoc, dueAt: Date): Promise<void> {
    await this.deps.timers.schedule({ ...this.timerOf(run), dueAt });
  }
}

/** A run's spec again, from the run (the timer of a run that exists needs only its id and tenant). */
function specOf(run: RunDoc): RunSpec {
  return {
    id: run._id,
    tenantId: run.tenantId,
    ruleId: run.ruleId,
    ruleVersion: run.ruleVersion,
    ruleName: run.ruleName,
    plan: [],
    triggerType: run.triggerType,
    eventId: run.eventId,
    eventType: run.eventType,
    subjectType: run.subjectType,
    subjectId: run.subjectId,
    ownerId: run.ownerId,
    teamId: run.teamId,
    context: {},
  };
}

export { actionIdOf };
