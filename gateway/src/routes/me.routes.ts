import { z } from 'zod';
import type { Principal } from '@crm/service-kit';
import { ACCESS, isAllowed } from '../auth/access-policy';
import { defineRoute, type Route } from '../http/route';
import { ok } from './common-responses';

const meSchema = z
  .object({
    userId: z.string(),
    tenantId: z.string(),
    clientId: z.string(),
    roles: z.array(z.string()),
    teamIds: z.array(z.string()),
    scopes: z.array(z.string()),
    permissions: z.record(z.string(), z.boolean()).meta({
      description: 'Which groups of operations the caller may use, e.g. for showing or hiding parts of a UI.',
    }),
  })
  .meta({ id: 'Me' });

// A principal comes from the verifier's cache, the same object for every request with its token; what it may do
// is worked out once for it.
const permissionsByPrincipal = new WeakMap<Principal, Record<string, boolean>>();
function permissionsOf(principal: Principal): Record<string, boolean> {
  let permissions = permissionsByPrincipal.get(principal);
  if (!permissions) {
    permissions = Object.fromEntries(
      Object.entries(ACCESS).map(([name, policy]) => [name, isAllowed(principal, policy)]),
    );
    permissionsByPrincipal.set(principal, permissions);
  }
  return permissions;
}

export const meRoutes: Route[] = [
  defineRoute({
    method: 'get',
    path: '/api/v1/me',
    operationId: 'getMe',
    summary: 'Who the caller is, as the API sees it',
    tag: 'Identity',
    access: ACCESS.anyone,
    responses: [ok(meSchema, 'The principal taken from the token')],
    handler: async ({ principal }) => ({
      status: 200,
      body: {
        userId: principal.userId,
        tenantId: principal.tenantId,
        clientId: principal.clientId,
        roles: principal.roles,
        teamIds: principal.teamIds,
        scopes: principal.scopes,
        permissions: permissionsOf(principal),
      },
    }),
  }),
];
