// Deal records to their proto messages and back; nothing else.
import { readCustomFieldValues, type CustomFieldDefinition } from '@crm/service-kit';
import type { Deal, DealInput } from '@crm/proto/crm/pipeline/v1/deal';
import type { DealSnapshot } from '@crm/proto/crm/pipeline/v1/events';
import type { Stage } from '../domain/stage';
import type { DealRecord } from '../store/deal.records';
import type { ListedDeal } from '../store/deal.read-model';

export type StageLookup = (pipelineId: string, stageId: string) => Stage | undefined;

export function toDealProto(
  { deal: doc, contact, company }: ListedDeal,
  stageOf: StageLookup,
  definitions: readonly CustomFieldDefinition[],
): Deal {
  const stage = stageOf(doc.pipelineId, doc.stageId);
  return {
    id: doc._id,
    tenantId: doc.tenantId,
    title: doc.title,
    amount: { amountMinor: doc.amountMinor, currency: doc.currency },
    pipelineId: doc.pipelineId,
    stageId: doc.stageId,
    status: doc.status,
    probability: stage?.probability ?? 0,
    forecastCategory: stage?.forecastCategory ?? '',
    ownerId: doc.ownerId,
    teamId: doc.teamId,
    contactId: doc.contactId,
    companyId: doc.companyId,
    contact: contact
      ? { id: contact.id, displayName: contact.displayName, email: contact.email, erased: contact.erased }
      : undefined,
    company: company ? { id: company.id, name: company.name, domain: company.domain } : undefined,
    expectedCloseDate: doc.expectedCloseDate,
    nextStep: doc.nextStep,
    customFields: readCustomFieldValues(definitions, doc.customFields),
    lostReason: doc.lostReason,
    closedAt: doc.closedAt ?? undefined,
    rank: doc.rank,
    stageHistory: doc.stageHistory.map((v) => ({
      stageId: v.stageId,
      enteredAt: v.enteredAt,
      leftAt: v.leftAt ?? undefined,
      by: v.by,
    })),
    version: doc.version,
    createdAt: doc.createdAt,
    updatedAt: doc.updatedAt,
    deletedAt: doc.deletedAt ?? undefined,
    externalId: doc.externalId ?? '',
  };
}

export function toDealSnapshot(doc: DealRecord, stage: Stage | undefined): DealSnapshot {
  return {
    id: doc._id,
    title: doc.title,
    amount: { amountMinor: doc.amountMinor, currency: doc.currency },
    pipelineId: doc.pipelineId,
    stageId: doc.stageId,
    stageName: stage?.name ?? '',
    status: doc.status,
    probability: stage?.probability ?? 0,
    forecastCategory: stage?.forecastCategory ?? '',
    ownerId: doc.ownerId,
    teamId: doc.teamId,
    contactId: doc.contactId,
    companyId: doc.companyId,
    expectedCloseDate: doc.expectedCloseDate,
    closedAt: doc.closedAt ?? undefined,
    lostReason: doc.lostReason,
    deleted: Boolean(doc.deletedAt),
    version: doc.version,
    createdAt: doc.createdAt,
  };
}

/** An empty DealInput, for callers that build one field by field. */
export function emptyDealInput(): DealInput {
  return {
    title: '',
    amount: undefined,
    pipelineId: '',
    stageId: '',
    ownerId: '',
    teamId: '',
    contactId: '',
    companyId: '',
    expectedCloseDate: '',
    nextStep: '',
    customFields: undefined,
    lostReason: '',
  };
}
