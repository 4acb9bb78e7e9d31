// Visibility applied in memory, to records read from a projection rather than queried: the kit's own
// visibility filter, evaluated by the kit's matchesFilter, so the rule has one source of truth.
import { matchesFilter, visibilityFilter, type Access, type Principal } from '@crm/service-kit';

export interface Owned {
  tenantId: string;
  ownerId: string;
  teamId: string;
}

export type RecordPredicate = (record: Owned) => boolean;

export function visibilityPredicate(principal: Principal, resource: string, access: Access = 'read'): RecordPredicate {
  const filter = visibilityFilter(principal, resource, access);
  if (!filter) return () => false;
  return (record) => matchesFilter(filter, record as unknown as Record<string, unknown>);
}
