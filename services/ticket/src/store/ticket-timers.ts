// The durable timers of a ticket, kept in step with its state as a projection: a warning and a breach timer per
// running SLA target, and the auto-close of a solved ticket. Handlers re-check the ticket when they fire, so a
// timer left behind by a race only causes a look, never a wrong event.
import type { Kysely } from 'kysely';
import type { DurableTimers, Projection, TimerSpec } from '@crm/service-kit';
import type { TicketRecord } from '../domain/ticket';
import { METRICS } from '../domain/ticket-values';
import type { TicketDb } from './read-model';

export const SLA_TIMER = 'ticket.sla';
export const AUTO_CLOSE_TIMER = 'ticket.auto_close';
export const RECOMPUTE_TIMER = 'ticket.sla_recompute';

export interface TicketTimerPayload {
  ticketId: string;
}

export function slaTimerId(ticketId: string, metric: string, kind: 'warn' | 'breach'): string {
  return `sla:${ticketId}:${metric}:${kind}`;
}

export function closeTimerId(ticketId: string): string {
  return `close:${ticketId}`;
}

/** The timers a ticket in this state needs. */
export function timersOf(ticket: TicketRecord, autoCloseMs: number): TimerSpec<TicketTimerPayload>[] {
  const payload = { ticketId: ticket._id };
  const specs: TimerSpec<TicketTimerPayload>[] = [];
  if (ticket.deletedAt) return specs;
  for (const target of ticket.sla?.targets ?? []) {
    if (target.status !== 'running' || !target.dueAt) continue;
    const mark = ticket.slaMarks?.[`${target.metric}:${target.cycle}`];
    if (target.warnAt && !mark?.warnedAt && !mark?.breachedAt)
      specs.push({
        id: slaTimerId(ticket._id, target.metric, 'warn'),
        tenantId: ticket.tenantId,
        kind: SLA_TIMER,
        dueAt: new Date(target.warnAt),
        payload,
      });
    if (!mark?.breachedAt)
      specs.push({
        id: slaTimerId(ticket._id, target.metric, 'breach'),
        tenantId: ticket.tenantId,
        kind: SLA_TIMER,
        dueAt: new Date(target.dueAt),
        payload,
      });
  }
  if (ticket.status === 'solved' && ticket.solvedAt)
    specs.push({
      id: closeTimerId(ticket._id),
      tenantId: ticket.tenantId,
      kind: AUTO_CLOSE_TIMER,
      dueAt: new Date(new Date(ticket.solvedAt).getTime() + autoCloseMs),
      payload,
    });
  return specs;
}

function allTimerIds(ticketId: string): string[] {
  return [
    ...METRICS.flatMap((m) => [slaTimerId(ticketId, m, 'warn'), slaTimerId(ticketId, m, 'breach')]),
    closeTimerId(ticketId),
  ];
}

/**
 * Part of the write: a write is finished only once its timers are stored, so a process that dies after the event
 * and before the timers leaves the event unmarked, and the sweeper (or the service's own stream consumer) applies
 * it again. Timer handlers run outside any transaction (the kit claims due timers with a lease), so a handler's
 * own write may reschedule the timer it fires without waiting on a lock.
 */
export class TicketTimerProjection implements Projection<TicketRecord> {
  readonly name = 'ticket-timers';
  private readonly pending = new Set<Promise<void>>();

  constructor(
    private readonly db: Kysely<TicketDb>,
    private readonly timers: () => DurableTimers,
    private readonly autoCloseMs: number,
  ) {}

  async apply(states: readonly TicketRecord[]): Promise<void> {
    const job = this.sync(states).finally(() => this.pending.delete(job));
    this.pending.add(job);
    await job;
  }

  /** Waits for scheduling in flight (tests reading timers after a write another task made, such as a handler's). */
  async settle(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  private async sync(states: readonly TicketRecord[]): Promise<void> {
    const ids = states.map((s) => s._id);
    if (ids.length === 0) return;
    const rows = await this.db.selectFrom('tickets').select(['id', 'version']).where('id', 'in', ids).execute();
    const stored = new Map(rows.map((r) => [r.id, r.version]));
    for (const state of states) {
      // An older state applied late (consumer redelivery) must not move the newer one's timers.
      if ((stored.get(state._id) ?? 0) > state.version) continue;
      const wanted = timersOf(state, this.autoCloseMs);
      const keep = new Set(wanted.map((t) => t.id));
      await this.timers().cancel(allTimerIds(state._id).filter((id) => !keep.has(id)));
      await this.timers().schedule(wanted);
    }
  }
}
