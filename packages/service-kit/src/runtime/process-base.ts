// What every process of the platform starts with and ends with, services and the gateway alike: logger, metrics,
// the admin port, the NATS connection, and the SIGTERM sequence around the process's own steps.
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { createAdminServer, createMetricsRegistry, type AdminServer } from '../admin/admin-server';
import type { ProcessEnv } from '../config/service-env';
import { handleShutdownSignals, type ShutdownStep } from '../lifecycle/shutdown';
import { createLogger } from '../logger/logger';
import { connectBus, drainBus, type Bus } from '../messaging/nats';
import { shutdownTelemetry } from '../telemetry/telemetry';

export interface ProcessBase {
  log: Logger;
  metrics: Registry;
  admin: AdminServer;
  adminPort: number;
  bus: Bus;
}

export async function startProcessBase(config: ProcessEnv): Promise<ProcessBase> {
  const log = createLogger(config.SERVICE_NAME, { level: config.LOG_LEVEL });
  const metrics = createMetricsRegistry(config.SERVICE_NAME);
  const admin = createAdminServer(metrics);
  const adminPort = await admin.listen(config.ADMIN_PORT, config.ADMIN_HOST);
  const bus = await connectBus({
    url: config.NATS_URL,
    name: config.SERVICE_NAME,
    namespace: config.NATS_NAMESPACE,
    streamReplicas: config.NATS_STREAM_REPLICAS,
  });
  admin.addReadinessCheck('nats', async () => {
    if (bus.nc.isClosed()) throw new Error('nats connection closed');
    await bus.nc.flush();
  });
  return { log, metrics, admin, adminPort, bus };
}

export interface ShutdownSequence {
  /** Runs first, with readiness already failing: stop taking work, finish work in flight. */
  stopWork: ShutdownStep[];
  /** Runs after NATS is drained: close stores. */
  closeStores?: ShutdownStep[];
  /** Also told when readiness fails (e.g. the gateway's health route). */
  onNotReady?: () => void;
  exit?: (code: number) => void;
}

/** Fail readiness, the process's own steps, drain NATS, close stores, close the admin port, flush telemetry. */
export function registerShutdown(
  base: ProcessBase,
  config: Pick<ProcessEnv, 'SHUTDOWN_GRACE_MS'>,
  sequence: ShutdownSequence,
): { shutdown: (reason: string) => Promise<void> } {
  return handleShutdownSignals({
    log: base.log,
    exit: sequence.exit,
    graceMs: config.SHUTDOWN_GRACE_MS,
    steps: [
      {
        name: 'fail readiness',
        run: () => {
          sequence.onNotReady?.();
          base.admin.markNotReady();
        },
      },
      ...sequence.stopWork,
      { name: 'drain NATS', run: () => drainBus(base.bus) },
      ...(sequence.closeStores ?? []),
      { name: 'close admin port', run: () => base.admin.close() },
      { name: 'flush telemetry', run: () => shutdownTelemetry() },
    ],
  });
}
