import { ACCESS } from '../auth/access-policy';
import type { ServiceClients } from '../grpc/service-clients';
import { callUnary, type Downstream } from '../grpc/unary-call';
import { defineRoute, type Route } from '../http/route';
import { jsonOf } from '../mappers/json-of';
import { activitySchema } from '../schemas/activity.schema';
import { idParams } from '../schemas/common.schema';
import { ok } from './common-responses';
import { expectedVersion, required } from './route-helpers';

const TAG = 'Contacts';

function getActivity(clients: ServiceClients, downstream: Downstream, id: string) {
  return callUnary(downstream, clients.activities.getActivity.bind(clients.activities), { id }).then((r) =>
    required(r.activity, 'an activity'),
  );
}

/** Activities are logged on a contact (/contacts/{id}/activities); one is read or removed by its own id. */
export const activityRoutes: Route[] = [
  defineRoute({
    method: 'get',
    path: '/api/v1/activities/{id}',
    operationId: 'getActivity',
    summary: 'Get an activity',
    tag: TAG,
    access: ACCESS.contactsRead,
    params: idParams,
    responses: [ok(activitySchema, 'The activity', { etag: true })],
    handler: async ({ params, clients, downstream }) => {
      const activity = await getActivity(clients, downstream, params.id);
      return { status: 200, body: jsonOf(activity), version: activity.version };
    },
  }),
  defineRoute({
    method: 'delete',
    path: '/api/v1/activities/{id}',
    operationId: 'deleteActivity',
    summary: 'Delete an activity',
    tag: TAG,
    access: ACCESS.contactsWrite,
    ifMatch: 'required',
    params: idParams,
    responses: [ok(activitySchema, 'The deleted activity', { etag: true })],
    handler: async ({ params, precondition, clients, downstream }) => {
      const version = await expectedVersion(precondition, () =>
        getActivity(clients, downstream, params.id).then((a) => a.version),
      );
      const response = await callUnary(downstream, clients.activities.deleteActivity.bind(clients.activities), {
        id: params.id,
        expectedVersion: version,
      });
      const activity = required(response.activity, 'an activity');
      return { status: 200, body: jsonOf(activity), version: activity.version };
    },
  }),
];
