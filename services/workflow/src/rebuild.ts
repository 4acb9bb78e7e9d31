// `node dist/rebuild.js` (the chart's rebuild Job): replays the event log into the workflow read model (rules,
// runs, tasks, webhook endpoints and deliveries, forms, assignment teams). Durable timers are not rebuilt.
import { runRebuildCommand, type RecordStore, type TenantRecord } from '@crm/service-kit';
import { workflowMigrations } from './store/read-model.migrations';
import { createWorkflowStores } from './store/workflow-store';

runRebuildCommand<unknown>({
  service: 'workflow',
  migrations: workflowMigrations,
  stores: (deps) => Object.values(createWorkflowStores(deps)) as unknown as ReadonlyArray<RecordStore<TenantRecord>>,
});
