import { describe, expect, it } from 'vitest';
import {
  clockText,
  currentTargets,
  formatCountdown,
  refreshIntervalMs,
  slaClock,
  slaClocks,
  ticketSlaBadge,
  type SlaTargetLike,
} from './sla';

const T0 = Date.parse('2026-12-01T09:00:00Z');
const at = (seconds: number) => new Date(T0 + seconds * 1000).toISOString();

function target(overrides: Partial<SlaTargetLike> = {}): SlaTargetLike {
  return {
    metric: 'first_reply',
    status: 'running',
    targetSeconds: 3600,
    businessHours: true,
    dueAt: at(3600),
    warnAt: at(2700),
    elapsedSeconds: 0,
    fulfilledAt: null,
    breachedAt: null,
    cycle: 1,
    ...overrides,
  };
}

describe('slaClock', () => {
  it('counts down a running target on the clock it is given', () => {
    expect(slaClock(target(), T0)).toMatchObject({ state: 'ok', remainingSeconds: 3600 });
    expect(slaClock(target(), T0 + 1000)).toMatchObject({ state: 'ok', remainingSeconds: 3599 });
  });

  it('turns to warning at the warning instant and to breached once due passes', () => {
    expect(slaClock(target(), T0 + 2699_000).state).toBe('ok');
    expect(slaClock(target(), T0 + 2700_000).state).toBe('warning');
    expect(slaClock(target(), T0 + 3600_000)).toMatchObject({ state: 'warning', remainingSeconds: 0 });
    expect(slaClock(target(), T0 + 3601_000)).toMatchObject({ state: 'breached', remainingSeconds: -1 });
  });

  it('believes the server about breached, paused and met targets', () => {
    expect(slaClock(target({ status: 'breached' }), T0).state).toBe('breached');
    expect(slaClock(target({ status: 'paused', dueAt: null, warnAt: null }), T0)).toEqual({
      metric: 'first_reply',
      state: 'paused',
      remainingSeconds: undefined,
      dueAt: null,
    });
    expect(slaClock(target({ status: 'fulfilled' }), T0 + 9_999_000).state).toBe('fulfilled');
    expect(slaClock(target({ status: 'breached_fulfilled' }), T0).state).toBe('fulfilled_late');
  });

  it('has no countdown for a running target without a due time', () => {
    expect(slaClock(target({ dueAt: null, warnAt: null }), T0)).toMatchObject({
      state: 'ok',
      remainingSeconds: undefined,
    });
  });
});

describe('a ticket badge', () => {
  it('shows the most urgent target: breached before warning before running, then the soonest due', () => {
    const targets = [
      target({ metric: 'resolution', dueAt: at(7200), warnAt: at(6000) }),
      target({ metric: 'first_reply', dueAt: at(1800), warnAt: at(1500) }),
    ];
    expect(ticketSlaBadge({ targets }, T0)?.metric).toBe('first_reply');
    const later = T0 + 1600_000;
    expect(slaClocks(targets, later).map((c) => [c.metric, c.state])).toEqual([
      ['first_reply', 'warning'],
      ['resolution', 'ok'],
    ]);
    const paused = [target({ metric: 'resolution', status: 'paused' }), target({ status: 'fulfilled' })];
    expect(ticketSlaBadge({ targets: paused }, T0)?.state).toBe('paused');
  });

  it('only counts the latest cycle of a restarting metric', () => {
    const targets = [
      target({ metric: 'next_reply', cycle: 1, status: 'breached_fulfilled' }),
      target({ metric: 'next_reply', cycle: 2, dueAt: at(600) }),
    ];
    expect(currentTargets(targets).map((t) => t.cycle)).toEqual([2]);
    expect(ticketSlaBadge({ targets }, T0)).toMatchObject({ state: 'ok', remainingSeconds: 600 });
  });

  it('is absent without an SLA', () => {
    expect(ticketSlaBadge(null, T0)).toBeUndefined();
    expect(ticketSlaBadge({ targets: [] }, T0)).toBeUndefined();
  });
});

describe('countdown text', () => {
  it('reads in the two largest units', () => {
    expect(formatCountdown(45)).toBe('45s');
    expect(formatCountdown(12 * 60 + 9)).toBe('12m 09s');
    expect(formatCountdown(3 * 3600 + 5 * 60 + 59)).toBe('3h 05m');
    expect(formatCountdown(2 * 86_400 + 4 * 3600 + 120)).toBe('2d 4h');
    expect(formatCountdown(-3720)).toBe('-1h 02m');
  });

  it('names the metric and the state', () => {
    expect(clockText(slaClock(target(), T0 + 3000_000))).toBe('First reply 10m 00s');
    expect(clockText(slaClock(target(), T0 + 3720_000))).toBe('First reply overdue 2m 00s');
    expect(clockText(slaClock(target({ metric: 'resolution', status: 'paused' }), T0))).toBe('Resolution paused');
    expect(clockText(slaClock(target({ status: 'fulfilled' }), T0))).toBe('First reply met');
  });

  it('ticks every second within an hour of due, every half minute otherwise, never when stopped', () => {
    expect(refreshIntervalMs(slaClocks([target()], T0 + 1000))).toBe(1000);
    expect(refreshIntervalMs(slaClocks([target({ dueAt: at(7200) })], T0))).toBe(30_000);
    expect(refreshIntervalMs(slaClocks([target({ status: 'paused' })], T0))).toBeUndefined();
  });
});
