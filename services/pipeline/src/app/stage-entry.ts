// The writer's half of archiving without locks (domain/pipeline): a deal enters a stage only on pipelines read at
// most the write window before its event is appended. A write that took longer (a slow store, a long GC) starts
// over on pipelines read afresh, so an archive that marked the stage meanwhile is seen.
import { ServiceError } from '@crm/service-kit';
import type { PipelineRecord } from '../store/pipeline.records';
import type { AppDeps } from './app-deps';

class StalePipelines extends Error {}

const ATTEMPTS = 3;

/**
 * Runs `work` with the tenant's pipelines; `work` calls `assertFresh()` right before it appends the deal's event
 * (inside the store's decide, or just before a create).
 */
export async function withFreshPipelines<T>(
  deps: Pick<AppDeps, 'pipelines' | 'stageRules' | 'clock'>,
  tenantId: string,
  work: (pipelines: PipelineRecord[], assertFresh: () => void) => Promise<T>,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const readAt = deps.clock().getTime();
    const pipelines = await deps.pipelines.list(tenantId);
    const assertFresh = () => {
      if (deps.clock().getTime() - readAt > deps.stageRules.writeWindowMs) throw new StalePipelines();
    };
    try {
      return await work(pipelines, assertFresh);
    } catch (error) {
      if (!(error instanceof StalePipelines)) throw error;
      if (attempt >= ATTEMPTS)
        throw new ServiceError('UNAVAILABLE', 'The store is answering too slowly to move deals safely; try again');
    }
  }
}
