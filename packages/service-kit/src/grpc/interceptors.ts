import type { Metadata } from '@grpc/grpc-js';
import type { Logger } from 'pino';
import { Histogram, type Registry } from 'prom-client';
import { bearerToken, type TokenVerifier } from '../auth/token-verifier';
import { hasRole } from '../auth/principal';
import { ServiceError } from '../errors/service-error';
import type { CallContext } from './call-context';

/** One call as it passes through the server's interceptor chain. */
export interface Invocation {
  service: string;
  method: string;
  metadata: Metadata;
  /** Deadline the client sent, if any. */
  clientDeadline: Date | undefined;
  /** Aborted when the client cancels. */
  cancelled: AbortSignal;
  ctx: Partial<CallContext>;
}

export type ServerInterceptor = (invocation: Invocation, next: () => Promise<unknown>) => Promise<unknown>;

/** Services acting on their own name the tenant they act for; only a crm-service principal may. */
export const ACTING_TENANT_METADATA = 'x-crm-tenant';

export function authInterceptor(verifier: TokenVerifier): ServerInterceptor {
  return async (invocation, next) => {
    const token = bearerToken(String(invocation.metadata.get('authorization')[0] ?? ''));
    if (!token) throw new ServiceError('UNAUTHENTICATED', 'missing bearer token');
    const principal = await verifier.verify(token);
    if (hasRole(principal, 'crm-service')) {
      const acting = String(invocation.metadata.get(ACTING_TENANT_METADATA)[0] ?? '');
      if (acting) principal.tenantId = acting;
    }
    invocation.ctx.principal = principal;
    invocation.ctx.token = token;
    return next();
  };
}

/** The handler works to the caller's deadline (or a default) and stops waiting for itself once it passes. */
export function deadlineInterceptor(defaultDeadlineMs: number): ServerInterceptor {
  return async (invocation, next) => {
    const deadline = invocation.clientDeadline ?? new Date(Date.now() + defaultDeadlineMs);
    const remaining = deadline.getTime() - Date.now();
    if (remaining <= 0) throw new ServiceError('DEADLINE_EXCEEDED', 'deadline exceeded');
    const signal = AbortSignal.any([invocation.cancelled, AbortSignal.timeout(remaining)]);
    invocation.ctx.deadline = deadline;
    invocation.ctx.signal = signal;
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new ServiceError('DEADLINE_EXCEEDED', 'deadline exceeded')), remaining);
    });
    try {
      return await Promise.race([next(), expired]);
    } finally {
      clearTimeout(timer);
    }
  };
}

/** Unexpected errors are logged here with their stack, and leave as a bare INTERNAL. */
export function errorInterceptor(log: Logger): ServerInterceptor {
  return async (invocation, next) => {
    try {
      return await next();
    } catch (error) {
      if (error instanceof ServiceError) throw error;
      log.error(
        { err: error, method: `${invocation.service}/${invocation.method}` },
        'unhandled error in gRPC handler',
      );
      throw new ServiceError('INTERNAL', 'Internal error');
    }
  };
}

export function loggingInterceptor(log: Logger, registry: Registry): ServerInterceptor {
  const histogram = existingOrNewHistogram(registry);
  return async (invocation, next) => {
    const started = process.hrtime.bigint();
    let code = 'OK';
    try {
      return await next();
    } catch (error) {
      code = error instanceof ServiceError ? error.code : 'INTERNAL';
      throw error;
    } finally {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      histogram.observe({ service: invocation.service, method: invocation.method, code }, seconds);
      const level =
        code === 'OK' || code === 'NOT_FOUND' || code === 'INVALID_ARGUMENT' || code === 'FAILED_PRECONDITION'
          ? 'debug'
          : 'info';
      log[level](
        {
          grpc: { service: invocation.service, method: invocation.method, code },
          tenant: invocation.ctx.principal?.tenantId,
          ms: Math.round(seconds * 1000),
        },
        'grpc call',
      );
    }
  };
}

function existingOrNewHistogram(registry: Registry): Histogram<'service' | 'method' | 'code'> {
  const name = 'grpc_server_handling_seconds';
  const existing = registry.getSingleMetric(name);
  if (existing) return existing as Histogram<'service' | 'method' | 'code'>;
  return new Histogram({
    name,
    help: 'gRPC server call latency by method and status',
    labelNames: ['service', 'method', 'code'],
    registers: [registry],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
  });
}

export function chain(
  interceptors: ServerInterceptor[],
  invocation: Invocation,
  handler: () => Promise<unknown>,
): Promise<unknown> {
  const run = (index: number): Promise<unknown> => {
    const interceptor = interceptors[index];
    return interceptor ? interceptor(invocation, () => run(index + 1)) : handler();
  };
  return run(0);
}
