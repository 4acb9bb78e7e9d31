// Benchmark, not a test: with 50 concurrent clients, req/s and p50/p99 latency of
//   1. GET /api/v1/contacts/{id} through the gateway (auth, rate limits, validation, gRPC, JSON),
//   2. the same read as a direct gRPC call to the contact service,
//   3. a raw node:http "hello" (the floor of an HTTP round trip on this machine),
// each server in its own process, against the real infrastructure (`pnpm infra up`, `pnpm build` first).
// Run: pnpm --filter @crm/gateway bench   (BENCH_SECONDS, BENCH_CONCURRENCY to change the defaults)
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Agent, request as httpRequest } from 'node:http';
import { createServer } from 'node:net';
import { cpus } from 'node:os';
import path from 'node:path';
import { credentials, Metadata } from '@grpc/grpc-js';
import { ContactServiceClient } from '@crm/proto/crm/contact/v1/contact';

const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 50);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const WARMUP_SECONDS = 2;
const repoRoot = path.resolve(__dirname, '../..');
const issuer = `${(process.env.KEYCLOAK_URL ?? 'http://127.0.0.1:8180').replace(/\/$/, '')}/realms/crm`;

interface Result {
  name: string;
  /** CPU time the measured server processes spent per request, in µs: independent of what else runs. */
  cpuMicros: number;
  /** The same for the first of the measured processes alone (the gateway, where there are two). */
  firstCpuMicros: number;
  requests: number;
  errors: number;
  rps: number;
  p50: number;
  p99: number;
}

