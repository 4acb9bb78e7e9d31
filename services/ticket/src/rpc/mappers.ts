// Records to their proto messages (and back for inputs). No rules here: the domain decides, this only maps.
import type {
  Ticket,
  Comment,
  TicketSla,
  SlaTargetState as SlaTargetStateProto,
} from '@crm/proto/crm/ticket/v1/ticket';
import type { BusinessCalendar, SlaPolicy } from '@crm/proto/crm/ticket/v1/sla';
import type { Agent, Macro, SupportGroup } from '@crm/proto/crm/ticket/v1/support';
import type { TicketRecord } from '../domain/ticket';
import type { SlaTargetState, TicketSlaState } from '../domain/sla-engine';
import type {
  AgentRecord,
  CalendarRecord,
  CommentRecord,
  GroupRecord,
  MacroRecord,
  PolicyRecord,
} from '../domain/support-records';

const opt = (date: Date | null | undefined): Date | undefined => (date ? new Date(date) : undefined);

export function toTargetProto(target: SlaTargetState): SlaTargetStateProto {
  return {
    metric: target.metric,
    status: target.status,
    targetSeconds: target.targetSeconds,
    businessHours: target.businessHours,
    startedAt: opt(target.startedAt),
    dueAt: opt(target.dueAt),
    warnAt: opt(target.warnAt),
    elapsedSeconds: target.elapsedSeconds,
    pausedSeconds: target.pausedSeconds,
    fulfilledAt: opt(target.fulfilledAt),
    breachedAt: opt(target.breachedAt),
    warnedAt: opt(target.warnedAt),
    cycle: target.cycle,
  };
}

export function toSlaProto(sla: TicketSlaState | null): TicketSla | undefined {
  if (!sla) return undefined;
  return {
    policyId: sla.policyId,
    policyName: sla.policyName,
    calendarId: sla.calendarId,
    timeZone: sla.timeZone,
    targets: sla.targets.map(toTargetProto),
    nextDueAt: opt(sla.nextDueAt),
    breached: sla.breached,
  };
}

export function toTicketProto(t: TicketRecord): Ticket {
  return {
    id: t._id,
    tenantId: t.tenantId,
    subject: t.subject,
    description: t.description,
    requesterContactId: t.requesterContactId,
    requesterEmail: t.requesterEmail,
    contactOwnerId: t.contactOwnerId,
    companyId: t.companyId,
    priority: t.priority,
    status: t.status,
    type: t.type,
    tags: t.tags,
    customFields: t.customFields,
    assigneeId: t.ownerId,
    groupId: t.teamId,
    channel: t.channel,
    dealIds: t.dealIds,
    mergedInto: t.mergedInto,
    sla: toSlaProto(t.sla),
    csat: t.csat ? { rating: t.csat.rating, comment: t.csat.comment, answeredAt: opt(t.csat.answeredAt) } : undefined,
    commentCount: t.commentCount,
    firstRepliedAt: opt(t.firstRepliedAt),
    solvedAt: opt(t.solvedAt),
    closedAt: opt(t.closedAt),
    version: t.version,
    createdAt: opt(t.createdAt),
    updatedAt: opt(t.updatedAt),
    deletedAt: opt(t.deletedAt),
    firstReplyBusinessSeconds: t.firstReplyBusinessSeconds,
    resolutionBusinessSeconds: t.resolutionBusinessSeconds,
  };
}

export function toCommentProto(c: CommentRecord): Comment {
  return {
    id: c._id,
    ticketId: c.ticketId,
    public: c.public,
    body: c.body,
    authorKind: c.authorKind,
    authorId: c.authorId,
    attachments: c.attachments,
    createdAt: opt(c.createdAt),
    originalTicketId: c.originalTicketId,
  };
}

export function toCalendarProto(c: CalendarRecord): BusinessCalendar {
  return {
    id: c._id,
    tenantId: c.tenantId,
    name: c.name,
    timeZone: c.timeZone,
    hours: c.hours,
    holidays: c.holidays,
    version: c.version,
    createdAt: opt(c.createdAt),
    updatedAt: opt(c.updatedAt),
  };
}

export function toPolicyProto(p: PolicyRecord): SlaPolicy {
  return {
    id: p._id,
    tenantId: p.tenantId,
    name: p.name,
    position: p.position,
    conditions: p.conditions,
    calendarId: p.calendarId,
    targets: p.targets,
    pauseStatuses: p.pauseStatuses,
    fulfilStatuses: p.fulfilStatuses,
    warningPercent: p.warningPercent,
    enabled: p.enabled,
    version: p.version,
    createdAt: opt(p.createdAt),
    updatedAt: opt(p.updatedAt),
  };
}

export function toMacroProto(m: MacroRecord): Macro {
  return {
    id: m._id,
    tenantId: m.tenantId,
    name: m.name,
    description: m.description,
    actions: m.actions,
    version: m.version,
    createdAt: opt(m.createdAt),
    updatedAt: opt(m.updatedAt),
  };
}

export function toAgentProto(a: AgentRecord): Agent {
  return {
    userId: a.userId,
    tenantId: a.tenantId,
    name: a.name,
    groupIds: a.groupIds,
    calendarId: a.calendarId,
    away: a.away,
    capacity: a.capacity,
    version: a.version,
    updatedAt: opt(a.updatedAt),
  };
}

export function toGroupProto(g: GroupRecord): SupportGroup {
  return {
    groupId: g.groupId,
    tenantId: g.tenantId,
    assignment: g.assignment,
    version: g.version,
    updatedAt: opt(g.updatedAt),
  };
}
