// The projection-lag benchmark's loop (issue 9), shared by the services' bench/projection-lag.bench.mjs: writes at a
// fixed rate (open loop), and on each acknowledgement another reader of the read model polls for the row at that
// version; the stream's read-model consumer backlog is sampled each second, and after the load, how long it takes
// to drain. The service-specific parts (what a write is, where its row is, which consumer) come as functions.
import { performance } from 'node:perf_hooks';

export interface LagRecord {
  id: string;
  version: number;
}

export interface ProjectionLagOptions<R extends LagRecord> {
  rate: number;
  seconds: number;
  /** Writes in flight beyond this are not issued (counted as behind), so an overloaded service is not buried. */
  maxInFlight: number;
  /** Write n: a change of `record` (one no write is under way for; every second write has one), else a creation. */
  write: (n: number, record: R | undefined) => Promise<R>;
  /** The version of the record's row as another reader of the read model sees it, if it has one. */
  rowVersion: (id: string) => Promise<number | undefined>;
  /** Messages the stream's read-model consumer has not acknowledged yet. */
  backlog: () => Promise<number>;
  log: (message: string) => void;
  visibleTimeoutMs?: number;
  drainTimeoutMs?: number;
}

export interface LatencySummary {
  n: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  text: string;
}

export interface ProjectionLagResult {
  rate: number;
  seconds: number;
  maxInFlight: number;
  acked: number;
  elapsedSeconds: number;
  errors: Map<string, number>;
  behind: number;
  write: LatencySummary;
  visible: LatencySummary;
  missing: number;
  visibleTimeoutMs: number;
  backlog: { p50: number | undefined; p99: number | undefined; max: number | undefined };
  /** Seconds the consumer took to drain after the load; undefined when it did not within the drain timeout. */
  drainSeconds: number | undefined;
  left: number;
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

export function latencySummary(latencies: readonly number[]): LatencySummary {
  const sorted = [...latencies].sort((a, b) => a - b);
  const f = (v: number) => (Number.isFinite(v) ? v.toFixed(1) : '-');
  const [p50, p95, p99, max] = [percentile(sorted, 50), percentile(sorted, 95), percentile(sorted, 99), sorted.at(-1)];
  return {
    n: sorted.length,
    p50,
    p95,
    p99,
    max: max ?? NaN,
    text: `p50 ${f(p50)} ms  p95 ${f(p95)} ms  p99 ${f(p99)} ms  max ${f(max ?? NaN)} ms  (n=${sorted.length})`,
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function measureProjectionLag<R extends LagRecord>(
  options: ProjectionLagOptions<R>,
): Promise<ProjectionLagResult> {
  const { rate, seconds, maxInFlight, log } = options;
  const visibleTimeoutMs = options.visibleTimeoutMs ?? 30_000;
  const drainTimeoutMs = options.drainTimeoutMs ?? 300_000;
  const writeLatency: number[] = [];
  const visibleLatency: number[] = [];
  const errors = new Map<string, number>();
  let missing = 0;
  let issued = 0;
  let acked = 0;
  let inFlight = 0;
  let behind = 0;
  const idle: R[] = []; // records no write is under way for
  const watchers = new Set<Promise<unknown>>();

  const seeRow = async (id: string, version: number, ackedAt: number): Promise<void> => {
    for (;;) {
      if (((await options.rowVersion(id)) ?? 0) >= version)
        return void visibleLatency.push(performance.now() - ackedAt);
      if (performance.now() - ackedAt > visibleTimeoutMs) return void missing++;
      await sleep(2);
    }
  };

  const writeOnce = async (n: number): Promise<void> => {
    const record =
      n % 2 === 1 && idle.length > 0 ? idle.splice(Math.floor(Math.random() * idle.length), 1)[0] : undefined;
    const started = performance.now();
    try {
      const answer = await options.write(n, record);
      const ackedAt = performance.now();
      writeLatency.push(ackedAt - started);
      acked++;
      const watcher: Promise<unknown> = seeRow(answer.id, answer.version, ackedAt).finally(() =>
        watchers.delete(watcher),
      );
      watchers.add(watcher);
      idle.push(answer);
    } catch (error) {
      const details = (error as { details?: string } | undefined)?.details ?? String(error);
      // gRPC deadline details carry per-call timings: counted as one kind.
      const key = details.startsWith('Deadline exceeded') ? 'Deadline exceeded' : details;
      errors.set(key, (errors.get(key) ?? 0) + 1);
      if (record) idle.push(record);
    }
  };

  const backlogSamples: number[] = [];
  const started = performance.now();
  const sampler = setInterval(() => {
    options.backlog().then(
      (n) => backlogSamples.push(n),
      () => undefined,
    );
    const elapsed = (performance.now() - started) / 1000;
    if (Math.round(elapsed) % 10 === 0)
      log(
        `${elapsed.toFixed(0)} s: ${acked} acknowledged (${(acked / elapsed).toFixed(0)}/s), in flight ${inFlight}, ` +
          `consumer backlog ${backlogSamples.at(-1) ?? '?'}`,
      );
  }, 1_000);
  const end = started + seconds * 1000;
  while (performance.now() < end) {
    const due = Math.floor(((performance.now() - started) / 1000) * rate);
    while (issued < due) {
      if (inFlight >= maxInFlight) {
        behind += due - issued;
        issued = due;
        break;
      }
      const n = issued++;
      inFlight++;
      void writeOnce(n).finally(() => inFlight--);
    }
    await sleep(2);
  }
  while (inFlight > 0) await sleep(10);
  const elapsedSeconds = (performance.now() - started) / 1000;
  clearInterval(sampler);
  await Promise.all([...watchers]);
  const drainStarted = performance.now();
  let left = await options.backlog();
  while (left > 0 && performance.now() - drainStarted < drainTimeoutMs) {
    await sleep(200);
    left = await options.backlog();
  }
  const sortedBacklog = [...backlogSamples].sort((x, y) => x - y);
  return {
    rate,
    seconds,
    maxInFlight,
    acked,
    elapsedSeconds,
    errors,
    behind,
    write: latencySummary(writeLatency),
    visible: latencySummary(visibleLatency),
    missing,
    visibleTimeoutMs,
    backlog: {
      p50: sortedBacklog[Math.floor(sortedBacklog.length / 2)],
      p99: sortedBacklog[Math.floor(sortedBacklog.length * 0.99)],
      max: sortedBacklog.at(-1),
    },
    drainSeconds: left === 0 ? (performance.now() - drainStarted) / 1000 : undefined,
    left,
  };
}

/** The result as the benchmarks print it. */
export function projectionLagReport(what: string, r: ProjectionLagResult): string {
  const errorCount = [...r.errors.values()].reduce((x, y) => x + y, 0);
  const errors = errorCount ? ` ${JSON.stringify(Object.fromEntries(r.errors))}` : '';
  const drained =
    r.drainSeconds !== undefined
      ? `${r.drainSeconds.toFixed(1)} s after the load`
      : `NOT within the drain timeout (${r.left} left)`;
  return [
    `\n${r.rate} ${what} writes/s asked for ${r.seconds} s, to instance A; rows read back on another connection pool:`,
    `  writes acknowledged: ${r.acked} (${(r.acked / r.elapsedSeconds).toFixed(1)}/s), errors ${errorCount}${errors}, ` +
      `not issued (over ${r.maxInFlight} in flight): ${r.behind}`,
    `  write latency       ${r.write.text}`,
    `  ack -> row visible  ${r.visible.text}; never seen within ${r.visibleTimeoutMs / 1000} s: ${r.missing}`,
    `  stream read-model consumer backlog (messages, sampled each second): p50 ${r.backlog.p50 ?? '-'}, ` +
      `p99 ${r.backlog.p99 ?? '-'}, max ${r.backlog.max ?? '-'}; drained ${drained}`,
  ].join('\n');
}
