import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { credentials, status } from '@grpc/grpc-js';
import { eventually, infraEnv, uniqueNamespace, userToken } from '@crm/testkit';
import { callProbe, probeDefinition } from './fixtures/probe-client';

const PROBE_SERVICE = path.join(__dirname, 'fixtures/probe-service.js');

interface Child {
  process: ChildProcess;
  exited: Promise<{ code: number | null; stderr: string }>;
}

function start(env: Record<string, string | undefined>): Child {
  const child = spawn(process.execPath, [PROBE_SERVICE], {
    env: { PATH: process.env.PATH, ...env } as NodeJS.ProcessEnv,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return { process: child, exited: new Promise((resolve) => child.on('exit', (code) => resolve({ code, stderr }))) };
}

function serviceEnv(grpcPort: number, adminPort: number): Record<string, string> {
  const infra = infraEnv();
  return {
    SERVICE_NAME: 'probe',
    LOG_LEVEL: 'warn',
    GRPC_PORT: String(grpcPort),
    ADMIN_PORT: String(adminPort),
    MONGODB_URL: infra.mongoUrl,
    MONGODB_DB: `test_${uniqueNamespace('proc')}`,
    NATS_URL: infra.natsUrl,
    NATS_NAMESPACE: uniqueNamespace('proc'),
    OIDC_ISSUER: infra.issuer,
    OIDC_CLIENT_ID: 'contact-service',
    OIDC_CLIENT_SECRET: 'contact-service-secret',
    SHUTDOWN_GRACE_MS: '10000',
  };
}

const randomPort = () => 40000 + Math.floor(Math.random() * 20000);

describe('a service process', () => {
  it('stops at start with one line per bad or missing variable', async () => {
    const env = serviceEnv(randomPort(), randomPort());
    const child = start({ ...env, GRPC_PORT: 'not-a-port', NATS_URL: undefined, OIDC_ISSUER: 'not a url' });
    const { code, stderr } = await child.exited;
    expect(code).toBe(1);
    const lines = stderr.trim().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines).toContain('config error: NATS_URL: required');
    expect(lines.some((l) => l.startsWith('config error: GRPC_PORT:'))).toBe(true);
    expect(lines.some((l) => l.startsWith('config error: OIDC_ISSUER:'))).toBe(true);
  });

  it('on SIGTERM finishes calls in flight, refuses new ones, fails readiness and exits 0', async () => {
    const grpcPort = randomPort();
    const adminPort = randomPort();
    const child = start(serviceEnv(grpcPort, adminPort));
    await eventually(
      async () => ((await fetch(`http://127.0.0.1:${adminPort}/readyz`)).status === 200 ? true : undefined),
      30_000,
      200,
    );
    const livez = await fetch(`http://127.0.0.1:${adminPort}/livez`);
    expect(livez.status).toBe(200);
    const metrics = await (await fetch(`http://127.0.0.1:${adminPort}/metrics`)).text();
    expect(metrics).toContain('process_cpu_seconds_total');

    const token = await userToken('acme-rep1');
    const ProbeService = probeDefinition();
    const client = new ProbeService(`127.0.0.1:${grpcPort}`, credentials.createInsecure());
    const inFlight = [1, 2, 3].map(() => callProbe(client, 'slow', { millis: 1500 }, token, 10_000));
    await new Promise((resolve) => setTimeout(resolve, 300));
    child.process.kill('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 200));

    const readyz = await fetch(`http://127.0.0.1:${adminPort}/readyz`).then(
      (r) => r.status,
      () => 'closed',
    );
    expect(readyz).toBe(503);
    const lateClient = new ProbeService(`127.0.0.1:${grpcPort}`, credentials.createInsecure());
    const late = await callProbe(lateClient, 'echo', { message: 'late' }, token, 1000).then(
      () => 'served',
      (e: { code: number }) => e.code,
    );
    expect(late).toBe(status.UNAVAILABLE);

    const results = await Promise.all(inFlight);
    expect(results.map((r) => r.message)).toEqual(['slept 1500', 'slept 1500', 'slept 1500']);
    const { code, stderr } = await child.exited;
    client.close();
    lateClient.close();
    expect(stderr).not.toMatch(/Error/);
    expect(code).toBe(0);
  });
});
