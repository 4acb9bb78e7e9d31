import {
  Metadata,
  Server,
  type CallOptions,
  ServerCredentials,
  status,
  type sendUnaryData,
  type ServerUnaryCall,
  type ServiceError as GrpcError,
} from '@grpc/grpc-js';
import { context, trace } from '@opentelemetry/api';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { createGrpcClient, onBehalfOf } from '@crm/service-kit';
import { probeDefinition } from './fixtures/probe-client';

type Reply = { message: string };
type Handler = (
  call: ServerUnaryCall<{ message: string; millis: number }, Reply>,
  callback: sendUnaryData<Reply>,
) => void;

/** A bare grpc-js server (no kit interceptors), so the test controls exactly what the client sees. */
async function startRawServer(handlers: Record<string, Handler>): Promise<{ address: string; stop: () => void }> {
  const server = new Server();
  server.addService(probeDefinition().service, handlers);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))),
  );
  return { address: `127.0.0.1:${port}`, stop: () => server.forceShutdown() };
}

function call(
  client: object,
  method: string,
  request: object,
  metadata = new Metadata(),
  options: Partial<CallOptions> = {},
): Promise<Reply> {
  const fn = (
    client as Record<
      string,
      (r: object, m: Metadata, o: Partial<CallOptions>, cb: (e: GrpcError | null, r: Reply) => void) => void
    >
  )[method];
  return new Promise((resolve, reject) =>
    fn?.call(client, request, metadata, options, (e, r) => (e ? reject(e) : resolve(r))),
  );
}

const unavailable = (message: string): Partial<GrpcError> => ({ code: status.UNAVAILABLE, details: message });

describe('createGrpcClient', () => {
  it('retries UNAVAILABLE through the service config and succeeds', async () => {
    let attempts = 0;
    const server = await startRawServer({
      Echo: (call, callback) =>
        ++attempts < 3 ? callback(unavailable('warming up')) : callback(null, { message: call.request.message }),
    });
    const client = createGrpcClient(probeDefinition(), server.address);
    const reply = await call(client, 'echo', { message: 'hello' });
    client.close();
    server.stop();
    expect(reply.message).toBe('hello');
    expect(attempts).toBe(3);
  });

  it('does not retry any other failure', async () => {
    let attempts = 0;
    const server = await startRawServer({
      Echo: (_call, callback) => (attempts++, callback({ code: status.ABORTED, details: 'conflict' })),
    });
    const client = createGrpcClient(probeDefinition(), server.address);
    const error = await call(client, 'echo', { message: 'x' }).catch((e: GrpcError) => e);
    client.close();
    server.stop();
    expect((error as GrpcError).code).toBe(status.ABORTED);
    expect(attempts).toBe(1);
  });

  it('gives every call a default deadline', async () => {
    let sawDeadline: unknown;
    const server = await startRawServer({
      Slow: (call, callback) => {
        sawDeadline = call.getDeadline();
        setTimeout(() => callback(null, { message: 'late' }), 1500);
      },
    });
    const client = createGrpcClient(probeDefinition(), server.address, { defaultDeadlineMs: 300 });
    const error = await call(client, 'slow', { millis: 1500 }).catch((e: GrpcError) => e);
    client.close();
    server.stop();
    expect((error as GrpcError).code).toBe(status.DEADLINE_EXCEEDED);
    // grpc-js hands the server the deadline as epoch milliseconds: about now + the 300 ms default.
    expect(typeof sawDeadline).toBe('number');
    expect(Math.abs((sawDeadline as number) - Date.now())).toBeLessThan(5_000);
  });

  it('forwards the caller token and remaining deadline, and adds the current trace context', async () => {
    let seen: Metadata | undefined;
    let seenDeadline: unknown;
    const server = await startRawServer({
      Echo: (call, callback) => (
        (seen = call.metadata),
        (seenDeadline = call.getDeadline()),
        callback(null, { message: 'ok' })
      ),
    });
    const client = createGrpcClient(probeDefinition(), server.address);
    const provider = new NodeTracerProvider();
    provider.register();
    const span = provider.getTracer('test').startSpan('caller');
    const callerDeadline = new Date(Date.now() + 7_000);
    const { metadata, options } = onBehalfOf({ token: 'abc.def.ghi', deadline: callerDeadline });
    await context.with(trace.setSpan(context.active(), span), () =>
      call(client, 'echo', { message: 'x' }, metadata, options),
    );
    span.end();
    await provider.shutdown();
    client.close();
    server.stop();
    expect(seen?.get('authorization')).toEqual(['Bearer abc.def.ghi']);
    expect(Math.abs((seenDeadline as number) - callerDeadline.getTime())).toBeLessThan(50);
    expect(String(seen?.get('traceparent')[0])).toContain(span.spanContext().traceId);
  });
});
