// What the pipeline benchmarks share: the real services as separate processes (built dist/main.js, as the stack
// runner and the containers start them) on fresh databases and a fresh NATS namespace, real Keycloak tokens,
// percentiles, and clean-up. Needs `pnpm build` and the local infrastructure (`pnpm infra up`).
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const { connectMongo, dropDatabase } = require('@crm/service-kit');

const here = path.dirname(fileURLToPath(import.meta.url));
export const repoRoot = path.resolve(here, '../../../..');

export const infra = {
  mongoUrl: process.env.MONGODB_URL ?? 'mongodb://127.0.0.1:27017',
  postgresUrl: process.env.POSTGRES_URL ?? 'postgres://crm@127.0.0.1:5433',
  natsUrl: process.env.NATS_URL ?? 'nats://127.0.0.1:4222',
  issuer: `${(process.env.KEYCLOAK_URL ?? 'http://127.0.0.1:8180').replace(/\/$/, '')}/realms/crm`,
};

export const log = (...args) => console.log(`[bench ${new Date().toISOString().slice(11, 19)}]`, ...args);

// Percentiles as every benchmark prints them (the test kit's, shared with the projection-lag loop).
export const { percentile, latencySummary: summary } = require('@crm/testkit');

export async function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

export async function token(username) {
  const response = await fetch(`${infra.issuer}/protocol/openid-connect/token`, {
    method: 'POST',
    body: new URLSearchParams({ grant_type: 'password', client_id: 'crm-cli', username, password: 'demo' }),
  });
  if (!response.ok) throw new Error(`no token for ${username}: ${response.status} ${await response.text()}`);
  return (await response.json()).access_token;
}

export function subjectOf(jwt) {
  return JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString()).sub;
}

async function waitReady(url, name) {
  for (let i = 0; i < 480; i++) {
    const ok = await fetch(url).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${name} not ready at ${url}`);
}

/**
 * Starts `contacts` contact instances (at least one), `pipelines` pipeline instances and optionally the gateway,
 * each its own process, on one fresh namespace and fresh databases. Returns their addresses and a stop() that also
 * drops the databases. (The contact service's benchmarks use it too.)
 */
export async function startStack({
  contacts = 1,
  pipelines = 1,
  gateway = false,
  pipelineEnv = {},
  gatewayEnv = {},
  keep = false,
  name,
} = {}) {
  const namespace = name ?? `bench${Date.now().toString(36)}`;
  const db = { contact: `bench_${namespace}_contact`, pipeline: `bench_${namespace}_pipeline` };
  const children = [];
  const common = {
    PATH: process.env.PATH,
    LOG_LEVEL: 'warn',
    NATS_URL: infra.natsUrl,
    NATS_NAMESPACE: namespace,
    OIDC_ISSUER: infra.issuer,
    MONGODB_URL: infra.mongoUrl,
    POSTGRES_URL: infra.postgresUrl,
  };
  const start = (label, cwd, env) => {
    const child = spawn(process.execPath, ['dist/main.js'], {
      cwd,
      env: { ...common, ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    child.stderr.on('data', (d) => process.stderr.write(`[${label}] ${d}`));
    children.push(child);
  };
  const contactInstances = [];
  for (let i = 0; i < Math.max(1, contacts); i++) {
    const ports = { grpc: await freePort(), admin: await freePort() };
    start(i === 0 ? 'contact' : `contact-${i}`, path.join(repoRoot, 'services/contact'), {
      SERVICE_NAME: 'contact',
      GRPC_PORT: String(ports.grpc),
      ADMIN_PORT: String(ports.admin),
      MONGODB_DB: db.contact,
      POSTGRES_DB: db.contact,
      OIDC_CLIENT_ID: 'contact-service',
      OIDC_CLIENT_SECRET: 'contact-service-secret',
    });
    await waitReady(`http://127.0.0.1:${ports.admin}/readyz`, `contact-${i}`);
    contactInstances.push(ports);
  }
  const contact = contactInstances[0];
  const pipelineInstances = [];
  for (let i = 0; i < pipelines; i++) {
    const ports = { grpc: await freePort(), admin: await freePort() };
    start(`pipeline-${i}`, path.join(repoRoot, 'services/pipeline'), {
      SERVICE_NAME: 'pipeline',
      GRPC_PORT: String(ports.grpc),
      ADMIN_PORT: String(ports.admin),
      MONGODB_DB: db.pipeline,
      POSTGRES_DB: db.pipeline,
      OIDC_CLIENT_ID: 'pipeline-service',
      OIDC_CLIENT_SECRET: 'pipeline-service-secret',
      CONTACT_GRPC_URL: `127.0.0.1:${contact.grpc}`,
      ...pipelineEnv,
    });
    await waitReady(`http://127.0.0.1:${ports.admin}/readyz`, `pipeline-${i}`);
    pipelineInstances.push(ports);
  }
  let gatewayPorts;
  if (gateway) {
    gatewayPorts = { http: await freePort(), admin: await freePort() };
    start('gateway', path.join(repoRoot, 'gateway'), {
      SERVICE_NAME: 'gateway',
      HTTP_PORT: String(gatewayPorts.http),
      ADMIN_PORT: String(gatewayPorts.admin),
      CONTACT_GRPC_URL: `127.0.0.1:${contact.grpc}`,
      PIPELINE_GRPC_URL: `127.0.0.1:${pipelineInstances[0].grpc}`,
      OIDC_CLIENT_ID: 'crm-gateway',
      ...gatewayEnv,
    });
    await waitReady(`http://127.0.0.1:${gatewayPorts.admin}/readyz`, 'gateway');
  }
  return {
    namespace,
    db,
    contact,
    contacts: contactInstances,
    pipelines: pipelineInstances,
    gateway: gatewayPorts,
    async stop() {
      await Promise.all(
        children.map(
          (child) =>
            new Promise((resolve) => {
              if (child.exitCode !== null) return resolve();
              child.on('exit', resolve);
              child.kill('SIGTERM');
              setTimeout(() => child.kill('SIGKILL'), 30_000).unref();
            }),
        ),
      );
      if (keep) return log(`kept databases ${db.pipeline} (MongoDB and PostgreSQL), namespace ${namespace}`);
      for (const name of Object.values(db)) {
        const mongo = await connectMongo({ url: infra.mongoUrl, dbName: name });
        await mongo.dropDatabase();
        await mongo.close();
        await dropDatabase(infra.postgresUrl, name);
      }
    },
  };
}

/** Runs main, printing its error, and always stopping what it started. */
export function run(main) {
  const cleanups = [];
  main((fn) => cleanups.push(fn))
    .catch((error) => {
      console.error(error);
      process.exitCode = 1;
    })
    .finally(async () => {
      for (const fn of cleanups.reverse()) await fn().catch((e) => console.error('cleanup failed:', e));
      process.exit();
    });
}
