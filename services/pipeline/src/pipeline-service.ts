// Wiring: the record stores, the read model, the use cases, the gRPC services and the consumers, on the kit's
// runtime (which also runs the event sweeper and the consumer of the PIPELINE stream that keeps the read model).
import type { Kysely } from 'kysely';
import { DealServiceService } from '@crm/proto/crm/pipeline/v1/deal';
import { PipelineServiceService } from '@crm/proto/crm/pipeline/v1/pipeline';
import {
  ensurePeerStream,
  runService,
  STREAMS,
  UniqueClaims,
  type RecordStore,
  type RunningService,
  type ServiceDeps,
  type TenantRecord,
} from '@crm/service-kit';
import type { AppDeps } from './app/app-deps';
import { DealImportWorker, type ImportDeps } from './app/import-deals';
import { grpcContactDirectory, type ContactDirectory } from './clients/contact-directory';
import { keycloakUserDirectory } from './clients/user-directory';
import type { PipelineConfig } from './config';
import { contactSyncConsumer } from './events/contact-sync.consumer';
import { registerDealImports } from './rpc/deal-import.rpc';
import { dealHandlers } from './rpc/deal.rpc';
import { pipelineHandlers } from './rpc/pipeline.rpc';
import { ContactSummaries } from './store/contact-summary.read-model';
import { DealReadModel } from './store/deal.read-model';
import { DealImportStore } from './store/deal-import.store';
import { dealStore } from './store/deal.records';
import { DealSettingsStore } from './store/deal-settings.records';
import { PipelineStore } from './store/pipeline.records';
import { pipelineMigrations, type PipelineReadModel } from './store/read-model.schema';

export const PIPELINE_PROTOS = [
  'crm/pipeline/v1/pipeline.proto',
  'crm/pipeline/v1/deal.proto',
  'crm/pipeline/v1/import.proto',
];

export interface StartOptions {
  /** What ends the process after shutdown; tests pass a no-op. */
  exit?: (code: number) => void;
}

export interface RunningPipelineService extends RunningService<PipelineReadModel> {
  app: AppDeps;
  imports: ImportDeps;
}

/** The use cases' dependencies over a connected runtime (the service, and tools that run its use cases). */
export function pipelineApp(
  deps: Pick<ServiceDeps<PipelineReadModel>, 'mongo' | 'events' | 'publisher' | 'log'>,
  db: Kysely<PipelineReadModel>,
  config: PipelineConfig,
  contacts: ContactDirectory,
): AppDeps {
  const dealsView = new DealReadModel(db);
  return {
    deals: dealStore(deps, [dealsView.projection()]),
    dealsView,
    summaries: new ContactSummaries(db),
    pipelines: PipelineStore.create(deps),
    settings: DealSettingsStore.create(deps),
    contacts,
    namespace: config.NATS_NAMESPACE,
    serviceName: config.OIDC_CLIENT_ID,
    stageRules: {
      writeWindowMs: config.PIPELINE_STAGE_WRITE_WINDOW_MS,
      archiveSettleMs: config.PIPELINE_ARCHIVE_SETTLE_MS,
    },
    clock: () => new Date(),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  };
}

export async function startPipelineService(
  config: PipelineConfig,
  options: StartOptions = {},
): Promise<RunningPipelineService> {
  let app: AppDeps | undefined;
  let imports: ImportDeps | undefined;
  let contacts: ContactDirectory | undefined;
  const running = await runService<PipelineReadModel>({
    config,
    streams: [STREAMS.PIPELINE],
    reflectionProtos: PIPELINE_PROTOS,
    readModel: { migrations: pipelineMigrations },
    exit: options.exit,
    wire: async (deps) => {
      if (!deps.readModel) throw new Error('the pipeline service needs its read model');
      contacts = grpcContactDirectory(config.CONTACT_GRPC_URL, deps.serviceToken);
      app = pipelineApp(deps, deps.readModel.db, config, contacts);
      await app.pipelines.records.model.init();
      deps.grpc.addService('crm.pipeline.v1.PipelineService', PipelineServiceService, pipelineHandlers(app));
      deps.grpc.addService('crm.pipeline.v1.DealService', DealServiceService, dealHandlers(app));
      const deals = app.deals;
      imports = {
        app,
        jobs: new DealImportStore(deps.readModel.db),
        users: keycloakUserDirectory({ issuer: config.OIDC_ISSUER, token: deps.serviceToken }),
        claims: new UniqueClaims(deps.mongo, {
          collection: 'deal_keys',
          holderExists: async (tenantId, id) => (await deals.load(id))?.tenantId === tenantId,
        }),
        log: deps.log,
        batchSize: config.PIPELINE_IMPORT_BATCH_SIZE,
        leaseMs: config.PIPELINE_IMPORT_LEASE_MS,
      };
      const worker = new DealImportWorker(imports, config.PIPELINE_IMPORT_POLL_MS);
      registerDealImports(deps, imports, () => worker.kick());
      worker.start();
      // The contact service owns CONTACT and may start after us.
      await ensurePeerStream(deps.bus, STREAMS.CONTACT);
      // The runtime sweeps and projects them by collection; their record types differ (mongoose models are invariant).
      const stores = [app.deals, app.pipelines.records, app.settings.records].map(
        (store) => store as unknown as RecordStore<TenantRecord>,
      );
      return {
        stores,
        consumers: [contactSyncConsumer(app, deps.log)],
        stopWork: [{ name: 'stop deal imports', run: () => worker.stop() }],
      };
    },
  });
  if (!app || !imports) throw new Error('pipeline service wiring did not run');
  const shutdown = async (reason: string) => {
    await running.shutdown(reason);
    contacts?.close();
  };
  return { ...running, shutdown, app, imports };
}
