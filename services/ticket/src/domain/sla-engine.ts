// The SLA clocks of one ticket, computed from its history (the SLA log: status changes and replies) under the
// policy that applies now. Because everything is recomputed from the history, elapsed and paused time carry over
// when the priority, group, policy or calendar changes: only the targets and the way time is counted change.
// Pure: the caller passes `now`.
import { businessTime, calendarTime, measureFor, type CalendarDefinition, type TimeMeasure } from './business-time';
import type { SlaPolicyDefinition } from './sla-policy';
import { METRICS, type Priority, type SlaMetric, type TicketStatus } from './ticket-values';

export type SlaLogEntry =
  | { at: Date; kind: 'status'; status: TicketStatus }
  | { at: Date; kind: 'agent_reply' }
  | { at: Date; kind: 'requester_reply' };

export type TargetStatus = 'running' | 'paused' | 'fulfilled' | 'breached' | 'breached_fulfilled';

export interface SlaTargetState {
  metric: SlaMetric;
  cycle: number;
  status: TargetStatus;
  targetSeconds: number;
  businessHours: boolean;
  startedAt: Date;
  dueAt: Date | null;
  warnAt: Date | null;
  elapsedSeconds: number;
  pausedSeconds: number;
  fulfilledAt: Date | null;
  breachedAt: Date | null;
  warnedAt: Date | null;
}

export interface TicketSlaState {
  policyId: string;
  policyName: string;
  calendarId: string;
  timeZone: string;
  targets: SlaTargetState[];
  nextDueAt: Date | null;
  breached: boolean;
}

/** Which events were published for a target's cycle, so that each is published once. Key: "<metric>:<cycle>". */
export interface SlaMark {
  warnedAt?: Date | null;
  breachedAt?: Date | null;
  fulfilledAt?: Date | null;
}
export type SlaMarks = Record<string, SlaMark>;

export interface SlaInput {
  log: readonly SlaLogEntry[];
  priority: Priority;
  policy: SlaPolicyDefinition | undefined;
  /** The policy's calendar, when it has one. */
  calendar: (CalendarDefinition & { id: string }) | undefined;
  marks: SlaMarks;
  now: Date;
}

interface Cycle {
  metric: SlaMetric;
  cycle: number;
  start: number;
  end: number | null;
}

interface Period {
  start: number;
  end: number;
  status: TicketStatus;
}

const FOREVER = Number.MAX_SAFE_INTEGER;

export function markKey(metric: SlaMetric, cycle: number): string {
  return `${metric}:${cycle}`;
}

/** The status periods of the ticket, oldest first; the last one is open-ended. */
function statusPeriods(log: readonly SlaLogEntry[]): Period[] {
  const changes = log.filter((e): e is Extract<SlaLogEntry, { kind: 'status' }> => e.kind === 'status');
  return changes.map((entry, i) => ({
    start: entry.at.getTime(),
    end: changes[i + 1]?.at.getTime() ?? FOREVER,
    status: entry.status,
  }));
}

function statusAt(periods: readonly Period[], at: number): TicketStatus | undefined {
  return periods.find((p) => p.start <= at && at < p.end)?.status ?? periods.at(-1)?.status;
}

/** Every occurrence of every metric, from the log. */
export function cyclesOf(log: readonly SlaLogEntry[], fulfilStatuses: readonly TicketStatus[]): Cycle[] {
  const sorted = [...log].sort((a, b) => a.at.getTime() - b.at.getTime());
  const created = sorted[0]?.at.getTime() ?? 0;
  const cycles: Cycle[] = [];
  const open = new Map<SlaMetric, Cycle>();
  const counts = new Map<SlaMetric, number>();
  const start = (metric: SlaMetric, at: number) => {
    const n = (counts.get(metric) ?? 0) + 1;
    counts.set(metric, n);
    const cycle: Cycle = { metric, cycle: n, start: at, end: null };
    cycles.push(cycle);
    open.set(metric, cycle);
  };
  const end = (metric: SlaMetric, at: number) => {
    const cycle = open.get(metric);
    if (cycle) cycle.end = at;
    open.delete(metric);
  };
  start('first_reply', created);
  start('resolution', created);
  let replied = false;
  let fulfilled = false;
  for (const entry of sorted) {
    const at = entry.at.getTime();
    if (entry.kind === 'status') {
      const nowFulfilled = fulfilStatuses.includes(entry.status);
      if (nowFulfilled && !fulfilled) for (const metric of METRICS) end(metric, at);
      // Reopened: resolution runs on in its cycle (time while solved does not count), replies start new cycles.
      if (!nowFulfilled && fulfilled) {
        const resolution = cycles.filter((c) => c.metric === 'resolution').at(-1);
        if (resolution) {
          resolution.end = null;
          open.set('resolution', resolution);
        }
      }
      fulfilled = nowFulfilled;
    } else if (entry.kind === 'agent_reply') {
      if (!replied) end('first_reply', at);
      replied = true;
      end('next_reply', at);
      end('periodic_update', at);
      if (!fulfilled) start('periodic_update', at);
    } else if (entry.kind === 'requester_reply') {
      if (replied && !fulfilled && !open.has('next_reply')) start('next_reply', at);
    }
  }
  return cycles;
}

