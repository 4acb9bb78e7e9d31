import { hasRole, scopeOf, ServiceError, type Principal, type RecordStore } from '@crm/service-kit';
import type { ContactDirectory } from '../clients/contact-directory';
import type { ContactSummaries } from '../store/contact-summary.read-model';
import type { DealReadModel } from '../store/deal.read-model';
import type { DealRecord } from '../store/deal.records';
import type { DealSettingsStore } from '../store/deal-settings.records';
import type { PipelineStore } from '../store/pipeline.records';

/** How deals enter stages while stages may be archived (domain/pipeline: archiving without locks). */
export interface StageRules {
  /** A write putting a deal into a stage appends its event at most this long after reading the pipeline. */
  writeWindowMs: number;
  /** An archive waits this long (more than the window) after marking the stage before counting its deals. */
  archiveSettleMs: number;
}

/** What the use cases work with; built once by the service's wiring. */
export interface AppDeps {
  deals: RecordStore<DealRecord>;
  /** Lists, board columns and totals, forecasts: the PostgreSQL read model. */
  dealsView: DealReadModel;
  summaries: ContactSummaries;
  pipelines: PipelineStore;
  settings: DealSettingsStore;
  contacts: ContactDirectory;
  /** NATS namespace, prefixed to event subjects (empty in production). */
  namespace: string;
  /** The service's own client id: who it acts as on its own (contact merges, default pipelines). */
  serviceName: string;
  stageRules: StageRules;
  clock: () => Date;
  sleep: (ms: number) => Promise<void>;
}

/** Anyone who may see some deals may see the pipelines, the board and the forecast (scoped to those deals). */
export function assertMaySeeDeals(principal: Principal): void {
  if (scopeOf(principal, 'deals', 'read').kind === 'none')
    throw new ServiceError('PERMISSION_DENIED', 'not allowed to see deals');
}

export function assertAdmin(principal: Principal): void {
  if (!hasRole(principal, 'crm-admin'))
    throw new ServiceError('PERMISSION_DENIED', 'only admins may change pipelines and deal fields');
}

export function requireId(value: string, field: string): string {
  if (!value)
    throw new ServiceError('INVALID_ARGUMENT', `${field} is required`, {
      violations: [{ field, description: 'is required' }],
    });
  return value;
}
