// What the SLA engine needs for a tenant (its policies in order and their calendars), and applying the engine to
// a ticket about to be stored: the clocks, the marks of published signals and the reporting durations.
import type { CalendarDefinition } from '../domain/business-time';
import { computeSla, replyAndResolutionSeconds, slaSignals, type SlaInput, type SlaSignal } from '../domain/sla-engine';
import { selectPolicy, type SlaPolicyDefinition } from '../domain/sla-policy';
import type { TicketRecord } from '../domain/ticket';
import { tenantRecords, type TicketStores } from '../store/ticket-store';

export interface TenantSla {
  policies: SlaPolicyDefinition[];
  calendars: Map<string, CalendarDefinition & { id: string }>;
}

/** Policies change rarely; a short cache keeps a ticket write at one read, other replicas catch up within it. */
const CACHE_MS = 2_000;

export class SlaContext {
  private readonly cache = new Map<string, { at: number; value: Promise<TenantSla> }>();

  constructor(private readonly stores: Pick<TicketStores, 'policies' | 'calendars'>) {}

  forget(tenantId: string): void {
    this.cache.delete(tenantId);
  }

  load(tenantId: string): Promise<TenantSla> {
    const hit = this.cache.get(tenantId);
    if (hit && Date.now() - hit.at < CACHE_MS) return hit.value;
    const value = this.read(tenantId);
    this.cache.set(tenantId, { at: Date.now(), value });
    value.catch(() => this.cache.delete(tenantId));
    return value;
  }

  private async read(tenantId: string): Promise<TenantSla> {
    const [policies, calendars] = await Promise.all([
      tenantRecords(this.stores.policies, tenantId),
      tenantRecords(this.stores.calendars, tenantId),
    ]);
    return {
      policies: policies.map((p) => ({
        id: p._id,
        name: p.name,
        position: p.position,
        conditions: p.conditions,
        calendarId: p.calendarId,
        targets: p.targets,
        pauseStatuses: p.pauseStatuses,
        fulfilStatuses: p.fulfilStatuses,
        warningPercent: p.warningPercent,
        enabled: p.enabled,
      })),
      calendars: new Map(
        calendars.map((c) => [c._id, { id: c._id, timeZone: c.timeZone, hours: c.hours, holidays: c.holidays }]),
      ),
    };
  }
}

export interface AppliedSla {
  set: Pick<TicketRecord, 'sla' | 'slaMarks' | 'firstReplyBusinessSeconds' | 'resolutionBusinessSeconds'>;
  signals: SlaSignal[];
}

/** The SLA fields of a ticket as it will be stored at `now`, and the signals to publish with it. */
export function applySla(ticket: TicketRecord, sla: TenantSla, now: Date): AppliedSla {
  const policy = selectPolicy(sla.policies, {
    priority: ticket.priority,
    groupId: ticket.teamId,
    channel: ticket.channel,
    type: ticket.type,
    tags: ticket.tags,
  });
  const calendar = policy?.calendarId ? sla.calendars.get(policy.calendarId) : undefined;
  const base: SlaInput = {
    log: ticket.slaLog.map((e) => ({ ...e, at: new Date(e.at) })),
    priority: ticket.priority,
    policy,
    calendar,
    marks: ticket.slaMarks ?? {},
    now,
  };
  const { signals, marks } = slaSignals(base);
  const withMarks = { ...base, marks };
  const durations = replyAndResolutionSeconds(withMarks);
  return {
    set: {
      sla: computeSla(withMarks),
      slaMarks: marks,
      firstReplyBusinessSeconds: durations.firstReply,
      resolutionBusinessSeconds: durations.resolution,
    },
    signals,
  };
}
