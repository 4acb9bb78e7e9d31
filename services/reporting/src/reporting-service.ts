// Wiring: the fact store, the stream consumers, the lag monitor and the gRPC service, on the kit's runtime. The
// service owns no stream of its own: it reads the others' (ensurePeerStream, since start order is not guaranteed).
import { ReportingServiceService } from '@crm/proto/crm/reporting/v1/reporting';
import { ensurePeerStream, runService, STREAMS, type RunningService } from '@crm/service-kit';
import type { Kysely } from 'kysely';
import { Histogram } from 'prom-client';
import type { ReportingApp } from './app/reporting-app';
import type { ReportingConfig } from './config';
import { ConsumerLag } from './events/consumer-lag';
import { factConsumers, FACT_STREAMS } from './events/fact-consumers';
import { reportingHandlers } from './rpc/reporting.rpc';
import { FactProjector } from './store/fact-projector';
import { REPORTING_MIGRATIONS } from './store/migrations';
import { SettingsRepository } from './store/settings.repository';
import { StreamPositions } from './store/stream-positions';

export const REPORTING_PROTOS = ['crm/reporting/v1/reporting.proto'];

export interface StartOptions {
  /** What ends the process after shutdown; tests pass a no-op. */
  exit?: (code: number) => void;
  /** "Now" for named periods (this_month...) and lag; tests pin it. */
  clock?: () => Date;
}

export interface RunningReportingService extends RunningService<unknown> {
  app: ReportingApp;
  lag: ConsumerLag;
}

export async function startReportingService(
  config: ReportingConfig,
  options: StartOptions = {},
): Promise<RunningReportingService> {
  const clock = options.clock ?? (() => new Date());
  let app: ReportingApp | undefined;
  let lag: ConsumerLag | undefined;
  const running = await runService<unknown>({
    config,
    streams: [],
    reflectionProtos: REPORTING_PROTOS,
    readModel: { migrations: REPORTING_MIGRATIONS },
    exit: options.exit,
    wire: async (deps) => {
      const db = (deps.readModel as { db: Kysely<unknown> }).db;
      for (const stream of FACT_STREAMS) await ensurePeerStream(deps.bus, STREAMS[stream]);
      const positions = new StreamPositions(db);
      positions.start();
      app = { db, settings: new SettingsRepository(db, config.REPORTING_DEFAULT_TIME_ZONE), positions, clock };
      lag = new ConsumerLag(deps.bus, deps.metrics, () => clock().getTime());
      deps.grpc.addService('crm.reporting.v1.ReportingService', ReportingServiceService, reportingHandlers(app));
      const eventLag = new Histogram({
        name: 'reporting_event_lag_seconds',
        help: 'Time from an event being stored in its stream to its facts being stored',
        labelNames: ['stream'],
        buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
        registers: [deps.metrics],
      });
      const consumers = factConsumers({
        projector: new FactProjector(db),
        positions,
        concurrency: config.REPORTING_CONSUMER_CONCURRENCY,
        maxBatch: config.REPORTING_CONSUMER_BATCH,
        lag: eventLag,
        now: () => clock().getTime(),
      });
      const monitor = lag;
      monitor.start(config.REPORTING_LAG_POLL_MS);
      return {
        consumers,
        readinessDetails: { projection: () => monitor.read() },
        stopWork: [
          { name: 'stop the lag monitor', run: () => monitor.stop() },
          { name: 'write the stream positions', run: () => positions.stop() },
        ],
      };
    },
  });
  if (!app || !lag) throw new Error('reporting service wiring did not run');
  return { ...running, app, lag };
}