async function freePort(): Promise<number> {
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

const children: ChildProcess[] = [];
const exited: string[] = [];
let stopping = false;
function startProcess(
  name: string,
  script: string,
  cwd: string,
  env: Record<string, string>,
  nodeArgs: string[] = [],
): number {
  const child = spawn(process.execPath, [...nodeArgs, script], {
    cwd,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  child.stderr?.on('data', (d: Buffer) => process.stderr.write(`[${name}] ${d.toString()}`));
  // A server that dies while starting ends the run at once instead of after waitReady's minutes.
  child.once('exit', (code) => {
    if (!stopping) exited.push(`${name} exited with ${code}`);
  });
  children.push(child);
  return child.pid ?? 0;
}

async function waitReady(url: string): Promise<void> {
  // Generous: on a busy 2-core machine a process takes tens of seconds to load its modules.
  for (let i = 0; i < 720; i++) {
    if (exited.length) throw new Error(exited.join('; '));
    const ok = await fetch(url).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${url} not ready`);
}

async function token(): Promise<string> {
  const response = await fetch(`${issuer}/protocol/openid-connect/token`, {
    method: 'POST',
    body: new URLSearchParams({
      grant_type: 'password',
      client_id: 'crm-cli',
      username: 'acme-rep1',
      password: 'demo',
    }),
  });
  return ((await response.json()) as { access_token: string }).access_token;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

/** user + system CPU of the processes so far, in µs (from /proc: clock ticks of 10 ms). */
function cpuMicrosOf(pids: number[]): number {
  let ticks = 0;
  for (const pid of pids) {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    ticks += Number(fields[11]) + Number(fields[12]);
  }
  return ticks * 10_000;
}

/** Runs `once` from CONCURRENCY loops for SECONDS (after a warm-up), recording each latency and the servers' CPU. */
async function measure(name: string, servers: number[], once: () => Promise<boolean>): Promise<Result> {
  const run = async (seconds: number, record: boolean) => {
    const latencies: number[] = [];
    let errors = 0;
    const until = performance.now() + seconds * 1000;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (performance.now() < until) {
          const started = performance.now();
          const ok = await once().catch(() => false);
          if (!record) continue;
          if (ok) latencies.push(performance.now() - started);
          else errors++;
        }
      }),
    );
    return { latencies, errors };
  };
  await run(WARMUP_SECONDS, false);
  const started = performance.now();
  const cpuBefore = cpuMicrosOf(servers);
  const firstBefore = cpuMicrosOf(servers.slice(0, 1));
  const { latencies, errors } = await run(SECONDS, true);
  const cpu = cpuMicrosOf(servers) - cpuBefore;
  const firstCpu = cpuMicrosOf(servers.slice(0, 1)) - firstBefore;
  const elapsed = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    name,
    cpuMicros: cpu / Math.max(1, latencies.length + errors),
    firstCpuMicros: firstCpu / Math.max(1, latencies.length + errors),
    requests: latencies.length,
    errors,
    rps: latencies.length / elapsed,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
  };
}

function httpGetter(port: number, pathName: string, headers: Record<string, string>): () => Promise<boolean> {
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  return () =>
    new Promise((resolve) => {
      const req = httpRequest({ host: '127.0.0.1', port, path: pathName, headers, agent }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode === 200));
      });
      req.on('error', () => resolve(false));
      req.end();
    });
}

async function main(): Promise<void> {
  const namespace = `bench${Date.now().toString(36)}`;
  const [contactGrpc, contactAdmin, gatewayHttp, gatewayAdmin, helloPort] = await Promise.all([
    freePort(),
    freePort(),
    freePort(),
    freePort(),
    freePort(),
  ]);
  const common = {
    LOG_LEVEL: 'warn',
    NATS_URL: process.env.NATS_URL ?? 'nats://127.0.0.1:4222',
    NATS_NAMESPACE: namespace,
    OIDC_ISSUER: issuer,
  };
  const contactPid = startProcess(
    'contact',
    'dist/main.js',
    path.join(repoRoot, 'services/contact'),
    {
      ...common,
      SERVICE_NAME: 'contact',
      GRPC_PORT: String(contactGrpc),
      ADMIN_PORT: String(contactAdmin),
      MONGODB_URL: process.env.MONGODB_URL ?? 'mongodb://127.0.0.1:27017',
      MONGODB_DB: `bench_${namespace}`,
      POSTGRES_URL: process.env.POSTGRES_URL ?? 'postgres://crm@127.0.0.1:5433',
      POSTGRES_DB: `bench_${namespace}`,
      OIDC_CLIENT_ID: 'contact-service',
      OIDC_CLIENT_SECRET: 'contact-service-secret',
    },
    (process.env.BENCH_CONTACT_NODE_ARGS ?? '').split(' ').filter(Boolean),
  );
  const gatewayPid = startProcess(
    'gateway',
    'dist/main.js',
    path.join(repoRoot, 'gateway'),
    {
      ...common,
      SERVICE_NAME: 'gateway',
      HTTP_PORT: String(gatewayHttp),
      ADMIN_PORT: String(gatewayAdmin),
      CONTACT_GRPC_URL: `127.0.0.1:${contactGrpc}`,
      // Limits stay on (their KV round trips are part of the cost) but high enough not to refuse.
      RATE_LIMIT_CLIENT_BURST: '100000000',
      RATE_LIMIT_CLIENT_PER_SEC: '1000000',
      RATE_LIMIT_TENANT_BURST: '100000000',
      RATE_LIMIT_TENANT_PER_SEC: '1000000',
      // BENCH_GATEWAY_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/gateway-prof" shows where the gateway spends its time.
    },
    (process.env.BENCH_GATEWAY_NODE_ARGS ?? '').split(' ').filter(Boolean),
  );
  const hello = spawn(
    process.execPath,
    ['-e', `require('node:http').createServer((q, s) => s.end('hello')).listen(${helloPort}, '127.0.0.1')`],
    { stdio: 'ignore' },
  );
  children.push(hello);

  await Promise.all([
    waitReady(`http://127.0.0.1:${contactAdmin}/readyz`),
    waitReady(`http://127.0.0.1:${gatewayAdmin}/readyz`),
    waitReady(`http://127.0.0.1:${helloPort}/`),
  ]);
  const bearer = await token();
  // The kit's /readyz answers 200 before a service has registered its checks, so the first call may still fail.
  let created: Response | undefined;
  for (let attempt = 0; attempt < 60 && created?.status !== 201; attempt++) {
    if (attempt > 0) await new Promise((r) => setTimeout(r, 500));
    created = await fetch(`http://127.0.0.1:${gatewayHttp}/api/v1/contacts`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${bearer}`,
        'content-type': 'application/json',
        'idempotency-key': `bench-${namespace}`,
      },
      body: JSON.stringify({
        firstName: 'Bench',
        lastName: 'Mark',
        emails: [{ address: `bench-${namespace}@example.test` }],
      }),
    });
  }
  if (!created) throw new Error('no attempt made');
  if (created.status !== 201)
    throw new Error(`could not create the contact to read: ${created.status} ${await created.text()}`);
  const { id } = (await created.json()) as { id: string };
  const probe = await fetch(`http://127.0.0.1:${gatewayHttp}/api/v1/contacts/${id}`, {
    headers: { authorization: `Bearer ${bearer}` },
  });
  if (probe.status !== 200) throw new Error(`the read to measure fails: ${probe.status} ${await probe.text()}`);

  const grpc = new ContactServiceClient(`127.0.0.1:${contactGrpc}`, credentials.createInsecure());
  const metadata = new Metadata();
  metadata.set('authorization', `Bearer ${bearer}`);
  const viaGrpc = () =>
    new Promise<boolean>((resolve) =>
      grpc.getContact({ id, includeDeleted: false }, metadata, { deadline: Date.now() + 5000 }, (error) =>
        resolve(!error),
      ),
    );

  console.log(
    `benchmark: ${CONCURRENCY} concurrent clients, ${SECONDS} s each after ${WARMUP_SECONDS} s warm-up, on ${cpus().length} cores\n`,
  );
  const results = [
    await measure(
      'gateway  GET /api/v1/contacts/{id}',
      [gatewayPid, contactPid],
      httpGetter(gatewayHttp, `/api/v1/contacts/${id}`, { authorization: `Bearer ${bearer}` }),
    ),
    await measure('direct   gRPC ContactService.GetContact', [contactPid], viaGrpc),
    await measure('raw      node:http hello', [hello.pid ?? 0], httpGetter(helloPort, '/', {})),
    // The gateway's own share: token check, rate limits, JSON, without a call downstream.
    await measure(
      'gateway  GET /api/v1/me (no service call)',
      [gatewayPid],
      httpGetter(gatewayHttp, '/api/v1/me', { authorization: `Bearer ${bearer}` }),
    ),
  ];
  for (const r of results)
    console.log(
      `${r.name.padEnd(42)} ${r.rps.toFixed(0).padStart(7)} req/s   p50 ${r.p50.toFixed(2).padStart(7)} ms   p99 ${r.p99.toFixed(2).padStart(7)} ms   ${r.cpuMicros.toFixed(0).padStart(6)} µs CPU/req   (${r.requests} ok, ${r.errors} errors)`,
    );
  const [gateway, direct, raw, me] = results as [Result, Result, Result, Result];
  console.log(
    `\nCPU per contact read: gateway ${gateway.firstCpuMicros.toFixed(0)} µs + contact service ${(gateway.cpuMicros - gateway.firstCpuMicros).toFixed(0)} µs`,
  );
  // Throughput ratios depend on what else the machine runs; CPU per request does not (the servers' own CPU time
  // per request, so the ratio is the throughput ratio the servers would reach on an otherwise idle machine).
  console.log(
    `\nratios: gateway/direct gRPC throughput ${(gateway.rps / direct.rps).toFixed(2)}x, p50 ${(gateway.p50 / direct.p50).toFixed(2)}x, p99 ${(gateway.p99 / direct.p99).toFixed(2)}x, by CPU per request ${(direct.cpuMicros / gateway.cpuMicros).toFixed(2)}x`,
  );
  console.log(
    `        /me vs raw http     throughput ${(me.rps / raw.rps).toFixed(2)}x, p50 ${(me.p50 / raw.p50).toFixed(2)}x, p99 ${(me.p99 / raw.p99).toFixed(2)}x, by CPU per request ${(raw.cpuMicros / me.cpuMicros).toFixed(2)}x`,
  );
  grpc.close();
}

main()
  .catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  })
  .finally(() => {
    stopping = true;
    for (const child of children) child.kill('SIGTERM');
  });