/** Intervals in [start, end) during which the clock runs: statuses that neither pause nor fulfil. */
function activeSegments(
  periods: readonly Period[],
  start: number,
  end: number,
  stopped: ReadonlySet<TicketStatus>,
): Array<[number, number]> {
  const segments: Array<[number, number]> = [];
  for (const period of periods) {
    if (stopped.has(period.status)) continue;
    const s = Math.max(period.start, start);
    const e = Math.min(period.end, end);
    if (e > s) segments.push([s, e]);
  }
  return segments;
}

function total(measure: TimeMeasure, segments: ReadonlyArray<[number, number]>, until: number): number {
  let sum = 0;
  for (const [s, e] of segments) if (s < until) sum += measure.between(s, Math.min(e, until));
  return sum;
}

/** The instant at which `amount` of counted time has elapsed over the segments, if it has or will. */
function crossing(measure: TimeMeasure, segments: ReadonlyArray<[number, number]>, amount: number): number | null {
  let before = 0;
  for (const [s, e] of segments) {
    const length = e === FOREVER ? Infinity : measure.between(s, e);
    if (before + length >= amount) return measure.add(s, amount - before);
    before += length;
  }
  return null;
}

function targetState(
  cycle: Cycle,
  target: { targetSeconds: number; businessHours: boolean },
  measure: TimeMeasure,
  periods: readonly Period[],
  policy: SlaPolicyDefinition,
  marks: SlaMarks,
  now: number,
): SlaTargetState {
  const stopped = new Set<TicketStatus>(policy.pauseStatuses);
  // Time spent solved before a reopen does not count against the resolution.
  if (cycle.metric === 'resolution') for (const s of policy.fulfilStatuses) stopped.add(s);
  const end = cycle.end ?? FOREVER;
  const segments = activeSegments(periods, cycle.start, end, stopped);
  const until = Math.min(end, now);
  const elapsed = total(measure, segments, until);
  const allTime = measure.between(cycle.start, until);
  const targetMs = target.targetSeconds * 1000;
  const currentlyRunning = cycle.end === null && !stopped.has(statusAt(periods, now) ?? 'open');
  // While the clock runs, its last stretch runs on for ever; otherwise only the time that really ran counts.
  const counted = currentlyRunning ? segments : segments.map(([s, e]): [number, number] => [s, Math.min(e, until)]);
  const at = (amount: number): number | null => {
    const crossed = crossing(measure, counted, amount);
    if (crossed !== null) return crossed;
    // A fulfilled target that was met: when it would have been due, had the clock run on from the fulfilment.
    return cycle.end !== null ? measure.add(cycle.end, amount - elapsed) : null;
  };
  const due = at(targetMs);
  const warnPercent = policy.warningPercent;
  const warn = warnPercent > 0 ? at(Math.floor((targetMs * warnPercent) / 100)) : null;
  const mark = marks[markKey(cycle.metric, cycle.cycle)] ?? {};
  let status: TargetStatus;
  if (cycle.end !== null) status = elapsed > targetMs ? 'breached_fulfilled' : 'fulfilled';
  else if (due !== null && due <= now) status = 'breached';
  else status = currentlyRunning ? 'running' : 'paused';
  const dueAt = due;
  return {
    metric: cycle.metric,
    cycle: cycle.cycle,
    status,
    targetSeconds: target.targetSeconds,
    businessHours: target.businessHours,
    startedAt: new Date(cycle.start),
    dueAt: dueAt === null ? null : new Date(dueAt),
    warnAt: warn === null || cycle.end !== null ? null : new Date(warn),
    elapsedSeconds: Math.floor(elapsed / 1000),
    pausedSeconds: Math.floor(Math.max(0, allTime - elapsed) / 1000),
    fulfilledAt: cycle.end === null ? null : new Date(cycle.end),
    breachedAt: mark.breachedAt ?? null,
    warnedAt: mark.warnedAt ?? null,
  };
}

