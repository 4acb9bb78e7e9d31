import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { connectMongo, dropDatabase } from '@crm/service-kit';
import { eventually, infraEnv, uniqueDbName, uniqueNamespace } from '@crm/testkit';

// The built entry point, as the stack runner and the container start it: `node dist/main.js`.
const MAIN = path.resolve(__dirname, '../dist/main.js');

function env(overrides: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const infra = infraEnv();
  return {
    PATH: process.env.PATH,
    SERVICE_NAME: 'pipeline',
    LOG_LEVEL: 'info',
    GRPC_PORT: '0',
    ADMIN_PORT: '0',
    MONGODB_URL: infra.mongoUrl,
    MONGODB_DB: uniqueDbName('pproc'),
    POSTGRES_URL: infra.postgresUrl,
    POSTGRES_DB: uniqueDbName('pproc'),
    NATS_URL: infra.natsUrl,
    NATS_NAMESPACE: uniqueNamespace('pproc'),
    OIDC_ISSUER: infra.issuer,
    OIDC_CLIENT_ID: 'pipeline-service',
    OIDC_CLIENT_SECRET: 'pipeline-service-secret',
    CONTACT_GRPC_URL: '127.0.0.1:50051',
    SHUTDOWN_GRACE_MS: '10000',
    ...overrides,
  };
}

function start(environment: NodeJS.ProcessEnv): {
  child: ChildProcess;
  stdout: () => string;
  exited: Promise<{ code: number | null; stderr: string }>;
} {
  const child = spawn(process.execPath, [MAIN], { env: environment, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return {
    child,
    stdout: () => stdout,
    exited: new Promise((resolve) => child.on('exit', (code) => resolve({ code, stderr }))),
  };
}

describe('the pipeline service process', () => {
  it('stops at start with a clear line when CONTACT_GRPC_URL is missing', async () => {
    const { exited } = start(env({ CONTACT_GRPC_URL: undefined }));
    const { code, stderr } = await exited;
    expect(code).toBe(1);
    expect(stderr.trim().split('\n')).toEqual(['config error: CONTACT_GRPC_URL: required']);
  });

  it('becomes ready, then on SIGTERM fails readiness and exits 0', async () => {
    const environment = env();
    const proc = start(environment);
    const adminPort = await eventually(
      () => {
        const started = proc
          .stdout()
          .split('\n')
          .find((line) => line.includes('"service started"'));
        return started ? (JSON.parse(started) as { adminPort: number }).adminPort : undefined;
      },
      30_000,
      100,
    );
    await eventually(
      async () => ((await fetch(`http://127.0.0.1:${adminPort}/readyz`)).status === 200 ? true : undefined),
      30_000,
      200,
    );
    proc.child.kill('SIGTERM');
    const { code } = await proc.exited;
    expect(code).toBe(0);
    expect(proc.stdout()).toContain('"shutdown complete"');
    const mongo = await connectMongo({ url: infraEnv().mongoUrl, dbName: environment.MONGODB_DB as string });
    await mongo.dropDatabase();
    await mongo.close();
    await dropDatabase(infraEnv().postgresUrl, environment.POSTGRES_DB as string);
  });
});
