import path from 'node:path';
import {
  Server,
  ServerCredentials,
  type sendUnaryData,
  type ServerUnaryCall,
  type ServiceDefinition,
  type UntypedServiceImplementation,
} from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { ReflectionService } from '@grpc/reflection';
import { HealthImplementation, type ServingStatus } from 'grpc-health-check';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { TokenVerifier } from '../auth/token-verifier';
import type { CallContext, UnaryHandler } from './call-context';
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
import { rejectUnknownFields, StrictDecoding } from './strict-decoding';

type RequestOf<M> = M extends { requestDeserialize: (bytes: Buffer) => infer R } ? R : never;
type ResponseOf<M> = M extends { responseSerialize: (value: infer R) => Buffer } ? R : never;

/** Typed handlers for every method of a ts-proto service definition. */
export type ServiceHandlers<D> = { [K in keyof D]: UnaryHandler<RequestOf<D[K]>, ResponseOf<D[K]>> };

/** The .proto sources ship beside the generated code, for reflection. */
export const PROTO_ROOT = path.resolve(__dirname, '../../../proto/protos');

export interface GrpcServerOptions {
  log: Logger;
  verifier: TokenVerifier;
  metrics: Registry;
  defaultDeadlineMs?: number;
  /**
   * The service's contracts, relative to PROTO_ROOT (e.g. "crm/contact/v1/contact.proto") or absolute: reflection
   * describes them, and requests of the services they define are refused when they carry unknown fields.
   */
  reflectionProtos?: string[];
  /** Runs inside auth, around every handler; for cross-cutting concerns a service adds. */
  interceptors?: ServerInterceptor[];
}

export class GrpcServer {
  readonly server = new Server({ 'grpc.max_receive_message_length': 8 * 1024 * 1024 });
  readonly health = new HealthImplementation({ '': 'NOT_SERVING' });
  private readonly interceptors: ServerInterceptor[];
  private readonly serviceNames: string[] = [];
  private readonly strict: StrictDecoding | undefined;

  constructor(private readonly options: GrpcServerOptions) {
    this.interceptors = [
      loggingInterceptor(options.log, options.metrics),
      errorInterceptor(options.log),
      deadlineInterceptor(options.defaultDeadlineMs ?? 2000),
      authInterceptor(options.verifier),
      ...(options.interceptors ?? []),
    ];
    this.health.addToServer(this.server);
    if (options.reflectionProtos?.length) {
      const definition = loadSync(options.reflectionProtos, { includeDirs: [PROTO_ROOT], keepCase: true });
      new ReflectionService(definition).addToServer(this.server);
      this.strict = new StrictDecoding(options.reflectionProtos, [PROTO_ROOT]);
    }
  }

  /** Serves a service's unary methods; `name` is its full name, e.g. "crm.contact.v1.ContactService". */
  addService<D extends ServiceDefinition>(name: string, definition: D, handlers: ServiceHandlers<D>): void {
    const implementation: UntypedServiceImplementation = {};
    for (const [key, method] of Object.entries(definition)) {
      const handler = handlers[key as keyof D] as UnaryHandler<unknown, unknown>;
      implementation[method.originalName ?? key] = this.unary(name, key, handler);
    }
    this.server.addService(this.strictDefinition(name, definition), implementation);
    this.serviceNames.push(name);
  }

  /**
   * The definition with deserializers that note unknown fields, for a service registered on `server` by hand
   * (streaming methods); its handlers call `rejectUnknownFields(request)` first. addService does both itself.
   */
  strictDefinition<D extends ServiceDefinition>(name: string, definition: D): D {
    return this.strict ? this.strict.strictDefinition(name, definition) : definition;
  }

  async listen(port: number, host = '127.0.0.1'): Promise<number> {
    const bound = await new Promise<number>((resolve, reject) => {
      this.server.bindAsync(`${host}:${port}`, ServerCredentials.createInsecure(), (error, actual) =>
        error ? reject(error) : resolve(actual),
      );
    });
    this.setServing('SERVING');
    return bound;
  }

  setServing(status: ServingStatus): void {
    this.health.setStatus('', status);
    for (const name of this.serviceNames) this.health.setStatus(name, status);
  }

  /** Refuses new calls at once, lets calls in flight finish, and forces the rest closed after the grace period. */
  async shutdown(graceMs: number): Promise<void> {
    this.setServing('NOT_SERVING');
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.server.forceShutdown();
        resolve();
      }, graceMs);
      this.server.tryShutdown(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  private unary(service: string, method: string, handler: UnaryHandler<unknown, unknown>) {
    return (call: ServerUnaryCall<unknown, unknown>, callback: sendUnaryData<unknown>) => {
      const cancelled = new AbortController();
      call.on('cancelled', () => cancelled.abort());
      const deadline = call.getDeadline();
      const invocation: Invocation = {
        service,
        method,
        metadata: call.metadata,
        clientDeadline:
          deadline instanceof Date ? deadline : Number.isFinite(deadline) ? new Date(deadline) : undefined,
        cancelled: cancelled.signal,
        ctx: { metadata: call.metadata },
      };
      // Unknown fields are refused after authentication, before the handler sees anything.
      const requestKey = parseRequestKey(call.metadata.get(REQUEST_KEY_METADATA)[0]);
      chain(this.interceptors, invocation, () => {
        rejectUnknownFields(call.request);
        return withRequestKey(requestKey, () => handler(call.request, this.contextOf(invocation)));
      })
        .then((response) => callback(null, response))
        .catch((error: unknown) => callback(toGrpcStatus(error)));
    };
  }

  private contextOf(invocation: Invocation): CallContext {
    const { principal, token, deadline, signal, metadata } = invocation.ctx;
    if (!principal || !token || !deadline || !signal || !metadata)
      throw new Error('interceptor chain did not complete the call context');
    return {
      principal,
      token,
      deadline,
      signal,
      metadata,
      log: this.options.log.child({ method: invocation.method, tenant: principal.tenantId }),
    };
  }
}
