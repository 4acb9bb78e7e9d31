import { hasRole, lockKey, ServiceError, visibilityFilter, type DocumentLocks, type Principal } from '@crm/service-kit';
import type { ContactDirectory } from '../clients/contact-directory';
import type { ColumnHeads, DealRepository } from '../store/deal.repository';
import type { DealSettingsRepository } from '../store/deal-settings.repository';
import type { PipelineRepository } from '../store/pipeline.repository';
import type { ProjectionRepository } from '../store/projection.repository';

/** What the use cases work with; built once by the service's wiring. */
export interface AppDeps {
  deals: DealRepository;
  heads: ColumnHeads;
  pipelines: PipelineRepository;
  settings: DealSettingsRepository;
  projections: ProjectionRepository;
  contacts: ContactDirectory;
  locks: DocumentLocks;
  /** NATS namespace, prefixed to event subjects (empty in production). */
  namespace: string;
}

/** Anyone who may see some deals may see the pipelines, the board and the forecast (scoped to those deals). */
export function assertMaySeeDeals(principal: Principal): void {
  if (!visibilityFilter(principal, 'deals', 'read'))
    throw new ServiceError('PERMISSION_DENIED', 'not allowed to see deals');
}

export function assertAdmin(principal: Principal): void {
  if (!hasRole(principal, 'crm-admin'))
    throw new ServiceError('PERMISSION_DENIED', 'only admins may change pipelines and deal fields');
}

/**
 * Deals enter a stage only under the stage's gate, and archiving holds the same gate while it counts the stage's
 * deals, so no deal can slip into a stage as it is archived. Gates are taken before a deal's own lock.
 */
export function withStageGate<T>(deps: Pick<AppDeps, 'locks'>, stageId: string, work: () => Promise<T>): Promise<T> {
  return deps.locks.withLock(lockKey('stage_gates', stageId), work);
}

export function requireId(value: string, field: string): string {
  if (!value)
    throw new ServiceError('INVALID_ARGUMENT', `${field} is required`, {
      violations: [{ field, description: 'is required' }],
    });
  return value;
}
