// Envelope → the facts it tells. The payload is decoded by the type its Any names; an event of a type we keep
// facts of whose payload does not decode (or lacks its ids) is poison: dead-lettered at once. Types we keep no facts
// of are ignored, so producers may add events freely.
import type { Activity } from '@crm/proto/crm/contact/v1/activity';
import type { Company } from '@crm/proto/crm/contact/v1/company';
import type { Contact } from '@crm/proto/crm/contact/v1/contact';
import { ActivityLogged, CompanyChanged, ContactChanged, ContactMerged } from '@crm/proto/crm/contact/v1/events';
import type { Envelope } from '@crm/proto/crm/events/v1/envelope';
import { DealChanged, PipelineChanged, type DealSnapshot } from '@crm/proto/crm/pipeline/v1/events';
import { PoisonEventError } from '@crm/service-kit';
import type { DealState, DealStatus } from '../domain/deal-facts';
import type { EventMeta, FactEvent, StreamName } from '../domain/fact-events';
import type { ActivityFact, CompanyFact, ContactFact, PipelineFact } from '../domain/record-facts';

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
    default:
      return { kind: 'ignored', meta };
  }
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
