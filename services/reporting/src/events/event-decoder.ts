// Envelope → the facts it tells. The payload is decoded by the type its Any names; an event of a type we keep
// facts of whose payload does not decode (or lacks its ids) is poison: dead-lettered at once. Types we keep no facts
// of are ignored, so producers may add events freely.
import type { Activity } from '@crm/proto/crm/contact/v1/activity';
import type { Company } from '@crm/proto/crm/contact/v1/company';
import type { Contact } from '@crm/proto/crm/contact/v1/contact';
import { ActivityLogged, CompanyChanged, ContactChanged, ContactMerged } from '@crm/proto/crm/contact/v1/events';
import type { Envelope } from '@crm/proto/crm/events/v1/envelope';
import { DealChanged, PipelineChanged, type DealSnapshot } from '@crm/proto/crm/pipeline/v1/events';
import {
  TicketChanged,
  TicketCommentAdded,
  TicketCsatAnswered,
  TicketCsatRequested,
  TicketMerged,
  TicketSlaEvent,
} from '@crm/proto/crm/ticket/v1/events';
import type { SlaTargetState, Ticket } from '@crm/proto/crm/ticket/v1/ticket';
import { RunChanged, TaskChanged } from '@crm/proto/crm/workflow/v1/events';
import { PoisonEventError } from '@crm/service-kit';
import type { DealState, DealStatus } from '../domain/deal-facts';
import type { EventMeta, FactEvent, StreamName } from '../domain/fact-events';
import {
  slaOutcomeOf,
  type ActivityFact,
  type CompanyFact,
  type ContactFact,
  type PipelineFact,
  type RunFact,
  type SlaFact,
  type TaskFact,
  type TicketFact,
} from '../domain/record-facts';

interface Decoder<T> {
  decode(input: Uint8Array): T;
}

const TYPE_URL_PREFIX = 'type.googleapis.com/';

export function decodeFactEvent(stream: StreamName, envelope: Envelope): FactEvent {
  const meta = metaOf(stream, envelope);
  const [entity] = envelope.type.split('.');
  switch (entity) {
    case 'deal':
      return {
        kind: 'deal',
        meta,
        change: dealChangeOf(meta, payload(envelope, 'crm.pipeline.v1.DealChanged', DealChanged)),
      };
    case 'pipeline':
      return {
        kind: 'pipeline',
        meta,
        pipeline: pipelineOf(meta, payload(envelope, 'crm.pipeline.v1.PipelineChanged', PipelineChanged)),
      };
    case 'contact':
      if (envelope.type === 'contact.merged') {
        const merged = payload(envelope, 'crm.contact.v1.ContactMerged', ContactMerged);
        return { kind: 'contact', meta, contact: contactOf(meta, required(merged.target, 'target')) };
      }
      if (envelope.type === 'contact.erased') return { kind: 'ignored', meta };
      return {
        kind: 'contact',
        meta,
        contact: contactOf(
          meta,
          required(payload(envelope, 'crm.contact.v1.ContactChanged', ContactChanged).contact, 'contact'),
        ),
      };
    case 'company':
      return {
        kind: 'company',
        meta,
        company: companyOf(
          meta,
          required(payload(envelope, 'crm.contact.v1.CompanyChanged', CompanyChanged).company, 'company'),
        ),
      };
    case 'activity':
      return {
        kind: 'activity',
        meta,
        activity: activityOf(
          meta,
          required(payload(envelope, 'crm.contact.v1.ActivityLogged', ActivityLogged).activity, 'activity'),
        ),
      };
    case 'ticket':
      return ticketEventOf(meta, envelope);
    case 'task':
      return {
        kind: 'task',
        meta,
        task: taskOf(meta, required(payload(envelope, 'crm.workflow.v1.TaskChanged', TaskChanged).task, 'task')),
      };
    case 'workflow':
      if (!envelope.type.startsWith('workflow.run_')) return { kind: 'ignored', meta };
      return {
        kind: 'run',
        meta,
        run: runOf(meta, required(payload(envelope, 'crm.workflow.v1.RunChanged', RunChanged).run, 'run')),
      };
    default:
      return { kind: 'ignored', meta };
  }
}

