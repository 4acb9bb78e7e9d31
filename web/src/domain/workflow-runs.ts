// A run's steps at a glance, and a rule's runs counted by state so every run is accounted for.

export type RunStatus = 'pending' | 'running' | 'waiting' | 'succeeded' | 'failed' | 'cancelled';
export type StepStatus = 'pending' | 'running' | 'succeeded' | 'failed' | 'skipped';

export const RUN_STATUSES: readonly RunStatus[] = ['pending', 'running', 'waiting', 'succeeded', 'failed', 'cancelled'];

export function countRuns(runs: readonly { status: RunStatus }[]): Record<RunStatus, number> {
  const counts = Object.fromEntries(RUN_STATUSES.map((s) => [s, 0])) as Record<RunStatus, number>;
  for (const run of runs) counts[run.status] += 1;
  return counts;
}

export function runTone(status: RunStatus | StepStatus): 'success' | 'danger' | 'warning' | 'neutral' {
  if (status === 'succeeded') return 'success';
  if (status === 'failed') return 'danger';
  if (status === 'running' || status === 'waiting') return 'warning';
  return 'neutral';
}

/** "2 of 3 steps done, 1 failed". */
export function stepProgress(steps: readonly { status: StepStatus }[]): string {
  const done = steps.filter((s) => s.status === 'succeeded' || s.status === 'skipped').length;
  const failed = steps.filter((s) => s.status === 'failed').length;
  return `${done} of ${steps.length} step${steps.length === 1 ? '' : 's'} done${failed ? `, ${failed} failed` : ''}`;
}
