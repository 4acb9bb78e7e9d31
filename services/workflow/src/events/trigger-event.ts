// Events of every stream as rules see them: the envelope's facts, the record after the change (proto JSON,
// camelCase) and, where the producer sends it, the record before.
import { ActivityLogged, CompanyChanged, ContactChanged } from '@crm/proto/crm/contact/v1/events';
import type { Envelope } from '@crm/proto/crm/events/v1/envelope';
import { DealChanged } from '@crm/proto/crm/pipeline/v1/events';
import {
  TicketChanged,
  TicketCommentAdded,
  TicketCsatAnswered,
  TicketCsatRequested,
  TicketMerged,
  TicketSlaEvent,
} from '@crm/proto/crm/ticket/v1/events';
import { TaskChanged } from '@crm/proto/crm/workflow/v1/events';
import { entityOf, type Entity } from '../domain/catalog';

export interface TriggerEvent {
  id: string;
  type: string;
  tenantId: string;
  aggregateId: string;
  aggregateVersion: number;
  occurredAt: Date;
  ownerId: string;
  teamId: string;
  actor: { userId: string; clientId: string };
  entity: Entity | undefined;
  record: Record<string, unknown> | null;
  /** The record before the change, when the producer sends it (deals) or this service kept it. */
  previous: Record<string, unknown> | null;
  changedFields: string[];
}

type Json = Record<string, unknown>;

interface Decoder {
  decode(value: Uint8Array): { record: Json | null; previous: Json | null; changedFields: string[] };
}

const DECODERS: Record<string, Decoder> = {
  'crm.contact.v1.ContactChanged': {
    decode: (value) => {
      const json = ContactChanged.toJSON(ContactChanged.decode(value)) as { contact?: Json; changedFields?: string[] };
      return { record: json.contact ?? null, previous: null, changedFields: json.changedFields ?? [] };
    },
  },
  'crm.contact.v1.CompanyChanged': {
    decode: (value) => {
      const json = CompanyChanged.toJSON(CompanyChanged.decode(value)) as { company?: Json; changedFields?: string[] };
      return { record: json.company ?? null, previous: null, changedFields: json.changedFields ?? [] };
    },
  },
  'crm.contact.v1.ActivityLogged': {
    decode: (value) => {
      const json = ActivityLogged.toJSON(ActivityLogged.decode(value)) as { activity?: Json };
      return { record: json.activity ?? null, previous: null, changedFields: [] };
    },
  },
  'crm.pipeline.v1.DealChanged': {
    decode: (value) => {
      const json = DealChanged.toJSON(DealChanged.decode(value)) as {
        deal?: Json;
        previous?: Json;
        changedFields?: string[];
      };
      return { record: json.deal ?? null, previous: json.previous ?? null, changedFields: json.changedFields ?? [] };
    },
  },
  // Ticket events carry the ticket; the signals add what they are about next to it (comment, slaTarget, csat...).
  'crm.ticket.v1.TicketChanged': {
    decode: (value) => {
      const json = TicketChanged.toJSON(TicketChanged.decode(value)) as { ticket?: Json; changedFields?: string[] };
      return { record: json.ticket ?? null, previous: null, changedFields: json.changedFields ?? [] };
    },
  },
  'crm.ticket.v1.TicketCommentAdded': {
    decode: (value) => {
      const json = TicketCommentAdded.toJSON(TicketCommentAdded.decode(value)) as {
        ticket?: Json;
        comment?: Json;
        firstReply?: boolean;
      };
      return ticketSignal(json.ticket, { comment: json.comment ?? null, firstReply: json.firstReply ?? false });
    },
  },
  'crm.ticket.v1.TicketSlaEvent': {
    decode: (value) => {
      const json = TicketSlaEvent.toJSON(TicketSlaEvent.decode(value)) as {
        ticket?: Json;
        target?: Json;
        policyId?: string;
        breached?: boolean;
      };
      return ticketSignal(json.ticket, {
        slaTarget: json.target ?? null,
        slaPolicyId: json.policyId ?? '',
        slaBreached: json.breached ?? false,
      });
    },
  },
  'crm.ticket.v1.TicketMerged': {
    decode: (value) => {
      const json = TicketMerged.toJSON(TicketMerged.decode(value)) as { target?: Json; sourceIds?: string[] };
      return ticketSignal(json.target, { mergedTicketIds: json.sourceIds ?? [] });
    },
  },
  'crm.ticket.v1.TicketCsatRequested': {
    decode: (value) => {
      const json = TicketCsatRequested.toJSON(TicketCsatRequested.decode(value)) as {
        ticket?: Json;
        surveyPath?: string;
      };
      return ticketSignal(json.ticket, { csatSurveyPath: json.surveyPath ?? '' });
    },
  },
  'crm.ticket.v1.TicketCsatAnswered': {
    decode: (value) => {
      const json = TicketCsatAnswered.toJSON(TicketCsatAnswered.decode(value)) as { ticket?: Json };
      return ticketSignal(json.ticket, {});
    },
  },
  'crm.workflow.v1.TaskChanged': {
    decode: (value) => {
      const json = TaskChanged.toJSON(TaskChanged.decode(value)) as { task?: Json; changedFields?: string[] };
      return { record: json.task ?? null, previous: null, changedFields: json.changedFields ?? [] };
    },
  },
};

function ticketSignal(ticket: Json | undefined, extra: Json) {
  return { record: ticket ? { ...ticket, ...extra } : null, previous: null, changedFields: [] };
}

export function triggerEventOf(envelope: Envelope): TriggerEvent {
  const typeUrl = envelope.payload?.typeUrl ?? '';
  const decoder = DECODERS[typeUrl.slice(typeUrl.lastIndexOf('/') + 1)];
  const decoded = decoder && envelope.payload ? decoder.decode(envelope.payload.value) : undefined;
  return {
    id: envelope.id,
    type: envelope.type,
    tenantId: envelope.tenantId,
    aggregateId: envelope.aggregateId,
    aggregateVersion: envelope.aggregateVersion,
    occurredAt: envelope.occurredAt ?? new Date(),
    ownerId: envelope.ownerId,
    teamId: envelope.teamId,
    actor: { userId: envelope.actor?.userId ?? '', clientId: envelope.actor?.clientId ?? '' },
    entity: entityOf(envelope.type),
    record: decoded?.record ?? null,
    previous: decoded?.previous ?? null,
    changedFields: decoded?.changedFields ?? [],
  };
}

/** The event as conditions and templates see it (no record: that is its own variable). */
export function eventJson(event: TriggerEvent): Json {
  return {
    id: event.id,
    type: event.type,
    aggregateId: event.aggregateId,
    aggregateVersion: event.aggregateVersion,
    occurredAt: event.occurredAt.toISOString(),
    ownerId: event.ownerId,
    teamId: event.teamId,
    actor: event.actor,
    changedFields: event.changedFields,
  };
}
