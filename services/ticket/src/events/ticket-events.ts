// The TICKET stream's messages: each ticket event carries the ticket after the change (proto/crm/ticket/v1/events).
import {
  AgentChanged,
  BusinessCalendarChanged,
  GroupChanged,
  MacroChanged,
  SlaPolicyChanged,
  TicketChanged,
  TicketCommentAdded,
  TicketCsatAnswered,
  TicketCsatRequested,
  TicketMerged,
  TicketSlaEvent,
} from '@crm/proto/crm/ticket/v1/events';
import { toEventMessage, type Actor, type EventMessage, type TenantRecord } from '@crm/service-kit';
import type { SlaSignal } from '../domain/sla-engine';
import type { Csat, TicketRecord } from '../domain/ticket';
import type {
  AgentRecord,
  CalendarRecord,
  CommentRecord,
  GroupRecord,
  MacroRecord,
  PolicyRecord,
} from '../domain/support-records';
import {
  toAgentProto,
  toCalendarProto,
  toCommentProto,
  toGroupProto,
  toMacroProto,
  toPolicyProto,
  toTargetProto,
  toTicketProto,
} from '../rpc/mappers';

export interface TicketEventContext {
  actor: Actor;
  namespace: string;
  /** The event time: the service clock's now. */
  at: Date;
}

interface Codec<M> {
  encode(message: M): { finish(): Uint8Array };
}

function message<M>(
  ctx: TicketEventContext,
  record: TenantRecord,
  type: string,
  payloadType: string,
  codec: Codec<M>,
  payload: M,
): EventMessage {
  return toEventMessage(
    {
      type,
      tenantId: record.tenantId,
      aggregateId: record._id,
      aggregateVersion: record.version,
      ownerId: record.ownerId,
      teamId: record.teamId,
      payloadType,
      payload: codec.encode(payload).finish(),
      occurredAt: ctx.at,
    },
    ctx.actor,
    ctx.namespace,
  );
}

export interface TicketChange {
  kind: 'created' | 'updated' | 'deleted';
  before?: TicketRecord;
  changedFields: string[];
  signal?: 'solved' | 'closed' | 'reopened';
  comment?: { record: CommentRecord; firstReply: boolean };
  sla?: SlaSignal[];
  merged?: string[];
  csatRequested?: { surveyPath: string; expiresAt: Date };
  csatAnswered?: Csat;
}

/** The messages of one ticket change: the state event first, then the signals it implies. */
export function ticketMessages(ctx: TicketEventContext, change: TicketChange) {
  return (ticket: TicketRecord): EventMessage[] => {
    const proto = toTicketProto(ticket);
    const changed: TicketChanged = {
      ticket: proto,
      changedFields: change.changedFields,
      previousStatus: change.before?.status ?? '',
      previousPriority: change.before?.priority ?? '',
      previousAssigneeId: change.before?.ownerId ?? '',
    };
    const state = (type: string) => message(ctx, ticket, type, 'crm.ticket.v1.TicketChanged', TicketChanged, changed);
    const messages = [state(`ticket.${change.kind}`)];
    if (change.signal) messages.push(state(`ticket.${change.signal}`));
    if (change.comment)
      messages.push(
        message(ctx, ticket, 'ticket.comment_added', 'crm.ticket.v1.TicketCommentAdded', TicketCommentAdded, {
          ticket: proto,
          comment: toCommentProto(change.comment.record),
          firstReply: change.comment.firstReply,
        }),
      );
    if (change.merged)
      messages.push(
        message(ctx, ticket, 'ticket.merged', 'crm.ticket.v1.TicketMerged', TicketMerged, {
          target: proto,
          sourceIds: change.merged,
        }),
      );
    for (const signal of change.sla ?? [])
      messages.push(
        message(ctx, ticket, `ticket.${signal.kind}`, 'crm.ticket.v1.TicketSlaEvent', TicketSlaEvent, {
          ticket: proto,
          target: toTargetProto(signal.target),
          policyId: ticket.sla?.policyId ?? '',
          breached: signal.target.status === 'breached_fulfilled' || signal.target.status === 'breached',
        }),
      );
    if (change.csatRequested)
      messages.push(
        message(ctx, ticket, 'ticket.csat_requested', 'crm.ticket.v1.TicketCsatRequested', TicketCsatRequested, {
          ticket: proto,
          surveyPath: change.csatRequested.surveyPath,
          expiresAt: change.csatRequested.expiresAt,
        }),
      );
    if (change.csatAnswered)
      messages.push(
        message(ctx, ticket, 'ticket.csat_answered', 'crm.ticket.v1.TicketCsatAnswered', TicketCsatAnswered, {
          ticket: proto,
          csat: { ...change.csatAnswered, answeredAt: change.csatAnswered.answeredAt },
        }),
      );
    return messages;
  };
}

export function calendarMessages(ctx: TicketEventContext, kind: string) {
  return (c: CalendarRecord) => [
    message(ctx, c, `business_calendar.${kind}`, 'crm.ticket.v1.BusinessCalendarChanged', BusinessCalendarChanged, {
      calendar: toCalendarProto(c),
    }),
  ];
}

export function policyMessages(ctx: TicketEventContext, kind: string) {
  return (p: PolicyRecord) => [
    message(ctx, p, `sla_policy.${kind}`, 'crm.ticket.v1.SlaPolicyChanged', SlaPolicyChanged, {
      policy: toPolicyProto(p),
    }),
  ];
}

export function macroMessages(ctx: TicketEventContext, kind: string) {
  return (m: MacroRecord) => [
    message(ctx, m, `macro.${kind}`, 'crm.ticket.v1.MacroChanged', MacroChanged, { macro: toMacroProto(m) }),
  ];
}

export function agentMessages(ctx: TicketEventContext) {
  return (a: AgentRecord) => [
    message(ctx, a, 'ticket_agent.updated', 'crm.ticket.v1.AgentChanged', AgentChanged, { agent: toAgentProto(a) }),
  ];
}

export function groupMessages(ctx: TicketEventContext) {
  return (g: GroupRecord) => [
    message(ctx, g, 'ticket_group.updated', 'crm.ticket.v1.GroupChanged', GroupChanged, { group: toGroupProto(g) }),
  ];
}
