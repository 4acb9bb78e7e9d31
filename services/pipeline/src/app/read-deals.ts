import type { CustomFieldDefinition, HistoryEntry, Principal } from '@crm/service-kit';
import { pageSize } from '@crm/service-kit';
import { invalidFields } from '../domain/invalid-fields';
import type { DealListFilter, DealPage, ListedDeal } from '../store/deal.read-model';
import type { DealRecord } from '../store/deal.records';
import { requireId, type AppDeps } from './app-deps';
import type { PipelineRecord } from '../store/pipeline.records';
import { stageLookupOf, type tenantStageLookup } from './pipelines';

export interface DealView {
  stageOf: Awaited<ReturnType<typeof tenantStageLookup>>;
  definitions: CustomFieldDefinition[];
}

/** What a use case read on its way that the answer needs too, so that it is not read again. */
export interface KnownView {
  pipelines?: readonly PipelineRecord[];
  definitions?: CustomFieldDefinition[];
}

/** A write's result with what it knows of the view. */
export interface Written<T> {
  result: T;
  known: KnownView;
}

/** What answers need besides the deals: the stages they are in and the custom-field definitions. */
export async function dealView(deps: AppDeps, tenantId: string, known: KnownView = {}): Promise<DealView> {
  const [pipelines, definitions] = await Promise.all([
    known.pipelines ?? deps.pipelines.list(tenantId),
    known.definitions ?? deps.settings.get(tenantId).then((s) => s.customFields),
  ]);
  return { stageOf: stageLookupOf(pipelines), definitions };
}

/** A record with what it shows of its contact and company (from the read model's summaries). */
export async function withSummaries(deps: AppDeps, deal: DealRecord): Promise<ListedDeal> {
  return { deal, ...(await deps.summaries.of(deal.tenantId, deal.contactId, deal.companyId)) };
}

export async function getDeal(
  deps: AppDeps,
  principal: Principal,
  id: string,
  includeDeleted: boolean,
): Promise<ListedDeal> {
  return withSummaries(deps, await deps.deals.get(principal, requireId(id, 'id'), { includeDeleted }));
}

/** Newest first; for whoever may read the deal (deleted ones too). */
export function getDealHistory(deps: AppDeps, principal: Principal, id: string): Promise<HistoryEntry[]> {
  return deps.deals.history(principal, requireId(id, 'id'));
}

const STATUSES = ['open', 'won', 'lost'];

export function listDeals(
  deps: AppDeps,
  principal: Principal,
  filter: DealListFilter,
  limit: number,
  cursor: string,
): Promise<DealPage> {
  if (filter.status && !STATUSES.includes(filter.status))
    throw invalidFields([{ field: 'filter.status', description: `must be one of: ${STATUSES.join(', ')}` }]);
  return deps.dealsView.list(principal, filter, pageSize(limit), cursor);
}
