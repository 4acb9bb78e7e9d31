import type { Metadata } from '@grpc/grpc-js';
import type { Logger } from 'pino';
import type { Principal } from '../auth/principal';

/** What a handler knows about the call besides its request. */
export interface CallContext {
  principal: Principal;
  /** The caller's bearer token, forwarded on calls this handler makes to other services. */
  token: string;
  /** The caller's deadline (or the default); calls downstream get what remains of it. */
  deadline: Date;
  metadata: Metadata;
  log: Logger;
  /** Fires when the caller cancels or the deadline passes. */
  signal: AbortSignal;
}

export type UnaryHandler<Req, Res> = (request: Req, ctx: CallContext) => Promise<Res>;
