import type { Logger } from 'pino';

export interface ShutdownStep {
  name: string;
  run: () => Promise<void> | void;
}

export interface ShutdownOptions {
  log: Logger;
  graceMs: number;
  /** In order: fail readiness, stop taking work, finish in-flight work, drain NATS, close Mongo, flush telemetry. */
  steps: ShutdownStep[];
  /** Replaces process.exit, and then no signal handlers are installed: an embedded (test) service stops by call. */
  exit?: (code: number) => void;
}

/**
 * Runs the steps once, in order, on SIGTERM or SIGINT; exits 0 when all complete, 1 if one fails or the grace
 * period runs out first.
 */
export function handleShutdownSignals(options: ShutdownOptions): { shutdown: (reason: string) => Promise<void> } {
  const exit = options.exit ?? ((code: number) => process.exit(code));
  let started: Promise<void> | undefined;

  const shutdown = (reason: string): Promise<void> => {
    started ??= runSteps(options, reason).then(
      (ok) => exit(ok ? 0 : 1),
      () => exit(1),
    );
    return started;
  };
  if (!options.exit) {
    process.once('SIGTERM', () => void shutdown('SIGTERM'));
    process.once('SIGINT', () => void shutdown('SIGINT'));
  }
  return { shutdown };
}

async function runSteps(options: ShutdownOptions, reason: string): Promise<boolean> {
  const { log, graceMs, steps } = options;
  log.info({ reason, graceMs }, 'shutting down');
  const deadline = setTimeout(() => {
    log.error('grace period ran out before shutdown completed');
    (options.exit ?? process.exit)(1);
  }, graceMs);
  deadline.unref();
  let ok = true;
  for (const step of steps) {
    try {
      await step.run();
      log.debug({ step: step.name }, 'shutdown step done');
    } catch (error) {
      ok = false;
      log.error({ err: error, step: step.name }, 'shutdown step failed');
    }
  }
  clearTimeout(deadline);
  log.info({ ok }, 'shutdown complete');
  return ok;
}