/** Every ticket event carries the ticket after the change; SLA events also the target they are about. */
function ticketEventOf(meta: EventMeta, envelope: Envelope): FactEvent {
  const verb = envelope.type.slice('ticket.'.length);
  let ticket: Ticket | undefined;
  let target: SlaTargetState | undefined;
  if (['created', 'updated', 'deleted', 'solved', 'closed', 'reopened'].includes(verb))
    ticket = payload(envelope, 'crm.ticket.v1.TicketChanged', TicketChanged).ticket;
  else if (verb === 'comment_added')
    ticket = payload(envelope, 'crm.ticket.v1.TicketCommentAdded', TicketCommentAdded).ticket;
  else if (['sla_warning', 'sla_breached', 'sla_fulfilled'].includes(verb)) {
    const event = payload(envelope, 'crm.ticket.v1.TicketSlaEvent', TicketSlaEvent);
    ticket = event.ticket;
    target = event.target;
  } else if (verb === 'merged') ticket = payload(envelope, 'crm.ticket.v1.TicketMerged', TicketMerged).target;
  else if (verb === 'csat_requested')
    ticket = payload(envelope, 'crm.ticket.v1.TicketCsatRequested', TicketCsatRequested).ticket;
  else if (verb === 'csat_answered')
    ticket = payload(envelope, 'crm.ticket.v1.TicketCsatAnswered', TicketCsatAnswered).ticket;
  else return { kind: 'ignored', meta };
  const fact = ticketOf(meta, required(ticket, 'ticket'));
  const states = [...(ticket?.sla?.targets ?? []), ...(target ? [target] : [])];
  return { kind: 'ticket', meta, ticket: fact, slas: states.map((state) => slaOf(fact, state)) };
}

function ticketOf(meta: EventMeta, ticket: Ticket): TicketFact {
  return {
    tenantId: meta.tenantId,
    ticketId: ticket.id || meta.aggregateId,
    version: ticket.version || meta.version,
    createdAt: ticket.createdAt ?? meta.occurredAt,
    channel: ticket.channel,
    priority: ticket.priority,
    status: ticket.status,
    ownerId: ticket.assigneeId,
    teamId: ticket.groupId,
    firstReplyAt: ticket.firstRepliedAt ?? null,
    firstReplySeconds: ticket.firstRepliedAt ? ticket.firstReplyBusinessSeconds : null,
    solvedAt: ticket.solvedAt ?? null,
    resolutionSeconds: ticket.solvedAt ? ticket.resolutionBusinessSeconds : null,
    csatRating: ticket.csat?.rating === 'good' || ticket.csat?.rating === 'bad' ? ticket.csat.rating : '',
    csatAt: ticket.csat?.answeredAt ?? null,
    deleted: Boolean(ticket.deletedAt),
    merged: Boolean(ticket.mergedInto),
  };
}

function slaOf(ticket: TicketFact, state: SlaTargetState): SlaFact {
  return {
    tenantId: ticket.tenantId,
    ticketId: ticket.ticketId,
    metric: state.metric,
    cycle: state.cycle || 1,
    version: ticket.version,
    ...slaOutcomeOf(state.status, state.fulfilledAt ?? null, state.breachedAt ?? state.dueAt ?? null),
  };
}

function taskOf(meta: EventMeta, task: TaskChanged['task'] & object): TaskFact {
  return {
    tenantId: meta.tenantId,
    taskId: task.id || meta.aggregateId,
    version: task.version || meta.version,
    status: task.status,
    ownerId: task.ownerId,
    teamId: task.teamId,
    createdAt: task.createdAt ?? meta.occurredAt,
    dueAt: task.dueAt ?? null,
    completedAt: task.status === 'completed' ? (task.completedAt ?? meta.occurredAt) : null,
    deleted: meta.type === 'task.deleted',
  };
}

function runOf(meta: EventMeta, run: RunChanged['run'] & object): RunFact {
  return {
    tenantId: meta.tenantId,
    runId: run.id || meta.aggregateId,
    version: run.version || meta.version,
    ruleId: run.ruleId,
    ruleName: run.ruleName,
    triggerType: run.triggerType,
    subjectType: run.subjectType,
    status: run.status,
    ownerId: run.ownerId,
    teamId: run.teamId,
    createdAt: run.createdAt ?? meta.occurredAt,
    finishedAt: ['succeeded', 'failed', 'cancelled'].includes(run.status) ? (run.finishedAt ?? meta.occurredAt) : null,
  };
}

function metaOf(stream: StreamName, envelope: Envelope): EventMeta {
  if (!envelope.id || !envelope.type || !envelope.tenantId || !envelope.aggregateId)
    throw new PoisonEventError('envelope without id, type, tenant or aggregate');
  return {
    eventId: envelope.id,
    type: envelope.type,
    tenantId: envelope.tenantId,
    aggregateId: envelope.aggregateId,
    version: envelope.aggregateVersion,
    occurredAt: envelope.occurredAt ?? new Date(0),
    stream,
  };
}

