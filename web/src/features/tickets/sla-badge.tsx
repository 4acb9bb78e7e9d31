// SLA badges that count down live. Each repaints on its own timer, every second near due and every half minute
// otherwise; met and paused clocks do not tick.
import { AlarmClock, CircleCheck, CirclePause, TriangleAlert } from 'lucide-react';
import { useEffect, useState } from 'react';
import type { Ticket } from '../../api/tickets.api';
import { formatDateTime } from '../../domain/format';
import { formatDuration } from '../../domain/business-calendar';
import {
  SLA_BADGE_CLASS,
  clockText,
  metricLabel,
  refreshIntervalMs,
  slaClocks,
  ticketSlaBadge,
  type SlaClock,
  type SlaState,
} from '../../domain/sla';

type Sla = NonNullable<Ticket['sla']>;

/** The current time for a ticket's clocks, repainted as often as the most urgent one needs. */
export function useSlaNow(sla: Sla | null): number {
  const [now, setNow] = useState(() => Date.now());
  const interval = refreshIntervalMs(sla ? slaClocks(sla.targets, now) : []);
  useEffect(() => {
    if (interval === undefined) return;
    const timer = window.setInterval(() => setNow(Date.now()), interval);
    return () => window.clearInterval(timer);
  }, [interval]);
  return now;
}

const ICONS: Record<SlaState, typeof AlarmClock> = {
  ok: AlarmClock,
  warning: AlarmClock,
  breached: TriangleAlert,
  paused: CirclePause,
  fulfilled: CircleCheck,
  fulfilled_late: CircleCheck,
};

export function ClockBadge({ clock }: { clock: SlaClock }) {
  const Icon = ICONS[clock.state];
  return (
    <span
      className={`badge sla-badge ${SLA_BADGE_CLASS[clock.state]}`}
      data-sla-state={clock.state}
      title={clock.dueAt ? `Due ${formatDateTime(clock.dueAt)}` : undefined}
    >
      <Icon size={13} aria-hidden="true" />
      <span className="tabular">{clockText(clock)}</span>
    </span>
  );
}

/** The ticket's most urgent clock, or nothing without an SLA. */
export function SlaBadge({ sla }: { sla: Sla | null }) {
  const clock = ticketSlaBadge(sla, useSlaNow(sla));
  return clock ? <ClockBadge clock={clock} /> : null;
}

/** Every target of the ticket's policy (latest cycle), with its due time and length. */
export function SlaTargets({ sla }: { sla: Sla | null }) {
  const now = useSlaNow(sla);
  const clocks = sla ? slaClocks(sla.targets, now) : [];
  if (!sla || clocks.length === 0) return <p className="subtle">No SLA policy applies to this ticket.</p>;
  return (
    <>
      <p className="subtle">
        {sla.policyName || 'SLA policy'}
        {sla.timeZone ? ` · ${sla.timeZone}` : ''}
      </p>
      <ul className="sla-targets" aria-label="SLA targets">
        {clocks.map((clock) => {
          const target = sla.targets.find((t) => t.metric === clock.metric);
          return (
            <li key={clock.metric}>
              <span className="grow">
                <strong>{metricLabel(clock.metric)}</strong>
                <span className="subtle">
                  {target
                    ? `${formatDuration(target.targetSeconds)} ${target.businessHours ? 'business' : 'calendar'} time`
                    : ''}
                  {clock.dueAt && clock.remainingSeconds !== undefined ? ` · due ${formatDateTime(clock.dueAt)}` : ''}
                </span>
              </span>
              <ClockBadge clock={clock} />
            </li>
          );
        })}
      </ul>
    </>
  );
}
