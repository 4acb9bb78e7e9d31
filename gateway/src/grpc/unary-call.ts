import type { CallOptions, ClientUnaryCall, Metadata, ServiceError as GrpcServiceError } from '@grpc/grpc-js';
import { fromGrpcError, isGrpcError, onBehalfOf } from '@crm/service-kit/edge';
import { HttpProblem } from '../http/problem';
import { problemFromServiceError } from './grpc-problem';

/** What a call downstream needs from the HTTP request: the caller's token, its deadline, and its cancellation. */
export interface Downstream {
  token: string;
  deadline: Date;
  signal: AbortSignal;
  /**
   * Runs `cancel` when the request's signal would abort, without making the signal: returns what stops watching.
   * Cheaper than an AbortController and an event listener per call; absent, callUnary watches `signal`.
   */
  onCancel?: (cancel: () => void) => () => void;
  /**
   * The request's idempotency key, when it has one (request-key.ts in the kit), and how many calls carried it:
   * each call gets a key of its own, the same on a retry as long as the route makes its calls in the same order.
   */
  requestKey?: { key: string; calls: number };
}

/** The key the next call of this request carries, if the request has one. */
export function nextCallKey(downstream: Downstream): string | undefined {
  if (!downstream.requestKey) return undefined;
  downstream.requestKey.calls += 1;
  return `${downstream.requestKey.key}/${downstream.requestKey.calls}`;
}

/** A generated client's unary method, bound to its client (its last overload is the one inferred). */
export type UnaryMethod<Req, Res> = (
  request: Req,
  metadata: Metadata,
  options: Partial<CallOptions>,
  callback: (error: GrpcServiceError | null, response: Res) => void,
) => ClientUnaryCall;

/**
 * Calls on behalf of the caller (its token, what remains of the request's deadline), cancels the call when the
 * HTTP client goes away, and turns a gRPC failure into the problem the ARCHITECTURE.md table gives.
 */
export function callUnary<Req, Res>(downstream: Downstream, method: UnaryMethod<Req, Res>, request: Req): Promise<Res> {
  if (downstream.deadline.getTime() <= Date.now())
    return Promise.reject(new HttpProblem(504, 'The request ran out of time'));
  const { metadata, options } = onBehalfOf({ ...downstream, requestKey: nextCallKey(downstream) });
  return new Promise<Res>((resolve, reject) => {
    let stopWatching = () => {};
    const call = method(request, metadata, options, (error, response) => {
      stopWatching();
      if (error) reject(toProblem(error));
      else resolve(response);
    });
    const cancel = () => call.cancel();
    if (downstream.onCancel) stopWatching = downstream.onCancel(cancel);
    else {
      const signal = downstream.signal;
      signal.addEventListener('abort', cancel, { once: true });
      stopWatching = () => signal.removeEventListener('abort', cancel);
    }
  });
}

export function toProblem(error: unknown): unknown {
  return isGrpcError(error) ? problemFromServiceError(fromGrpcError(error)) : error;
}
