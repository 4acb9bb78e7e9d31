// Every service under services/ and the gateway as real OS processes on ports of their own (never the fixed app
// ports), with their own NATS namespace and databases, against the infrastructure the caller names. Used by the
// fuzzing, load, memory and fault suites; the fault suite restarts and kills the processes it gets from here.
import { spawn } from 'node:child_process';
import { mkdirSync, openSync, closeSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { discoverApps, parseEnvFile } from '../../deploy/local/lib/apps.mjs';
import { grpcUrlEnvName, HOST } from '../../deploy/local/ports.mjs';
import { repoRoot } from '../../deploy/local/lib/paths.mjs';

export async function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, HOST, () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** The dev realm's confidential client of an app (deploy/keycloak). */
function devClient(app) {
  const clientId = app.kind === 'gateway' ? 'crm-gateway' : `${app.name}-service`;
  return { OIDC_CLIENT_ID: clientId, OIDC_CLIENT_SECRET: `${clientId}-secret` };
}

export async function waitReady(url, { timeoutMs = 240_000, alive = () => true } = {}) {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (!alive()) throw new Error(`${url}: the process exited before it was ready`);
    const ok = await fetch(url, { signal: AbortSignal.timeout(2000) }).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    await sleep(250);
  }
  throw new Error(`${url} not ready within ${timeoutMs / 1000} s`);
}

/** One app process: started, stopped, killed and restarted with the same ports and environment. */
class AppProcess {
  constructor(app, env, logFile) {
    this.name = app.name;
    this.kind = app.kind;
    this.dir = app.dir;
    this.env = env;
    this.logFile = logFile;
    this.child = undefined;
    this.exits = [];
  }

  get pid() {
    return this.child?.pid;
  }

  get adminUrl() {
    return `http://${HOST}:${this.env.ADMIN_PORT}`;
  }

  get running() {
    return Boolean(this.child && this.child.exitCode === null && this.child.signalCode === null);
  }

  start() {
    const fd = openSync(this.logFile, 'a');
    try {
      this.child = spawn(process.execPath, ['dist/main.js'], {
        cwd: this.dir,
        env: this.env,
        stdio: ['ignore', fd, fd],
      });
    } finally {
      closeSync(fd);
    }
    const child = this.child;
    child.once('exit', (code, signal) => this.exits.push({ code, signal, at: Date.now() }));
    return child.pid;
  }

  async ready(timeoutMs) {
    const child = this.child;
    await waitReady(`${this.adminUrl}/readyz`, {
      timeoutMs,
      alive: () => child.exitCode === null && child.signalCode === null,
    });
  }

  signal(name) {
    if (this.running) this.child.kill(name);
  }

  async waitExit(timeoutMs = 30_000) {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    await Promise.race([new Promise((resolve) => child.once('exit', resolve)), sleep(timeoutMs)]);
  }

  async stop() {
    if (!this.running) return;
    this.signal('SIGTERM');
    await this.waitExit(30_000);
    if (this.running) {
      this.signal('SIGKILL');
      await this.waitExit(10_000);
    }
  }
}

/**
 * Starts the services, then the gateway, and waits until each answers /readyz.
 * @param {object} options
 * @param {Record<string,string>} options.infra NATS_URL, MONGODB_URL, POSTGRES_URL, OIDC_ISSUER of the servers to use
 * @param {string} options.namespace NATS namespace and database-name stem
 * @param {string} options.logDir where each app's log goes
 * @param {Record<string,string>} [options.env] added to every app's environment
 * @param {Record<string,string>} [options.gatewayEnv] added to the gateway's
 */
export async function startPrivateStack({ infra, namespace, logDir, env = {}, gatewayEnv = {}, say = () => {} }) {
  mkdirSync(logDir, { recursive: true });
  const apps = discoverApps();
  const ports = new Map();
  for (const app of apps) {
    ports.set(app.name, {
      main: await freePort(),
      admin: await freePort(),
    });
  }
  const grpcUrls = {};
  for (const app of apps.filter((a) => a.kind === 'service'))
    grpcUrls[grpcUrlEnvName(app.name)] = `${HOST}:${ports.get(app.name).main}`;
  const example = parseEnvFile(join(repoRoot, '.env.example'));
  const processes = apps.map((app) => {
    const own = ports.get(app.name);
    const appEnv = {
      ...process.env,
      ...example,
      LOG_LEVEL: 'warn',
      ...infra,
      ...grpcUrls,
      NATS_NAMESPACE: namespace,
      SERVICE_NAME: app.name,
      ADMIN_PORT: String(own.admin),
      ...devClient(app),
      ...env,
      ...(app.kind === 'gateway'
        ? { HTTP_PORT: String(own.main), ...gatewayEnv }
        : {
            GRPC_PORT: String(own.main),
            MONGODB_DB: `${namespace}_${app.name}`,
            POSTGRES_DB: `${namespace}_${app.name}`,
          }),
    };
    return new AppProcess(app, appEnv, join(logDir, `${app.name}.log`));
  });
  const services = processes.filter((p) => p.kind === 'service');
  const gateway = processes.find((p) => p.kind === 'gateway');
  const stack = {
    namespace,
    processes,
    services,
    gateway,
    gatewayUrl: `http://${HOST}:${ports.get('gateway').main}`,
    async stop() {
      await Promise.all(processes.map((p) => p.stop()));
    },
  };
  try {
    for (const p of services) p.start();
    for (const p of services) {
      await p.ready();
      say(`${p.name} ready (pid ${p.pid})`);
    }
    gateway.start();
    await gateway.ready();
    say(`gateway ready on ${stack.gatewayUrl} (pid ${gateway.pid})`);
  } catch (error) {
    await stack.stop();
    throw error;
  }
  return stack;
}
