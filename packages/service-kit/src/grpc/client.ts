import {
  credentials,
  InterceptingCall,
  Metadata,
  type CallOptions,
  type ChannelOptions,
  type Client,
  type Interceptor,
  type InterceptorOptions,
  type NextCall,
} from '@grpc/grpc-js';
import { currentTraceHeaders } from '../telemetry/propagation';
import type { CallContext } from './call-context';
import { ACTING_TENANT_METADATA } from './interceptors';
import { downstreamRequestKey, inRequestKeyScope, REQUEST_KEY_METADATA } from './request-key';

/** Only UNAVAILABLE is retried: every other failure is an answer, and retrying a write could apply it twice. */
export function retryServiceConfig(maxAttempts = 4): string {
  return JSON.stringify({
    methodConfig: [
      {
        name: [{}],
        retryPolicy: {
          maxAttempts,
          initialBackoff: '0.1s',
          maxBackoff: '1s',
          backoffMultiplier: 2,
          retryableStatusCodes: ['UNAVAILABLE'],
        },
      },
    ],
  });
}

export interface GrpcClientOptions {
  defaultDeadlineMs?: number;
  channelOptions?: ChannelOptions;
}

type ClientConstructor<C extends Client> = new (
  address: string,
  creds: ReturnType<typeof credentials.createInsecure>,
  options?: ChannelOptions,
) => C;

/** A client whose calls always have a deadline and carry the current trace context. */
export function createGrpcClient<C extends Client>(
  Ctor: ClientConstructor<C>,
  address: string,
  options: GrpcClientOptions = {},
): C {
  const defaultDeadlineMs = options.defaultDeadlineMs ?? 2000;
  return new Ctor(address, credentials.createInsecure(), {
    'grpc.service_config': retryServiceConfig(),
    'grpc.enable_retries': 1,
    'grpc.keepalive_time_ms': 30_000,
    interceptors: [defaultDeadlineInterceptor(defaultDeadlineMs), traceContextInterceptor, requestKeyInterceptor],
    ...options.channelOptions,
  });
}

// An interceptor with nothing to add hands back the next call itself instead of wrapping it: every wrapper is
// another layer each message and status of the call passes through. grpc-js types the result as its
// InterceptingCall class, but only uses the interface the next call already has.
const passThrough = (options: InterceptorOptions, nextCall: NextCall) => nextCall(options) as InterceptingCall;

function defaultDeadlineInterceptor(defaultDeadlineMs: number): Interceptor {
  return (options, nextCall) =>
    passThrough(
      options.deadline ? options : { ...options, deadline: new Date(Date.now() + defaultDeadlineMs) },
      nextCall,
    );
}

/** Interceptors run synchronously where the call starts, so the context read here is the one start() would see. */
const traceContextInterceptor: Interceptor = (options, nextCall) => {
  const headers = Object.entries(currentTraceHeaders());
  if (headers.length === 0) return passThrough(options, nextCall);
  return new InterceptingCall(nextCall(options), {
    start(metadata, listener, next) {
      for (const [key, value] of headers) if (!metadata.get(key).length) metadata.set(key, value);
      next(metadata, listener);
    },
  });
};

/** A call made while serving a keyed request carries a key derived from it (see request-key.ts). */
const requestKeyInterceptor: Interceptor = (options, nextCall) => {
  if (!inRequestKeyScope()) return passThrough(options, nextCall);
  return new InterceptingCall(nextCall(options), {
    start(metadata, listener, next) {
      if (!metadata.get(REQUEST_KEY_METADATA).length) {
        const key = downstreamRequestKey();
        if (key) metadata.set(REQUEST_KEY_METADATA, key);
      }
      next(metadata, listener);
    },
  });
};

/** Metadata and options for a call made on behalf of the caller: its token, and what remains of its deadline. */
export function onBehalfOf(ctx: Pick<CallContext, 'token' | 'deadline'> & { requestKey?: string }): {
  metadata: Metadata;
  options: Partial<CallOptions>;
} {
  const metadata = new Metadata();
  metadata.set('authorization', `Bearer ${ctx.token}`);
  if (ctx.requestKey) metadata.set(REQUEST_KEY_METADATA, ctx.requestKey);
  return { metadata, options: { deadline: ctx.deadline } };
}

/** Metadata for a service acting on its own (its client-credentials token) for one tenant. */
export function asService(token: string, tenantId: string): Metadata {
  const metadata = new Metadata();
  metadata.set('authorization', `Bearer ${token}`);
  metadata.set(ACTING_TENANT_METADATA, tenantId);
  return metadata;
}
