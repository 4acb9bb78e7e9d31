import { v7 as uuidv7 } from 'uuid';
import {
  resolveOwnership,
  validateCustomFieldValuesOrThrow,
  type CallContext,
  type FieldViolation,
} from '@crm/service-kit';
import {
  checkAmount,
  checkTitle,
  closeDateViolations,
  forecastDateOf,
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
import type { ListedDeal } from '../store/deal.read-model';
import type { DealRecord } from '../store/deal.records';
import type { PipelineRecord } from '../store/pipeline.records';
import type { AppDeps } from './app-deps';
import { rememberLinks, resolveContactLinks } from './contact-links';
import { ensureDefaultPipeline, stageLookupOf } from './pipelines';
import type { Written } from './read-deals';
import { withFreshPipelines } from './stage-entry';

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

/** One event insert and one snapshot insert: a create waits on nothing another write holds. */
export async function createDeal(deps: AppDeps, actor: Actor, draft: DealDraft): Promise<Written<ListedDeal>> {
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
  const [{ customFields: definitions }, links] = await Promise.all([
    deps.settings.get(principal.tenantId),
    resolveContactLinks(deps, actor, draft.contactId, draft.companyId),
  ]);
  const customFields = validateCustomFieldValuesOrThrow(definitions, draft.customFields ?? {}, { mode: 'create' });
  // Before the deal: a summary the create then does not use harms nothing, a deal without one would show none.
  await rememberLinks(deps, principal.tenantId, links);

  let known: PipelineRecord[] = [];
  const deal = await withFreshPipelines(deps, principal.tenantId, async (pipelines, assertFresh) => {
    const pipeline = draft.pipelineId
      ? pipelines.find((p) => p._id === draft.pipelineId)
      : (pipelines.find((p) => p.isDefault) ?? (await ensureDefaultPipeline(deps, principal.tenantId)));
    if (!pipeline) throw invalidFields([{ field: 'pipelineId', description: 'is not a pipeline of yours' }]);
    known = pipelines.includes(pipeline) ? pipelines : [...pipelines, pipeline];
    const stageId = draft.stageId || firstOpenStage(pipeline.stages)?.id || '';
    const stage = pipeline.stages.find((s) => s.id === stageId);
    if (!stage) throw invalidFields([{ field: 'stageId', description: 'is not a stage of the pipeline' }]);
    const now = deps.clock();
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
      pipelineId: pipeline._id,
      stageId,
      status: entered.status,
      contactId: links.contact?.id ?? '',
      companyId: links.company?.id ?? '',
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
      externalId: '',
    };
    const messages = dealEvents({
      state: 'deal.created',
      signal: entered.status === 'open' ? undefined : entered.status,
      previous: undefined,
      changedFields: createdFields({ ...fields, teamId: ownership.teamId }),
      stageOf: stageLookupOf(known),
      actor: principal,
      namespace: deps.namespace,
    });
    assertFresh();
    return deps.deals.create(principal, { _id: uuidv7(), ...ownership, ...fields }, messages);
  });
  return {
    result: { deal, contact: links.contact, company: links.company },
    known: { pipelines: known, definitions },
  };
}

export function createdFields(deal: Omit<DealFields, 'status'> & Partial<Pick<DealRecord, 'teamId'>>): string[] {
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
