// SLA clocks as a ticket screen shows them: the state of each target at a given instant (the clock is passed in,
// so a countdown is testable), the most urgent target of a ticket for its badge, and the countdown text. The API
// gives each running target's due and warning instants already resolved in business time; between two answers the
// screen only has to count wall-clock time towards them.

export type SlaMetric = 'first_reply' | 'next_reply' | 'periodic_update' | 'resolution';
export type SlaTargetStatus = 'running' | 'paused' | 'fulfilled' | 'breached' | 'breached_fulfilled';

export interface SlaTargetLike {
  metric: string;
  status: string;
  targetSeconds: number;
  businessHours: boolean;
  dueAt: string | null;
  warnAt: string | null;
  elapsedSeconds: number;
  fulfilledAt: string | null;
  breachedAt: string | null;
  cycle: number;
}

/** What the badge says: running in time, past its warning, past due, stopped, or met. */
export type SlaState = 'ok' | 'warning' | 'breached' | 'paused' | 'fulfilled' | 'fulfilled_late';

export interface SlaClock {
  metric: string;
  state: SlaState;
  /** Seconds until due (negative: overdue by that much); undefined while paused or met. */
  remainingSeconds: number | undefined;
  dueAt: string | null;
}

const parse = (iso: string | null): number | undefined => {
  if (!iso) return undefined;
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? undefined : ms;
};

/** One target at `now` (ms since the epoch). */
export function slaClock(target: SlaTargetLike, now: number): SlaClock {
  const due = parse(target.dueAt);
  const base = { metric: target.metric, dueAt: target.dueAt };
  switch (target.status) {
    case 'fulfilled':
      return { ...base, state: 'fulfilled', remainingSeconds: undefined };
    case 'breached_fulfilled':
      return { ...base, state: 'fulfilled_late', remainingSeconds: undefined };
    case 'paused':
      return { ...base, state: 'paused', remainingSeconds: undefined };
    default: {
      // A target the server has not yet marked breached is breached once its due time passes on this clock.
      const remaining = due === undefined ? undefined : Math.floor((due - now) / 1000);
      if (target.status === 'breached' || (remaining !== undefined && remaining < 0))
        return { ...base, state: 'breached', remainingSeconds: remaining };
      const warn = parse(target.warnAt);
      const state: SlaState = warn !== undefined && now >= warn ? 'warning' : 'ok';
      return { ...base, state, remainingSeconds: remaining };
    }
  }
}

/** Lower sorts first: what needs an agent soonest. */
const URGENCY: Record<SlaState, number> = {
  breached: 0,
  warning: 1,
  ok: 2,
  paused: 3,
  fulfilled_late: 4,
  fulfilled: 5,
};

/** Only the latest cycle of a restarting metric (next reply, periodic update) counts. */
export function currentTargets<T extends SlaTargetLike>(targets: readonly T[]): T[] {
  const latest = new Map<string, T>();
  for (const t of targets) {
    const seen = latest.get(t.metric);
    if (!seen || t.cycle >= seen.cycle) latest.set(t.metric, t);
  }
  return [...latest.values()];
}

/** The clocks of a ticket, most urgent first (then soonest due). */
export function slaClocks(targets: readonly SlaTargetLike[], now: number): SlaClock[] {
  return currentTargets(targets)
    .map((t) => slaClock(t, now))
    .sort(
      (a, b) =>
        URGENCY[a.state] - URGENCY[b.state] ||
        (a.remainingSeconds ?? Number.POSITIVE_INFINITY) - (b.remainingSeconds ?? Number.POSITIVE_INFINITY),
    );
}

/** The one clock a ticket's badge shows, or undefined when the ticket has no SLA. */
export function ticketSlaBadge(
  sla: { targets: readonly SlaTargetLike[] } | null | undefined,
  now: number,
): SlaClock | undefined {
  if (!sla || sla.targets.length === 0) return undefined;
  return slaClocks(sla.targets, now)[0];
}

/** "2d 4h", "3h 05m", "12m 09s", "45s"; an overdue clock reads "-1h 02m". */
export function formatCountdown(seconds: number): string {
  const sign = seconds < 0 ? '-' : '';
  let s = Math.abs(seconds);
  const d = Math.floor(s / 86_400);
  s -= d * 86_400;
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  const pad = (n: number) => String(n).padStart(2, '0');
  if (d > 0) return `${sign}${d}d ${h}h`;
  if (h > 0) return `${sign}${h}h ${pad(m)}m`;
  if (m > 0) return `${sign}${m}m ${pad(s)}s`;
  return `${sign}${s}s`;
}

const METRIC_LABELS: Record<string, string> = {
  first_reply: 'First reply',
  next_reply: 'Next reply',
  periodic_update: 'Periodic update',
  resolution: 'Resolution',
};

export function metricLabel(metric: string): string {
  return METRIC_LABELS[metric] ?? metric;
}

/** The badge's words: "First reply 2h 05m", "Resolution overdue 1h 02m", "Paused", "Met". */
export function clockText(clock: SlaClock): string {
  const name = metricLabel(clock.metric);
  switch (clock.state) {
    case 'paused':
      return `${name} paused`;
    case 'fulfilled':
      return `${name} met`;
    case 'fulfilled_late':
      return `${name} met late`;
    case 'breached':
      return clock.remainingSeconds === undefined
        ? `${name} breached`
        : `${name} overdue ${formatCountdown(-clock.remainingSeconds)}`;
    default:
      return clock.remainingSeconds === undefined ? name : `${name} ${formatCountdown(clock.remainingSeconds)}`;
  }
}

export const SLA_BADGE_CLASS: Record<SlaState, string> = {
  ok: 'badge-accent',
  warning: 'badge-warning',
  breached: 'badge-danger',
  paused: '',
  fulfilled: 'badge-success',
  fulfilled_late: 'badge-warning',
};

/**
 * How often a countdown repaints: every second when one shows seconds (within an hour of due, either side),
 * otherwise every half minute; never when every clock is met or paused.
 */
export function refreshIntervalMs(clocks: readonly SlaClock[]): number | undefined {
  const live = clocks.flatMap((c) => (c.remainingSeconds === undefined ? [] : [Math.abs(c.remainingSeconds)]));
  if (live.length === 0) return undefined;
  return live.some((s) => s < 3600) ? 1000 : 30_000;
}
