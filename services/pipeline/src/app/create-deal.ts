import { v7 as uuidv7 } from 'uuid';
import { validateCustomFieldValuesOrThrow, type CallContext, type FieldViolation } from '@crm/service-kit';
import {
  checkAmount,
  checkTitle,
  closeDateViolations,
  forecastDateOf,
  resolveOwnership,
  textViolations,
  titleViolations,
  type DealFields,
} from '../domain/deal';
import { invalidFields } from '../domain/invalid-fields';
import { moneyViolations, type Money } from '../domain/money';
import { firstOpenStage } from '../domain/pipeline';
import { appendRank } from '../domain/rank';
import { moveToStage } from '../domain/stage-move';
import { dealEvents } from '../events/deal-events';
import type { DealDocument } from '../store/deal.schema';
import { withStageGate, type AppDeps } from './app-deps';
import { resolveContactLinks } from './contact-links';
import { loadPipeline, stageLookupOf } from './pipelines';

export type Actor = Pick<CallContext, 'principal' | 'token' | 'deadline'>;

/** A deal as a user writes it (the shape of DealInput). */
export interface DealDraft {
  title: string;
  amount: Money | undefined;
  pipelineId: string;
  stageId: string;
  ownerId: string;
  teamId: string;
  contactId: string;
  companyId: string;
  expectedCloseDate: string;
  nextStep: string;
  customFields: Record<string, unknown> | undefined;
  lostReason: string;
}

export async function createDeal(deps: AppDeps, actor: Actor, draft: DealDraft): Promise<DealDocument> {
  const { principal } = actor;
  // Every field's problems at once, so a form can show them together.
  const violations: FieldViolation[] = [
    ...titleViolations(draft.title),
    ...moneyViolations(draft.amount, 'amount'),
    ...closeDateViolations(draft.expectedCloseDate),
    ...textViolations(draft.nextStep, 'nextStep'),
    ...textViolations(draft.lostReason, 'lostReason'),
  ];
  if (violations.length > 0) throw invalidFields(violations);
  const title = checkTitle(draft.title);
  const amount = checkAmount(draft.amount);
  const ownership = resolveOwnership(principal, { ownerId: draft.ownerId, teamId: draft.teamId });
  const { customFields: definitions } = await deps.settings.get(principal.tenantId);
  const customFields = validateCustomFieldValuesOrThrow(definitions, draft.customFields ?? {}, { mode: 'create' });
  const pipeline = await loadPipeline(deps, principal, draft.pipelineId);
  const stageId = draft.stageId || firstOpenStage(pipeline.stages)?.id || '';
  if (!pipeline.stages.some((s) => s.id === stageId && !s.archived))
    throw invalidFields([{ field: 'stageId', description: 'is not an active stage of the pipeline' }]);
  const links = await resolveContactLinks(deps, actor, draft.contactId, draft.companyId);

  return withStageGate(deps, stageId, async () => {
    // Re-read under the gate: the stage may have been archived meanwhile.
    const current = await deps.pipelines.get(principal.tenantId, pipeline._id);
    const stage = current.stages.find((s) => s.id === stageId);
    if (!stage) throw invalidFields([{ field: 'stageId', description: 'is not a stage of the pipeline' }]);
    const now = new Date();
    const entered = moveToStage({
      deal: { stageId: '', status: 'open', lostReason: '', closedAt: null, stageHistory: [] },
      to: stage,
      lostReason: draft.lostReason,
      by: principal.userId,
      now,
    });
    const fields: DealFields = {
      title,
      amountMinor: amount.amountMinor,
      currency: amount.currency,
      pipelineId: current._id,
      stageId,
      status: entered.status,
      contactId: links.contact?.id ?? '',
      companyId: links.company?.id ?? '',
      contact: links.contact,
      company: links.company,
      expectedCloseDate: draft.expectedCloseDate,
      nextStep: draft.nextStep.trim(),
      customFields,
      lostReason: entered.lostReason,
      closedAt: entered.closedAt,
      rank: appendRank(now),
      stageHistory: entered.stageHistory,
      forecastDate: forecastDateOf({
        status: entered.status,
        closedAt: entered.closedAt,
        expectedCloseDate: draft.expectedCloseDate,
      }),
    };
    const record = { _id: uuidv7(), ...ownership, deletedAt: null, ...fields };
    const asStored = {
      ...record,
      tenantId: principal.tenantId,
      version: 1,
      createdAt: now,
      updatedAt: now,
    } as DealDocument;
    const signal = entered.status === 'open' ? undefined : entered.status;
    const events = dealEvents({
      state: 'deal.created',
      signal,
      previous: undefined,
      next: asStored,
      changedFields: createdFields(asStored),
      stageOf: stageLookupOf([current]),
      actor: principal,
      namespace: deps.namespace,
    });
    return deps.deals.insert(principal, record, events);
  });
}

function createdFields(deal: DealDocument): string[] {
  const fields = ['title', 'amount', 'pipeline_id', 'stage_id', 'owner_id'];
  const optional: Array<[string, unknown]> = [
    ['team_id', deal.teamId],
    ['contact_id', deal.contactId],
    ['company_id', deal.companyId],
    ['expected_close_date', deal.expectedCloseDate],
    ['next_step', deal.nextStep],
    ['lost_reason', deal.lostReason],
  ];
  for (const [name, value] of optional) if (value) fields.push(name);
  if (Object.keys(deal.customFields).length > 0) fields.push('custom_fields');
  return fields;
}