function payload<T>(envelope: Envelope, type: string, decoder: Decoder<T>): T {
  const any = envelope.payload;
  if (!any || any.typeUrl !== `${TYPE_URL_PREFIX}${type}`)
    throw new PoisonEventError(`${envelope.type} carries ${any?.typeUrl || 'no payload'}, not ${type}`);
  try {
    return decoder.decode(any.value);
  } catch (error) {
    throw new PoisonEventError(`${envelope.type} payload does not decode as ${type}: ${String(error)}`);
  }
}

function required<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new PoisonEventError(`payload without ${what}`);
  return value;
}

function statusOf(value: string): DealStatus {
  return value === 'won' || value === 'lost' ? value : 'open';
}

function dealStateOf(snapshot: DealSnapshot): DealState {
  if (!snapshot.id) throw new PoisonEventError('deal snapshot without id');
  return {
    id: snapshot.id,
    version: snapshot.version,
    pipelineId: snapshot.pipelineId,
    stageId: snapshot.stageId,
    status: statusOf(snapshot.status),
    amountMinor: snapshot.amount?.amountMinor ?? 0,
    currency: snapshot.amount?.currency ?? '',
    probability: snapshot.probability,
    forecastCategory: snapshot.forecastCategory,
    ownerId: snapshot.ownerId,
    teamId: snapshot.teamId,
    contactId: snapshot.contactId,
    companyId: snapshot.companyId,
    expectedCloseDate: /^\d{4}-\d{2}-\d{2}$/.test(snapshot.expectedCloseDate) ? snapshot.expectedCloseDate : null,
    closedAt: snapshot.closedAt ?? null,
    lostReason: snapshot.lostReason,
    deleted: snapshot.deleted,
    createdAt: snapshot.createdAt ?? null,
  };
}

function dealChangeOf(meta: EventMeta, changed: DealChanged) {
  const deal = dealStateOf(required(changed.deal, 'deal'));
  // The envelope's version is the deal's; a snapshot without one (older producers) takes it.
  if (!deal.version) deal.version = meta.version;
  return {
    eventId: meta.eventId,
    tenantId: meta.tenantId,
    occurredAt: meta.occurredAt,
    deal,
    previous: changed.previous ? dealStateOf(changed.previous) : null,
  };
}

function pipelineOf(meta: EventMeta, changed: PipelineChanged): PipelineFact {
  const pipeline = required(changed.pipeline, 'pipeline');
  return {
    tenantId: meta.tenantId,
    pipelineId: pipeline.id || meta.aggregateId,
    name: pipeline.name,
    version: pipeline.version || meta.version,
    stages: pipeline.stages.map((s, position) => ({
      stageId: s.id,
      name: s.name,
      position,
      kind: s.kind,
      probability: s.probability,
      forecastCategory: s.forecastCategory,
      archived: s.archived,
    })),
  };
}

function contactOf(meta: EventMeta, contact: Contact): ContactFact {
  return {
    tenantId: meta.tenantId,
    contactId: contact.id || meta.aggregateId,
    version: contact.version || meta.version,
    createdAt: contact.createdAt ?? meta.occurredAt,
    leadSource: contact.leadSource,
    lifecycleStage: contact.lifecycleStage,
    ownerId: contact.ownerId,
    teamId: contact.teamId,
    deleted: Boolean(contact.deletedAt),
    merged: Boolean(contact.mergedInto),
  };
}

function companyOf(meta: EventMeta, company: Company): CompanyFact {
  return {
    tenantId: meta.tenantId,
    companyId: company.id || meta.aggregateId,
    version: company.version || meta.version,
    createdAt: company.createdAt ?? meta.occurredAt,
    ownerId: company.ownerId,
    teamId: company.teamId,
    deleted: Boolean(company.deletedAt),
  };
}

function activityOf(meta: EventMeta, activity: Activity): ActivityFact {
  return {
    tenantId: meta.tenantId,
    activityId: activity.id || meta.aggregateId,
    version: activity.version || meta.version,
    type: activity.type,
    occurredAt: activity.occurredAt ?? activity.createdAt ?? meta.occurredAt,
    ownerId: activity.ownerId,
    teamId: activity.teamId,
    contactId: activity.contactId,
    dealId: activity.dealId,
    ticketId: activity.ticketId,
    deleted: Boolean(activity.deletedAt),
  };
}
