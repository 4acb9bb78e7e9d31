// Wiring: the stores, the use cases, the gRPC services and the consumers, on the kit's runtime.
import { DealServiceService } from '@crm/proto/crm/pipeline/v1/deal';
import { PipelineServiceService } from '@crm/proto/crm/pipeline/v1/pipeline';
import { runService, streamName, subjectOf, type Bus, type RunningService, type StreamSpec } from '@crm/service-kit';
import type { AppDeps } from './app/app-deps';
import { grpcContactDirectory } from './clients/contact-directory';
import type { PipelineConfig } from './config';
import { contactSyncConsumer } from './events/contact-sync.consumer';
import { projectionConsumer } from './events/projection.consumer';
import { dealHandlers } from './rpc/deal.rpc';
import { pipelineHandlers } from './rpc/pipeline.rpc';
import { ColumnHeadRepository } from './store/column-head.repository';
import { DealRepository } from './store/deal.repository';
import { dealModel } from './store/deal.schema';
import { DealSettingsRepository } from './store/deal-settings.repository';
import { PipelineRepository } from './store/pipeline.repository';
import { ProjectionRepository } from './store/projection.repository';

export const PIPELINE_STREAM: StreamSpec = { name: 'PIPELINE', subjects: ['crm.deal.>', 'crm.pipeline.>'] };
export const PIPELINE_PROTOS = ['crm/pipeline/v1/pipeline.proto', 'crm/pipeline/v1/deal.proto'];

/** The contact service's stream as it defines it; created here only if it does not exist yet (see below). */
const CONTACT_STREAM: StreamSpec = { name: 'CONTACT', subjects: ['crm.contact.>', 'crm.company.>', 'crm.activity.>'] };

export interface StartOptions {
  /** What ends the process after shutdown; tests pass a no-op. */
  exit?: (code: number) => void;
}

export interface RunningPipelineService extends RunningService {
  app: AppDeps;
}

export async function startPipelineService(
  config: PipelineConfig,
  options: StartOptions = {},
): Promise<RunningPipelineService> {
  let app: AppDeps | undefined;
  const contacts = grpcContactDirectory(config.CONTACT_GRPC_URL);
  const running = await runService({
    config,
    streams: [PIPELINE_STREAM],
    reflectionProtos: PIPELINE_PROTOS,
    exit: options.exit,
    wire: async (deps) => {
      const models = {
        deals: dealModel(deps.mongo),
        pipelines: PipelineRepository.modelFor(deps.mongo),
        settings: DealSettingsRepository.modelFor(deps.mongo),
      };
      // Indexes exist before the first request rather than whenever autoIndex gets to them.
      await Promise.all(Object.values(models).map((model) => model.init()));
      const heads = {
        repository: new ColumnHeadRepository(deps.mongo, deps.locks),
        size: config.PIPELINE_BOARD_HEAD_SIZE,
        log: deps.log,
      };
      const deals = new DealRepository(models.deals, deps.relay, deps.locks, heads);
      const pipelines = new PipelineRepository(models.pipelines, deps.relay, deps.locks);
      const settings = new DealSettingsRepository(models.settings, deps.locks);
      const projections = new ProjectionRepository(deps.mongo, deps.locks);
      app = {
        deals,
        heads,
        pipelines,
        settings,
        projections,
        contacts,
        locks: deps.locks,
        namespace: config.NATS_NAMESPACE,
      };
      deps.grpc.addService('crm.pipeline.v1.PipelineService', PipelineServiceService, pipelineHandlers(app));
      deps.grpc.addService('crm.pipeline.v1.DealService', DealServiceService, dealHandlers(app));
      await ensureStreamExists(deps.bus, CONTACT_STREAM);
      return {
        outboxStores: [deals.outboxStore, pipelines.outboxStore],
        consumers: [
          projectionConsumer(projections),
          contactSyncConsumer(app, {
            service: { userId: `service:${config.OIDC_CLIENT_ID}`, clientId: config.OIDC_CLIENT_ID },
            log: deps.log,
          }),
        ],
      };
    },
  });
  if (!app) throw new Error('pipeline service wiring did not run');
  const shutdown = async (reason: string) => {
    await running.shutdown(reason);
    contacts.close();
  };
  return { ...running, shutdown, app };
}

/**
 * The contact-sync consumer needs the CONTACT stream, which the contact service owns and may not have created
 * yet (start order is not guaranteed). Create it with the owner's definition if missing, and never change an
 * existing one: the contact service's own ensureStream keeps it as it wants it.
 */
async function ensureStreamExists(bus: Bus, spec: StreamSpec): Promise<void> {
  const name = streamName(bus, spec.name);
  try {
    await bus.jsm.streams.info(name);
  } catch {
    try {
      await bus.jsm.streams.add({ name, subjects: spec.subjects.map((s) => subjectOf(bus, s)), allow_direct: true });
    } catch (error) {
      // Created by the contact service in the meantime.
      await bus.jsm.streams.info(name).catch(() => {
        throw error;
      });
    }
  }
}
