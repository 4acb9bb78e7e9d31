import type { Precondition } from '../http/etag';
import type { ServiceClients } from '../grpc/service-clients';
import type { Downstream } from '../grpc/unary-call';
import { HttpProblem } from '../http/problem';

/** The version to hand the service: the If-Match one, or for "*" (or an optional If-Match left out) the current one. */
export async function expectedVersion(precondition: Precondition, current: () => Promise<number>): Promise<number> {
  return precondition.kind === 'version' ? precondition.version : current();
}

/** What the services' ownership rule (the kit's resolveOwnership) allows, for the routes that take ownerId/teamId. */
export const OWNERSHIP_RULE =
  'ownerId/teamId: anyone may name themselves and one of their own teams; managers may give the record to someone ' +
  'else within their teams, admins to anyone in any team; anything else is 400 naming ownerId or teamId.';

export function dateOrUndefined(value: string | undefined): Date | undefined {
  return value === undefined ? undefined : new Date(value);
}

export function required<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`the service answered without ${what}`);
  return value;
}

/** The gateway's own token, for public routes: their caller has none, and only the gateway may act for them. */
export async function asGateway(clients: ServiceClients, downstream: Downstream): Promise<Downstream> {
  if (!clients.serviceToken)
    throw new HttpProblem(503, 'Not available: the gateway has no service client (OIDC_CLIENT_ID/OIDC_CLIENT_SECRET)');
  return { ...downstream, token: await clients.serviceToken.getToken() };
}
