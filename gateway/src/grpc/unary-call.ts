import type { CallOptions, ClientUnaryCall, Metadata, ServiceError as GrpcServiceError } from '@grpc/grpc-js';
import { fromGrpcError, isGrpcError, onBehalfOf } from '@crm/service-kit';
import { HttpProblem } from '../http/problem';
import { problemFromServiceError } from './grpc-problem';

/** What a call downstream needs from the HTTP request: the caller's token, its deadline, and its cancellation. */
export interface Downstream {
  token: string;
  deadline: Date;
  signal: AbortSignal;
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
  const { metadata, options } = onBehalfOf(downstream);
  return new Promise<Res>((resolve, reject) => {
    const call = method(request, metadata, options, (error, response) => {
      downstream.signal.removeEventListener('abort', cancel);
      if (error) reject(toProblem(error));
      else resolve(response);
    });
    const cancel = () => call.cancel();
    downstream.signal.addEventListener('abort', cancel, { once: true });
  });
}

export function toProblem(error: unknown): unknown {
  return isGrpcError(error) ? problemFromServiceError(fromGrpcError(error)) : error;
}
