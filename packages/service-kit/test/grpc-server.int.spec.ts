import path from 'node:path';
import {
  loadPackageDefinition,
  credentials,
  Client,
  Metadata,
  status,
  type ServiceError as GrpcError,
} from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { protoPath as healthProtoPath } from 'grpc-health-check';
import pino from 'pino';
import { Registry } from 'prom-client';
import { infraEnv, userToken } from '@crm/testkit';
import {
  createTokenVerifier,
  fromGrpcError,
  GrpcServer,
  invalidArgument,
  jwksUrlOf,
  type CallContext,
  type ServiceHandlers,
} from '@crm/service-kit';
import { callProbe, PROBE_PROTO, probeDefinition } from './fixtures/probe-client';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('GrpcServer against real Keycloak tokens', () => {
  const env = infraEnv();
  const ProbeService = probeDefinition();
  let server: GrpcServer;
  let client: Client;
  let address: string;

  beforeAll(async () => {
    const verifier = createTokenVerifier({
      issuer: env.issuer,
      audience: 'crm-api',
      jwksUrl: jwksUrlOf({ OIDC_ISSUER: env.issuer, OIDC_JWKS_URL: undefined }),
    });
    server = new GrpcServer({
      log: pino({ level: 'silent' }),
      verifier,
      metrics: new Registry(),
      defaultDeadlineMs: 2000,
      reflectionProtos: [PROBE_PROTO],
    });
    const handlers = {
      Echo: async (request: { message: string }, ctx: CallContext) => ({
        message: request.message,
        tenantId: ctx.principal.tenantId,
        userId: ctx.principal.userId,
        roles: ctx.principal.roles,
      }),
      Slow: async (request: { millis: number }) => {
        await sleep(request.millis);
        return { message: 'slow done', tenantId: '', userId: '', roles: [] };
      },
      Reject: async () => {
        throw invalidArgument([{ field: 'emails[0].address', description: 'must be an email address' }]);
      },
      CreateThing: async () => {
        throw new Error('database password is hunter2');
      },
    } as unknown as ServiceHandlers<typeof ProbeService.service>;
    server.addService('crm.probe.v1.ProbeService', ProbeService.service, handlers);
    const port = await server.listen(0);
    address = `127.0.0.1:${port}`;
    client = new ProbeService(address, credentials.createInsecure());
  });

  afterAll(async () => {
    client.close();
    await server.shutdown(1000);
  });

  it('turns a real token into the principal the handler sees', async () => {
    const response = await callProbe(client, 'echo', { message: 'hi' }, await userToken('acme-rep1'));
    expect(response).toMatchObject({ message: 'hi', tenantId: 'acme', roles: ['sales-rep'] });
    expect(response.userId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('refuses a call without a token as UNAUTHENTICATED', async () => {
    await expect(callProbe(client, 'echo', { message: 'hi' })).rejects.toMatchObject({ code: status.UNAUTHENTICATED });
  });

  it('refuses a tampered token as UNAUTHENTICATED', async () => {
    const [header, payload, signature] = (await userToken('acme-rep1')).split('.');
    const claims = JSON.parse(Buffer.from(payload ?? '', 'base64url').toString()) as Record<string, unknown>;
    const forged = Buffer.from(JSON.stringify({ ...claims, tenant: 'globex' })).toString('base64url');
    await expect(
      callProbe(client, 'echo', { message: 'hi' }, `${header}.${forged}.${signature}`),
    ).rejects.toMatchObject({ code: status.UNAUTHENTICATED });
  });

  it('sends field violations as INVALID_ARGUMENT details that survive the hop', async () => {
    const error = await callProbe(client, 'reject', { message: 'x' }, await userToken('acme-rep1')).catch(
      (e: GrpcError) => e,
    );
    expect((error as GrpcError).code).toBe(status.INVALID_ARGUMENT);
    const mapped = fromGrpcError(error as GrpcError);
    expect(mapped.violations).toEqual([{ field: 'emails[0].address', description: 'must be an email address' }]);
  });

  it('refuses a request carrying a field its contract does not define, naming it, before the handler runs', async () => {
    const token = await userToken('acme-rep1');
    // EchoRequest {message = "hi"} followed by field 9 (varint 1), which the contract does not have.
    const bytes = Buffer.concat([Buffer.from([0x0a, 0x02, 0x68, 0x69]), Buffer.from([0x48, 0x01])]);
    const raw = new Client(address, credentials.createInsecure());
    const metadata = new Metadata();
    metadata.set('authorization', `Bearer ${token}`);
    const error = await new Promise<GrpcError>((resolve, reject) =>
      raw.makeUnaryRequest(
        '/crm.probe.v1.ProbeService/Echo',
        (b: Buffer) => b,
        (b: Buffer) => b,
        bytes,
        metadata,
        { deadline: new Date(Date.now() + 5000) },
        (e) => (e ? resolve(e) : reject(new Error('expected INVALID_ARGUMENT'))),
      ),
    );
    raw.close();
    expect(error.code).toBe(status.INVALID_ARGUMENT);
    expect(fromGrpcError(error).violations).toEqual([
      { field: '#9', description: expect.stringContaining('unknown fields are rejected') },
    ]);
    expect((await callProbe(client, 'echo', { message: 'hi' }, token)).message).toBe('hi');
  });

  it('answers an unexpected error as a bare INTERNAL without its message', async () => {
    const error = (await callProbe(client, 'createThing', { name: 'x' }, await userToken('acme-rep1')).catch(
      (e: GrpcError) => e,
    )) as GrpcError;
    expect(error.code).toBe(status.INTERNAL);
    expect(error.details).toBe('Internal error');
    expect(JSON.stringify(error.metadata.getMap())).not.toContain('hunter2');
  });

  it('answers DEADLINE_EXCEEDED when the handler outlives the caller deadline', async () => {
    const token = await userToken('acme-rep1');
    await expect(callProbe(client, 'slow', { millis: 1500 }, token, 300)).rejects.toMatchObject({
      code: status.DEADLINE_EXCEEDED,
    });
  });

  it('serves grpc.health.v1 as SERVING', async () => {
    const health = loadPackageDefinition(loadSync(healthProtoPath, { enums: String })) as unknown as {
      grpc: { health: { v1: { Health: new (a: string, c: ReturnType<typeof credentials.createInsecure>) => Client } } };
    };
    const healthClient = new health.grpc.health.v1.Health(address, credentials.createInsecure());
    const check = (
      healthClient as unknown as { check: (req: object, cb: (e: Error | null, r: { status: string }) => void) => void }
    ).check.bind(healthClient);
    const reply = await new Promise<{ status: string }>((resolve, reject) =>
      check({ service: '' }, (e, r) => (e ? reject(e) : resolve(r))),
    );
    healthClient.close();
    expect(reply.status).toBe('SERVING');
  });

  it('serves reflection listing its services', async () => {
    const reflectionProto = path.join(
      path.dirname(require.resolve('@grpc/reflection/package.json')),
      'build/proto/grpc/reflection/v1/reflection.proto',
    );
    const pkg = loadPackageDefinition(loadSync(reflectionProto, { keepCase: true })) as unknown as {
      grpc: {
        reflection: {
          v1: { ServerReflection: new (a: string, c: ReturnType<typeof credentials.createInsecure>) => Client };
        };
      };
    };
    const reflection = new pkg.grpc.reflection.v1.ServerReflection(address, credentials.createInsecure());
    const stream = (
      reflection as unknown as {
        serverReflectionInfo: () => NodeJS.ReadWriteStream & { end: () => void; write: (m: object) => void };
      }
    ).serverReflectionInfo();
    const reply = new Promise<{ list_services_response?: { service: Array<{ name: string }> } }>((resolve, reject) => {
      stream.on('data', resolve);
      stream.on('error', reject);
    });
    stream.write({ list_services: '*' });
    const services = (await reply).list_services_response?.service.map((s) => s.name) ?? [];
    stream.end();
    reflection.close();
    expect(services).toContain('crm.probe.v1.ProbeService');
  });
});
