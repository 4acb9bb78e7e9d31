import { isManagerOrAdmin, type Principal } from '@crm/service-kit';
import type { Precondition } from '../http/etag';
import type { ServiceClients } from '../grpc/service-clients';
import type { Downstream } from '../grpc/unary-call';
import { HttpProblem, problems } from '../http/problem';

/** The version to hand the service: the If-Match one, or for "*" (or an optional If-Match left out) the current one. */
export async function expectedVersion(precondition: Precondition, current: () => Promise<number>): Promise<number> {
  return precondition.kind === 'version' ? precondition.version : current();
}

/** Server-owned for reps and partners: only managers and admins name an owner or team (ARCHITECTURE.md). */
export function assertMayAssign(principal: Principal, body: { ownerId?: unknown; teamId?: unknown }): void {
  if (isManagerOrAdmin(principal)) return;
  const named = (['ownerId', 'teamId'] as const).filter((key) => body[key] !== undefined && body[key] !== null);
  if (named.length > 0)
    throw problems.badRequest(
      'Only managers and admins may set the owner or team',
      named.map((field) => ({ field, detail: 'is set by the server for your role' })),
    );
}

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
