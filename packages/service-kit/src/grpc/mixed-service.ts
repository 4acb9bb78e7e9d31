// The GrpcServer's addService serves unary methods; a service with client-streaming (imports) or server-streaming
// (exports) methods registers it here, through the same interceptor chain: logging, error mapping, the deadline
// where one applies, auth. Handlers call `rejectUnknownFields(request)` and register with `strictDefinition`.
import { once } from 'node:events';
import type {
  sendUnaryData,
  ServerReadableStream,
  ServerUnaryCall,
  ServerWritableStream,
  ServiceDefinition,
  UntypedHandleCall,
  UntypedServiceImplementation,
} from '@grpc/grpc-js';
import type { ServiceDeps } from '../runtime/service-runtime';
import type { CallContext } from './call-context';
import {
  authInterceptor,
  chain,
  deadlineInterceptor,
  errorInterceptor,
  loggingInterceptor,
  type Invocation,
  type ServerInterceptor,
} from './interceptors';
import { parseRequestKey, REQUEST_KEY_METADATA, withRequestKey } from './request-key';
import { toGrpcStatus } from './status';

export type UnaryFn<Req, Res> = (request: Req, ctx: CallContext) => Promise<Res>;
export type ClientStreamFn<Req, Res> = (requests: AsyncIterable<Req>, ctx: CallContext) => Promise<Res>;
export type ServerStreamFn<Req, Res> = (request: Req, ctx: CallContext) => AsyncIterable<Res>;

// Requests arrive decoded by the definition's deserializer, so the handler's request type is trusted here.
export type MixedHandler =
  | { kind: 'unary'; fn: UnaryFn<unknown, unknown> }
  | { kind: 'client-stream'; fn: ClientStreamFn<unknown, unknown> }
  | { kind: 'server-stream'; fn: ServerStreamFn<unknown, unknown> };

export const unary = <Req, Res>(fn: UnaryFn<Req, Res>): MixedHandler => ({
  kind: 'unary',
  fn: fn as unknown as UnaryFn<unknown, unknown>,
});
export const clientStream = <Req, Res>(fn: ClientStreamFn<Req, Res>): MixedHandler => ({
  kind: 'client-stream',
  fn: fn as unknown as ClientStreamFn<unknown, unknown>,
});
export const serverStream = <Req, Res>(fn: ServerStreamFn<Req, Res>): MixedHandler => ({
  kind: 'server-stream',
  fn: fn as unknown as ServerStreamFn<unknown, unknown>,
});

/** What registering a service by hand needs from the kit's runtime. */
export type StreamingDeps = Pick<ServiceDeps, 'log' | 'metrics' | 'verifier' | 'config' | 'grpc'>;

/** Streams run as long as the client allows; with no client deadline they get this long. */
const STREAM_DEFAULT_MS = 60 * 60_000;

export function addMixedService(
  deps: StreamingDeps,
  name: string,
  definition: ServiceDefinition,
  handlers: Record<string, MixedHandler>,
): void {
  const base: ServerInterceptor[] = [loggingInterceptor(deps.log, deps.metrics), errorInterceptor(deps.log)];
  const auth = authInterceptor(deps.verifier);
  const implementation: UntypedServiceImplementation = {};
  for (const [key, method] of Object.entries(definition)) {
    const handler = handlers[key];
    if (!handler) throw new Error(`no handler for ${name}/${key}`);
    const interceptors =
      handler.kind === 'unary'
        ? [...base, deadlineInterceptor(deps.config.GRPC_DEFAULT_DEADLINE_MS), auth]
        : [...base, auth];
    implementation[method.originalName ?? key] = wrap(name, key, handler, interceptors, deps);
  }
  deps.grpc.server.addService(definition, implementation);
}

function wrap(
  service: string,
  method: string,
  handler: MixedHandler,
  interceptors: ServerInterceptor[],
  deps: StreamingDeps,
): UntypedHandleCall {
  return handlerFor(service, method, handler, interceptors, deps) as UntypedHandleCall;
}

function handlerFor(
  service: string,
  method: string,
  handler: MixedHandler,
  interceptors: ServerInterceptor[],
  deps: StreamingDeps,
) {
  const start = (call: {
    metadata: ServerUnaryCall<unknown, unknown>['metadata'];
    getDeadline: () => Date | number;
    on: (e: 'cancelled', l: () => void) => unknown;
  }): Invocation => {
    const cancelled = new AbortController();
    call.on('cancelled', () => cancelled.abort());
    const deadline = call.getDeadline();
    return {
      service,
      method,
      metadata: call.metadata,
      clientDeadline: deadline instanceof Date ? deadline : Number.isFinite(deadline) ? new Date(deadline) : undefined,
      cancelled: cancelled.signal,
      ctx: { metadata: call.metadata },
    };
  };
  const context = (invocation: Invocation): CallContext => {
    const { principal, token, metadata } = invocation.ctx;
    if (!principal || !token || !metadata) throw new Error('interceptor chain did not complete the call context');
    const deadline = invocation.ctx.deadline ?? invocation.clientDeadline ?? new Date(Date.now() + STREAM_DEFAULT_MS);
    const signal = invocation.ctx.signal ?? invocation.cancelled;
    return {
      principal,
      token,
      metadata,
      deadline,
      signal,
      log: deps.log.child({ method, tenant: principal.tenantId }),
    };
  };
  switch (handler.kind) {
    case 'unary':
      return (call: ServerUnaryCall<unknown, unknown>, callback: sendUnaryData<unknown>) => {
        const invocation = start(call);
        // Like GrpcServer: the caller's request key reaches the handler, so a retried write applies once.
        const requestKey = parseRequestKey(call.metadata.get(REQUEST_KEY_METADATA)[0]);
        chain(interceptors, invocation, () =>
          withRequestKey(requestKey, () => handler.fn(call.request, context(invocation))),
        )
          .then((response) => callback(null, response))
          .catch((error: unknown) => callback(toGrpcStatus(error)));
      };
    case 'client-stream':
      return (call: ServerReadableStream<unknown, unknown>, callback: sendUnaryData<unknown>) => {
        const invocation = start(call);
        chain(interceptors, invocation, () => handler.fn(call as AsyncIterable<unknown>, context(invocation)))
          .then((response) => callback(null, response))
          .catch((error: unknown) => callback(toGrpcStatus(error)));
      };
    case 'server-stream':
      return (call: ServerWritableStream<unknown, unknown>) => {
        const invocation = start(call);
        chain(interceptors, invocation, async () => {
          for await (const message of handler.fn(call.request, context(invocation))) {
            if (call.cancelled) return;
            // Back-pressure: wait for the client to take what is buffered.
            if (!call.write(message)) await once(call, 'drain');
          }
        })
          .then(() => call.end())
          .catch((error: unknown) => call.emit('error', toGrpcStatus(error)));
      };
  }
}
