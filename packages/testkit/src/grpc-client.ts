import { Metadata, type CallOptions, type Client, type ServiceError } from '@grpc/grpc-js';

type Callback<Res> = (error: ServiceError | null, response: Res) => void;
type UnaryOf<F> = F extends (
  request: infer Req,
  metadata: Metadata,
  options: Partial<CallOptions>,
  callback: Callback<infer Res>,
) => unknown
  ? { req: Req; res: Res }
  : never;

/** The unary methods of a ts-proto grpc-js client, as promise-returning functions of the request alone. */
export type BoundMethods<C> = {
  [K in keyof C as UnaryOf<C[K]> extends never ? never : K]: (
    request: UnaryOf<C[K]>['req'],
  ) => Promise<UnaryOf<C[K]>['res']>;
};

/** Calls made as one caller: every call carries its bearer token and a deadline. */
export function bindClient<C extends Client>(client: C, token: string, deadlineMs = 30_000): BoundMethods<C> {
  return new Proxy({} as BoundMethods<C>, {
    get(_target, method: string) {
      return (request: unknown) =>
        new Promise((resolve, reject) => {
          const metadata = new Metadata();
          metadata.set('authorization', `Bearer ${token}`);
          const fn = (
            client as unknown as Record<
              string,
              (r: unknown, m: Metadata, o: Partial<CallOptions>, cb: Callback<unknown>) => void
            >
          )[method];
          if (!fn) throw new Error(`no method ${method}`);
          fn.call(client, request, metadata, { deadline: new Date(Date.now() + deadlineMs) }, (error, response) =>
            error ? reject(error) : resolve(response),
          );
        });
    },
  });
}
