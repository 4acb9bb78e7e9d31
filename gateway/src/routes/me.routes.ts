import { z } from 'zod';
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
        permissions: Object.fromEntries(
          Object.entries(ACCESS).map(([name, policy]) => [name, isAllowed(principal, policy)]),
        ),
      },
    }),
  }),
];
