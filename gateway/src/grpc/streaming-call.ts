import type {
  CallOptions,
  ClientReadableStream,
  ClientWritableStream,
  Metadata,
  ServiceError as GrpcServiceError,
} from '@grpc/grpc-js';
import { onBehalfOf } from '@crm/service-kit/edge';
import { HttpProblem } from '../http/problem';
import { nextCallKey, toProblem, type Downstream } from './unary-call';

export type ClientStreamMethod<Req, Res> = (
  metadata: Metadata,
  options: Partial<CallOptions>,
  callback: (error: GrpcServiceError | null, response: Res) => void,
) => ClientWritableStream<Req>;
export type ServerStreamMethod<Req, Res> = (
  request: Req,
  metadata?: Metadata,
  options?: Partial<CallOptions>,
) => ClientReadableStream<Res>;

/** Writes the messages in order (respecting back-pressure), then waits for the single answer. */
export function callClientStream<Req, Res>(
  downstream: Downstream,
  method: ClientStreamMethod<Req, Res>,
  messages: Iterable<Req>,
): Promise<Res> {
  if (downstream.deadline.getTime() <= Date.now())
    return Promise.reject(new HttpProblem(504, 'The request ran out of time'));
  const { metadata, options } = onBehalfOf({ ...downstream, requestKey: nextCallKey(downstream) });
  return new Promise<Res>((resolve, reject) => {
    const call = method(metadata, options, (error, response) => (error ? reject(toProblem(error)) : resolve(response)));
    void (async () => {
      for (const message of messages) {
        if (!call.write(message)) await new Promise((r) => call.once('drain', r));
      }
      call.end();
    })();
  });
}

/** Opens a server stream on behalf of the caller; its errors become problems. */
export function openServerStream<Req, Res>(
  downstream: Downstream,
  method: ServerStreamMethod<Req, Res>,
  request: Req,
): ClientReadableStream<Res> {
  const { metadata, options } = onBehalfOf({ ...downstream, requestKey: nextCallKey(downstream) });
  const call = method(request, metadata, options);
  downstream.signal.addEventListener('abort', () => call.cancel(), { once: true });
  return call;
}
