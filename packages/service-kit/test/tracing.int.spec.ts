import { spawn } from 'node:child_process';
import path from 'node:path';
import { SpanKind } from '@opentelemetry/api';
import { infraEnv, uniqueNamespace, userToken } from '@crm/testkit';

interface SpanRecord {
  name: string;
  kind: SpanKind;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
}

function runTraceProbe(env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(__dirname, 'fixtures/trace-probe.js')], {
      env: { ...process.env, ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('tracing', () => {
  it('follows one trace across a gRPC call, a NATS publish and its consumption', async () => {
    const infra = infraEnv();
    const namespace = uniqueNamespace('trace');
    const result = await runTraceProbe({
      MONGODB_URL: infra.mongoUrl,
      DB_NAME: `test_${namespace}`,
      NATS_URL: infra.natsUrl,
      NAMESPACE: namespace,
      OIDC_ISSUER: infra.issuer,
      TOKEN: await userToken('acme-admin'),
    });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const spans = JSON.parse(result.stdout.trim().split('\n').pop() ?? '[]') as SpanRecord[];

    const client = spans.find((s) => s.kind === SpanKind.CLIENT && s.name.includes('ProbeService/CreateThing'));
    const server = spans.find((s) => s.kind === SpanKind.SERVER && s.name.includes('ProbeService/CreateThing'));
    const insert = spans.find((s) => s.kind === SpanKind.CLIENT && s.name.startsWith('mongodb.insert'));
    const publish = spans.find(
      (s) => s.kind === SpanKind.PRODUCER && s.name === `publish ${namespace}.crm.thing.created`,
    );
    const consume = spans.find(
      (s) => s.kind === SpanKind.CONSUMER && s.name === `process ${namespace}.crm.thing.created`,
    );
    expect([client, server, insert, publish, consume].map((s) => s?.name)).not.toContain(undefined);

    const traceId = client?.traceId;
    for (const span of [server, insert, publish, consume]) expect(span?.traceId).toBe(traceId);
    expect(server?.parentSpanId).toBe(client?.spanId);
    expect(consume?.parentSpanId).toBe(publish?.spanId);
  });
});
