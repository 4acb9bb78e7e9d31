// What the gateway's middleware attach to a request, in one place.
import type { Principal } from '@crm/service-kit/edge';

declare module 'express-serve-static-core' {
  interface Request {
    /** Set by requestId(): the caller's well-formed X-Request-Id or a new one. */
    id: string;
    /** Set by authenticate(): the verified caller. */
    principal?: Principal;
    /** The caller's bearer token, forwarded to the services. */
    accessToken?: string;
    /** The body exactly as received, kept for the idempotency fingerprint. */
    rawBody?: Buffer;
    /** The caller's Idempotency-Key as claimed (scoped and hashed), sent to the services with the request. */
    requestKey?: string;
    /** When the whole request must be answered; gRPC calls get what remains. */
    deadline?: Date;
  }
}
