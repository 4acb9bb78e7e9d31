import { z } from 'zod';
import type { TenantSettings } from '@crm/proto/crm/contact/v1/settings';
import { ACCESS } from '../auth/access-policy';
import { callUnary } from '../grpc/unary-call';
import { defineRoute, type Route, type RouteResult } from '../http/route';
import { jsonOf } from '../mappers/json-of';
import { nullableTimestamp } from '../schemas/common.schema';
import { ok } from './common-responses';
import { expectedVersion, required } from './route-helpers';

const TAG = 'Settings';
const fieldName = z.string().regex(/^[a-z][a-z0-9_]*$/, 'a field name, e.g. last_name');

const settingsSchema = z
  .object({
    defaultPhoneRegion: z.string(),
    requiredContactFields: z.array(z.string()),
    requiredCompanyFields: z.array(z.string()),
    version: z.number().int(),
    updatedAt: nullableTimestamp,
  })
  .meta({ id: 'TenantSettings' });

const settingsPatchSchema = z
  .strictObject({
    defaultPhoneRegion: z
      .string()
      .regex(/^[A-Z]{2}$/)
      .meta({ description: 'ISO 3166-1 alpha-2, for phone numbers without +country.' }),
    requiredContactFields: z.array(fieldName).max(20),
    requiredCompanyFields: z.array(fieldName).max(20),
  })
  .partial()
  .meta({ id: 'TenantSettingsPatch' });

function settingsResult(settings: TenantSettings | undefined): RouteResult {
  const value = required(settings, 'settings');
  return { status: 200, body: jsonOf(value), version: value.version };
}

/** The tenant's contact settings: read by everyone, changed by admins (version 0 before the first save). */
export const settingsRoutes: Route[] = [
  defineRoute({
    method: 'get',
    path: '/api/v1/settings',
    operationId: 'getTenantSettings',
    summary: "The tenant's settings (phone region, required fields)",
    tag: TAG,
    access: ACCESS.anyone,
    responses: [ok(settingsSchema, 'The settings', { etag: true })],
    handler: async ({ clients, downstream }) =>
      settingsResult(
        (await callUnary(downstream, clients.settings.getTenantSettings.bind(clients.settings), {})).settings,
      ),
  }),
  defineRoute({
    method: 'patch',
    path: '/api/v1/settings',
    operationId: 'updateTenantSettings',
    summary: "Change the tenant's settings (admin)",
    tag: TAG,
    access: ACCESS.admin,
    bodyKind: 'merge-patch',
    ifMatch: 'required',
    body: settingsPatchSchema,
    responses: [ok(settingsSchema, 'The settings', { etag: true })],
    handler: async ({ body, precondition, clients, downstream }) => {
      const current = required(
        (await callUnary(downstream, clients.settings.getTenantSettings.bind(clients.settings), {})).settings,
        'settings',
      );
      const version = await expectedVersion(precondition, async () => current.version);
      const settings: TenantSettings = { ...current, ...body };
      const response = await callUnary(downstream, clients.settings.updateTenantSettings.bind(clients.settings), {
        settings,
        expectedVersion: version,
      });
      return settingsResult(response.settings);
    },
  }),
];
