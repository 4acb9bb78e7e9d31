import {
  resolveOwnership,
  validateCustomFieldValuesOrThrow,
  versionMismatch,
  type CustomFieldValues,
  type FieldViolation,
} from '@crm/service-kit';
import {
  checkAmount,
  checkTitle,
  closeDateViolations,
  forecastDateOf,
  textViolations,
  type DealFields,
} from '../domain/deal';
import { invalidFields } from '../domain/invalid-fields';
import { dealEvents } from '../events/deal-events';
import type { DealRecord } from '../store/deal.records';
import { requireId, type AppDeps } from './app-deps';
import { rememberLinks, resolveContactLinks } from './contact-links';
import type { Actor, DealDraft } from './create-deal';
import { stageLookupOf } from './pipelines';
import type { Written } from './read-deals';

const SIMPLE_PATHS = [
  'title',
  'amount',
  'owner_id',
  'team_id',
  'contact_id',
  'company_id',
  'expected_close_date',
  'next_step',
  'lost_reason',
  'custom_fields',
] as const;
type SimplePath = (typeof SIMPLE_PATHS)[number];

export type DealChanges = Partial<DealFields & { ownerId: string; teamId: string }>;

/**
 * Applies the paths of the mask; the stage changes through moves only. The change is worked out on the version
 * the caller expects (read first, with the contact service asked as the caller), then written at that version
 * only: a version that moved meanwhile is FAILED_PRECONDITION.
 */
export async function updateDeal(
  deps: AppDeps,
  actor: Actor,
  id: string,
  expectedVersion: number,
  draft: DealDraft,
  mask: readonly string[],
): Promise<Written<DealRecord>> {
  const { principal } = actor;
  requireId(id, 'id');
  const { simple, customKeys } = parseMask(mask);
  const current = await deps.deals.get(principal, id);
  if (current.version !== expectedVersion) throw versionMismatch(expectedVersion, current.version);

  const changes: DealChanges = {};
  const violations: FieldViolation[] = [];
  if (simple.has('title')) changes.title = checkTitle(draft.title);
  if (simple.has('amount')) Object.assign(changes, moneyFields(draft));
  if (simple.has('expected_close_date')) {
    violations.push(...closeDateViolations(draft.expectedCloseDate));
    changes.expectedCloseDate = draft.expectedCloseDate;
  }
  if (simple.has('next_step')) {
    violations.push(...textViolations(draft.nextStep, 'nextStep'));
    changes.nextStep = draft.nextStep.trim();
  }
  if (simple.has('lost_reason')) {
    violations.push(...lostReasonViolations(current, draft.lostReason));
    changes.lostReason = draft.lostReason.trim();
  }
  if (violations.length > 0) throw invalidFields(violations);
  if (simple.has('owner_id') || simple.has('team_id')) {
    Object.assign(
      changes,
      resolveOwnership(
        principal,
        { ownerId: simple.has('owner_id') ? draft.ownerId : '', teamId: simple.has('team_id') ? draft.teamId : '' },
        { ownerId: current.ownerId, teamId: current.teamId },
      ),
    );
  }
  if (simple.has('custom_fields') || customKeys.length > 0)
    changes.customFields = await customFieldChanges(
      deps,
      principal.tenantId,
      current,
      draft,
      simple.has('custom_fields'),
      customKeys,
    );
  await applyContactChanges(deps, actor, current, draft, simple, changes);

  const changed = changedPaths(current, changes);
  if (changed.length === 0) return { result: current, known: {} };
  const forecastDate = forecastDateOf({ ...current, ...changes });
  const pipelines = await deps.pipelines.list(principal.tenantId);
  const messages = dealEvents({
    state: 'deal.updated',
    previous: current,
    changedFields: changed,
    stageOf: stageLookupOf(pipelines),
    actor: principal,
    namespace: deps.namespace,
  });
  const result = await deps.deals.update(principal, id, expectedVersion, () => ({
    set: { ...changes, forecastDate },
    messages,
  }));
  return { result, known: { pipelines } };
}