/** The states of every cycle of every metric the policy has a target for, oldest first. */
export function allTargetStates(input: SlaInput): SlaTargetState[] {
  const { policy } = input;
  if (!policy) return [];
  const periods = statusPeriods(input.log);
  const now = input.now.getTime();
  const states: SlaTargetState[] = [];
  for (const cycle of cyclesOf(input.log, policy.fulfilStatuses)) {
    const target = policy.targets.find((t) => t.priority === input.priority && t.metric === cycle.metric);
    if (!target) continue;
    const measure = measureFor(target.businessHours, input.calendar);
    states.push(targetState(cycle, target, measure, periods, policy, input.marks, now));
  }
  return states;
}

export function computeSla(input: SlaInput): TicketSlaState | null {
  const { policy } = input;
  if (!policy) return null;
  const all = allTargetStates(input);
  // One state per metric: its latest cycle.
  const latest = METRICS.flatMap((metric) => {
    const state = all.filter((s) => s.metric === metric).at(-1);
    return state ? [state] : [];
  });
  const running = latest.filter((s) => s.status === 'running' && s.dueAt);
  const nextDue = running.reduce<Date | null>((min, s) => (!min || (s.dueAt as Date) < min ? s.dueAt : min), null);
  return {
    policyId: policy.id,
    policyName: policy.name,
    calendarId: input.calendar?.id ?? '',
    timeZone: input.calendar?.timeZone ?? '',
    targets: latest,
    nextDueAt: nextDue,
    breached: latest.some((s) => s.status === 'breached' || s.status === 'breached_fulfilled'),
  };
}

export type SlaSignalKind = 'sla_warning' | 'sla_breached' | 'sla_fulfilled';

export interface SlaSignal {
  kind: SlaSignalKind;
  target: SlaTargetState;
}

/**
 * The SLA events a change (or a timer) publishes now, each once per target and cycle, and the marks that record
 * them: a warning or breach of the latest cycle once its time has come, a fulfilment by this very change.
 */
export function slaSignals(input: SlaInput): { signals: SlaSignal[]; marks: SlaMarks } {
  const marks: SlaMarks = { ...input.marks };
  const signals: SlaSignal[] = [];
  const now = input.now.getTime();
  const all = allTargetStates(input);
  const latest = new Map(all.map((s) => [s.metric, s]));
  for (const state of all) {
    const key = markKey(state.metric, state.cycle);
    const mark = { ...(marks[key] ?? {}) };
    const isLatest = latest.get(state.metric) === state;
    if (state.fulfilledAt && state.fulfilledAt.getTime() === now && !mark.fulfilledAt) {
      mark.fulfilledAt = state.fulfilledAt;
      signals.push({ kind: 'sla_fulfilled', target: state });
    } else if (!state.fulfilledAt && mark.fulfilledAt) {
      // Reopened: a later fulfilment of the same cycle is published again.
      mark.fulfilledAt = null;
    }
    if (isLatest && state.status === 'breached' && !mark.breachedAt) {
      mark.breachedAt = input.now;
      signals.push({ kind: 'sla_breached', target: { ...state, breachedAt: input.now } });
    } else if (
      isLatest &&
      state.status === 'running' &&
      state.warnAt &&
      state.warnAt.getTime() <= now &&
      !mark.warnedAt &&
      !mark.breachedAt
    ) {
      mark.warnedAt = input.now;
      signals.push({ kind: 'sla_warning', target: { ...state, warnedAt: input.now } });
    }
    if (Object.keys(mark).length > 0) marks[key] = mark;
  }
  return { signals, marks };
}

/**
 * Durations for reporting, in business seconds of the policy's calendar (calendar seconds without one), paused
 * time excluded: creation to the first public agent reply, and creation to solved.
 */
export function replyAndResolutionSeconds(input: SlaInput): { firstReply: number; resolution: number } {
  const measure = input.calendar ? businessTime(input.calendar) : calendarTime;
  const periods = statusPeriods(input.log);
  const pause = new Set<TicketStatus>(input.policy?.pauseStatuses ?? ['pending', 'on_hold']);
  const fulfil = input.policy?.fulfilStatuses ?? ['solved', 'closed'];
  const cycles = cyclesOf(input.log, fulfil);
  const firstAgentReply = input.log.find((e) => e.kind === 'agent_reply');
  const first = cycles.find((c) => c.metric === 'first_reply');
  const resolution = cycles.find((c) => c.metric === 'resolution');
  const seconds = (start: number, end: number, stopped: Set<TicketStatus>) =>
    Math.floor(total(measure, activeSegments(periods, start, end, stopped), end) / 1000);
  const resolutionStopped = new Set<TicketStatus>([...pause, ...fulfil]);
  return {
    firstReply: first && firstAgentReply && first.end !== null ? seconds(first.start, first.end, pause) : 0,
    resolution:
      resolution && resolution.end !== null ? seconds(resolution.start, resolution.end, resolutionStopped) : 0,
  };
}
