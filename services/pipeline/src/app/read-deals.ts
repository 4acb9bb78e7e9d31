import type { CustomFieldDefinition, Principal } from '@crm/service-kit';
import { invalidFields } from '../domain/invalid-fields';
import type { DealListFilter, DealPage } from '../store/deal.repository';
import { pageSize } from '../store/page-cursor';
import type { DealDocument } from '../store/deal.schema';
import { requireId, type AppDeps } from './app-deps';
import { tenantStageLookup } from './pipelines';

export interface DealView {
  stageOf: Awaited<ReturnType<typeof tenantStageLookup>>;
  definitions: CustomFieldDefinition[];
}

/** What answers need besides the deals: the stages they are in and the custom-field definitions. */
export async function dealView(deps: AppDeps, tenantId: string): Promise<DealView> {
  const [stageOf, settings] = await Promise.all([tenantStageLookup(deps, tenantId), deps.settings.get(tenantId)]);
  return { stageOf, definitions: settings.customFields };
}

export function getDeal(
  deps: AppDeps,
  principal: Principal,
  id: string,
  includeDeleted: boolean,
): Promise<DealDocument> {
  return deps.deals.getById(principal, requireId(id, 'id'), { includeDeleted });
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
  return deps.deals.list(principal, filter, pageSize(limit), cursor);
}