function parseMask(mask: readonly string[]): { simple: Set<SimplePath>; customKeys: string[] } {
  const violations: FieldViolation[] = [];
  const simple = new Set<SimplePath>();
  const customKeys: string[] = [];
  if (mask.length === 0) violations.push({ field: 'updateMask', description: 'must name the fields to change' });
  for (const path of mask) {
    if ((SIMPLE_PATHS as readonly string[]).includes(path)) simple.add(path as SimplePath);
    else if (path.startsWith('custom_fields.') && path.length > 'custom_fields.'.length)
      customKeys.push(path.slice('custom_fields.'.length));
    else if (path === 'pipeline_id' || path === 'stage_id')
      violations.push({ field: `updateMask.${path}`, description: 'changes through MoveDeal' });
    else violations.push({ field: `updateMask.${path}`, description: 'is not a field of a deal that can be changed' });
  }
  if (violations.length > 0) throw invalidFields(violations);
  return { simple, customKeys };
}

function moneyFields(draft: DealDraft): DealChanges {
  const amount = checkAmount(draft.amount);
  return { amountMinor: amount.amountMinor, currency: amount.currency };
}

function lostReasonViolations(current: DealRecord, reason: string): FieldViolation[] {
  if (current.status !== 'lost')
    return reason ? [{ field: 'lostReason', description: 'can only be set on a lost deal' }] : [];
  if (!reason.trim()) return [{ field: 'lostReason', description: 'is required while the deal is lost' }];
  return textViolations(reason, 'lostReason');
}

/** "custom_fields" patches every key the input holds; "custom_fields.x" patches x alone (absent clears it). */
async function customFieldChanges(
  deps: AppDeps,
  tenantId: string,
  current: DealRecord,
  draft: DealDraft,
  whole: boolean,
  keys: readonly string[],
): Promise<Record<string, unknown>> {
  const input = draft.customFields ?? {};
  const patch: Record<string, unknown> = whole ? { ...input } : {};
  for (const key of keys) patch[key] = Object.hasOwn(input, key) ? input[key] : null;
  const { customFields: definitions } = await deps.settings.get(tenantId);
  return validateCustomFieldValuesOrThrow(definitions, patch, {
    mode: 'update',
    existing: current.customFields as CustomFieldValues,
  });
}

async function applyContactChanges(
  deps: AppDeps,
  actor: Actor,
  current: DealRecord,
  draft: DealDraft,
  simple: Set<SimplePath>,
  changes: DealChanges,
): Promise<void> {
  const contactId = simple.has('contact_id') && draft.contactId !== current.contactId ? draft.contactId : '';
  const companyId = simple.has('company_id') && draft.companyId !== current.companyId ? draft.companyId : '';
  const links = await resolveContactLinks(deps, actor, contactId, companyId);
  await rememberLinks(deps, actor.principal.tenantId, links);
  if (simple.has('contact_id') && draft.contactId !== current.contactId) changes.contactId = draft.contactId;
  if (simple.has('company_id') && draft.companyId !== current.companyId) changes.companyId = draft.companyId;
}

const PATH_OF: Record<string, string> = {
  title: 'title',
  amountMinor: 'amount',
  currency: 'amount',
  ownerId: 'owner_id',
  teamId: 'team_id',
  contactId: 'contact_id',
  companyId: 'company_id',
  expectedCloseDate: 'expected_close_date',
  nextStep: 'next_step',
  lostReason: 'lost_reason',
  customFields: 'custom_fields',
};

function changedPaths(current: DealRecord, changes: DealChanges): string[] {
  const paths = new Set<string>();
  for (const [key, value] of Object.entries(changes)) {
    const path = PATH_OF[key];
    if (path && JSON.stringify(value) !== JSON.stringify(current[key as keyof DealRecord])) paths.add(path);
  }
  return [...paths];
}
