import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { collectDefaultMetrics, Registry } from 'prom-client';

export type ReadinessCheck = () => Promise<void>;

/** Facts /readyz shows beside its checks without failing on them, e.g. a consumer's lag. */
export type ReadinessDetail = () => Promise<unknown>;

export interface AdminServer {
  readonly metrics: Registry;
  /** Named dependency checks that /readyz runs: the store, NATS, the identity provider's keys. */
  addReadinessCheck(name: string, check: ReadinessCheck): void;
  addReadinessDetail(name: string, detail: ReadinessDetail): void;
  /** /readyz fails until this is called, once the process serves its API, so no traffic arrives before. */
  markReady(): void;
  /** Fails /readyz at once, e.g. on SIGTERM, so the load balancer stops sending work. */
  markNotReady(): void;
  listen(port: number, host?: string): Promise<number>;
  close(): Promise<void>;
}

const CHECK_TIMEOUT_MS = 2000;

export function createMetricsRegistry(service: string): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry });
  return registry;
}

export function createAdminServer(metrics: Registry): AdminServer {
  const checks = new Map<string, ReadinessCheck>();
  const details = new Map<string, ReadinessDetail>();
  let state: 'starting' | 'serving' | 'shutting down' = 'starting';

  const server: Server = createServer((req, res) => {
    const reply = (status: number, body: unknown, type = 'application/json') => {
      res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
      res.end(typeof body === 'string' ? body : JSON.stringify(body));
    };
    const url = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET') return reply(405, { status: 'method not allowed' });
    if (url === '/livez') return reply(200, { status: 'ok' });
    if (url === '/metrics') {
      metrics.metrics().then(
        (text) => reply(200, text, metrics.contentType),
        () => reply(500, { status: 'error' }),
      );
      return;
    }
    if (url === '/readyz') {
      if (state !== 'serving') return reply(503, { status: state });
      Promise.all([runChecks(checks), readDetails(details)]).then(([results, facts]) =>
        reply(Object.values(results).every((r) => r === 'ok') ? 200 : 503, {
          status: 'checked',
          checks: results,
          ...(details.size ? { details: facts } : {}),
        }),
      );
      return;
    }
    reply(404, { status: 'not found' });
  });

  return {
    metrics,
    addReadinessCheck: (name, check) => void checks.set(name, check),
    addReadinessDetail: (name, detail) => void details.set(name, detail),
    markReady: () => void (state = state === 'starting' ? 'serving' : state),
    markNotReady: () => void (state = 'shutting down'),
    listen: (port, host = '127.0.0.1') =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => resolve((server.address() as AddressInfo).port));
      }),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

async function runChecks(checks: Map<string, ReadinessCheck>): Promise<Record<string, string>> {
  const entries = await Promise.all(
    [...checks].map(async ([name, check]) => {
      try {
        await withTimeout(check(), CHECK_TIMEOUT_MS);
        return [name, 'ok'] as const;
      } catch {
        return [name, 'failing'] as const;
      }
    }),
  );
  return Object.fromEntries(entries);
}

async function readDetails(details: Map<string, ReadinessDetail>): Promise<Record<string, unknown>> {
  const entries = await Promise.all(
    [...details].map(async ([name, detail]) => {
      try {
        return [name, await withTimeout(detail(), CHECK_TIMEOUT_MS)] as const;
      } catch {
        return [name, 'unavailable'] as const;
      }
    }),
  );
  return Object.fromEntries(entries);
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('timed out')), ms)));
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
