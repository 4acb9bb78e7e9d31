import { z } from 'zod';
import { ContactFilter, ContactInput, type Contact } from '@crm/proto/crm/contact/v1/contact';
import { ActivityInput } from '@crm/proto/crm/contact/v1/activity';
import { ACCESS } from '../auth/access-policy';
import { callUnary, type Downstream } from '../grpc/unary-call';
import type { ServiceClients } from '../grpc/service-clients';
import { defineRoute, type Route, type RouteResult } from '../http/route';
import { problems } from '../http/problem';
import { jsonOf, listBody } from '../mappers/json-of';
import { toUpdateMask } from '../mappers/update-mask';
import { activityCreateSchema, activityListSchema, activitySchema, timelineQuery } from '../schemas/activity.schema';
import { idParams } from '../schemas/common.schema';
import {
  allowDuplicatesQuery,
  contactCreateSchema,
  contactExportSchema,
  contactListQuery,
  contactListSchema,
  contactPatchSchema,
  contactSchema,
  duplicatesSchema,
  eraseResultSchema,
  mergeResultSchema,
  mergeSchema,
} from '../schemas/contact.schema';
import { historyListSchema } from '../schemas/history.schema';
import { created, ok, problem } from './common-responses';
import { dateOrUndefined, expectedVersion, OWNERSHIP_RULE, required } from './route-helpers';

const TAG = 'Contacts';
const BASE = '/api/v1/contacts';

function contactResult(contact: Contact | undefined, status = 200): RouteResult {
  const value = required(contact, 'a contact');
  return { status, body: jsonOf(value), version: value.version };
}

function getContact(
  clients: ServiceClients,
  downstream: Downstream,
  id: string,
  includeDeleted = false,
): Promise<Contact> {
  return callUnary(downstream, clients.contacts.getContact.bind(clients.contacts), { id, includeDeleted }).then((r) =>
    required(r.contact, 'a contact'),
  );
}

const currentVersion =
  (clients: ServiceClients, downstream: Downstream, id: string, includeDeleted = false) =>
  () =>
    getContact(clients, downstream, id, includeDeleted).then((c) => c.version);

export const contactRoutes: Route[] = [
  defineRoute({
    method: 'post',
    path: BASE,
    operationId: 'createContact',
    summary: 'Create a contact',
    description: `Without ownerId/teamId the caller owns it. ${OWNERSHIP_RULE} A duplicate email or phone is 409 with the existing id unless allowDuplicates=true.`,
    tag: TAG,
    access: ACCESS.contactsWrite,
    query: allowDuplicatesQuery,
    body: contactCreateSchema,
    responses: [
      created(contactSchema, 'The contact'),
      problem(409, 'A contact with this email or phone exists (existingId)'),
    ],
    handler: async ({ body, query, clients, downstream }) => {
      const response = await callUnary(downstream, clients.contacts.createContact.bind(clients.contacts), {
        contact: ContactInput.fromPartial(body),
        allowDuplicates: query.allowDuplicates ?? false,
      });
      const result = contactResult(response.contact, 201);
      return { ...result, location: `${BASE}/${response.contact?.id}` };
    },
  }),
  defineRoute({
    method: 'get',
    path: BASE,
    operationId: 'listContacts',
    summary: 'List or search contacts',
    description:
      'The contacts the caller may see, oldest first. With q, a type-ahead search instead (best matches first).',
    tag: TAG,
    access: ACCESS.contactsRead,
    query: contactListQuery,
    responses: [ok(contactListSchema, 'A page of contacts')],
    handler: async ({ query, clients, downstream }) => {
      const { q, limit, cursor, ...filter } = query;
      if (q !== undefined) {
        if (cursor !== undefined || Object.values(filter).some((v) => v !== undefined))
          throw problems.badRequest('q cannot be combined with filters or a cursor');
        const response = await callUnary(downstream, clients.contacts.searchContacts.bind(clients.contacts), {
          query: q,
          limit: Math.min(limit ?? 10, 50),
        });
        return {
          status: 200,
          body: listBody(
            response.hits.map((h) => h.contact),
            undefined,
          ),
        };
      }
      const contactFilter = ContactFilter.fromPartial({
        ...filter,
        updatedSince: dateOrUndefined(filter.updatedSince),
      });
      const response = await callUnary(downstream, clients.contacts.listContacts.bind(clients.contacts), {
        filter: contactFilter,
        page: { limit: limit ?? 0, cursor: cursor ?? '' },
      });
      return { status: 200, body: listBody(response.contacts, response.page) };
    },
  }),
  defineRoute({
    method: 'get',
    path: `${BASE}/{id}`,
    operationId: 'getContact',
    summary: 'Get a contact',
    tag: TAG,
    access: ACCESS.contactsRead,
    params: idParams,
    query: z.strictObject({
      includeDeleted: z
        .enum(['true', 'false'])
        .transform((v) => v === 'true')
        .optional(),
    }),
    responses: [ok(contactSchema, 'The contact', { etag: true })],
    handler: async ({ params, query, clients, downstream }) =>
      contactResult(await getContact(clients, downstream, params.id, query.includeDeleted)),
  }),
  defineRoute({
    method: 'patch',
    path: `${BASE}/{id}`,
    operationId: 'updateContact',
    summary: 'Update a contact (merge patch)',
    description: `JSON merge patch: present properties are set, null clears one, absent ones stay; customFields merge key by key. ownerId/teamId move the contact in the same change. ${OWNERSHIP_RULE} Needs If-Match.`,
    tag: TAG,
    access: ACCESS.contactsWrite,
    bodyKind: 'merge-patch',
    ifMatch: 'required',
    params: idParams,
    query: allowDuplicatesQuery,
    body: contactPatchSchema,
    responses: [ok(contactSchema, 'The updated contact', { etag: true })],
    handler: async ({ params, query, body, precondition, clients, downstream }) => {
      const version = await expectedVersion(precondition, currentVersion(clients, downstream, params.id));
      // Fields, owner and team in one UpdateContact: one version, all or nothing.
      const { input, paths } = toUpdateMask<ContactInput>(body, {
        emails: [],
        phones: [],
        tags: [],
        address: undefined,
      });
      if (paths.length === 0) return contactResult(await getContact(clients, downstream, params.id));
      const response = await callUnary(downstream, clients.contacts.updateContact.bind(clients.contacts), {
        id: params.id,
        expectedVersion: version,
        contact: ContactInput.fromPartial(input),
        updateMask: paths,
        allowDuplicates: query.allowDuplicates ?? false,
      });
      return contactResult(response.contact);
    },
  }),
  defineRoute({
    method: 'delete',
    path: `${BASE}/{id}`,
    operationId: 'deleteContact',
    summary: 'Delete a contact (soft; restorable)',
    tag: TAG,
    access: ACCESS.contactsWrite,
    ifMatch: 'required',
    params: idParams,
    responses: [ok(contactSchema, 'The deleted contact', { etag: true })],
    handler: async ({ params, precondition, clients, downstream }) => {
      const version = await expectedVersion(precondition, currentVersion(clients, downstream, params.id));
      const response = await callUnary(downstream, clients.contacts.deleteContact.bind(clients.contacts), {
        id: params.id,
        expectedVersion: version,
      });
      return contactResult(response.contact);
    },
  }),
  defineRoute({
    method: 'post',
    path: `${BASE}/{id}/restore`,
    operationId: 'restoreContact',
    summary: 'Restore a deleted contact',
    tag: TAG,
    access: ACCESS.contactsCurate,
    ifMatch: 'optional',
    params: idParams,
    body: z.strictObject({}),
    responses: [ok(contactSchema, 'The restored contact', { etag: true })],
    handler: async ({ params, precondition, clients, downstream }) => {
      const version = await expectedVersion(precondition, currentVersion(clients, downstream, params.id, true));
      const response = await callUnary(downstream, clients.contacts.restoreContact.bind(clients.contacts), {
        id: params.id,
        expectedVersion: version,
      });
      return contactResult(response.contact);
    },
  }),
  defineRoute({
    method: 'get',
    path: `${BASE}/{id}/duplicates`,
    operationId: 'findContactDuplicates',
    summary: 'Likely duplicates of a contact',
    tag: TAG,
    access: ACCESS.contactsRead,
    params: idParams,
    query: z.strictObject({ limit: z.coerce.number().int().min(1).max(50).optional() }),
    responses: [ok(duplicatesSchema, 'Candidates, most likely first')],
    handler: async ({ params, query, clients, downstream }) => {
      const response = await callUnary(downstream, clients.contacts.findDuplicates.bind(clients.contacts), {
        id: params.id,
        limit: query.limit ?? 0,
      });
      return { status: 200, body: { data: jsonOf(response.candidates) } };
    },
  }),
  defineRoute({
    method: 'post',
    path: `${BASE}/{id}/merge`,
    operationId: 'mergeContacts',
    summary: 'Merge another contact into this one',
    description:
      "sourceId is merged into {id} (which survives) and becomes a tombstone; its activities move over. If-Match, when given, is the target's ETag.",
    tag: TAG,
    access: ACCESS.contactsCurate,
    ifMatch: 'optional',
    params: idParams,
    body: mergeSchema,
    responses: [ok(mergeResultSchema, 'The surviving contact', { etag: true })],
    handler: async ({ params, body, precondition, clients, downstream }) => {
      if (body.sourceId === params.id)
        throw problems.badRequest('A contact cannot be merged into itself', [
          { field: 'sourceId', detail: 'must differ from the target' },
        ]);
      const version = await expectedVersion(precondition, currentVersion(clients, downstream, params.id));
      const response = await callUnary(downstream, clients.contacts.mergeContacts.bind(clients.contacts), {
        targetId: params.id,
        sourceId: body.sourceId,
        expectedTargetVersion: version,
      });
      const contact = required(response.contact, 'a contact');
      return {
        status: 200,
        body: { contact: jsonOf(contact), activitiesMoved: response.activitiesMoved },
        version: contact.version,
      };
    },
  }),
  defineRoute({
    method: 'post',
    path: `${BASE}/{id}/activities`,
    operationId: 'logContactActivity',
    summary: 'Log an activity (note, call, email, meeting) on a contact',
    tag: TAG,
    access: ACCESS.contactsWrite,
    params: idParams,
    body: activityCreateSchema,
    responses: [created(activitySchema, 'The activity')],
    handler: async ({ params, body, clients, downstream }) => {
      const input = ActivityInput.fromPartial({
        ...body,
        contactId: params.id,
        occurredAt: dateOrUndefined(body.occurredAt),
        meeting: body.meeting
          ? {
              ...body.meeting,
              startAt: dateOrUndefined(body.meeting.startAt),
              endAt: dateOrUndefined(body.meeting.endAt),
            }
          : undefined,
      });
      const response = await callUnary(downstream, clients.activities.logActivity.bind(clients.activities), {
        activity: input,
      });
      const activity = required(response.activity, 'an activity');
      return {
        status: 201,
        body: jsonOf(activity),
        version: activity.version,
        location: `${BASE}/${params.id}/activities`,
      };
    },
  }),
  defineRoute({
    method: 'get',
    path: `${BASE}/{id}/activities`,
    operationId: 'listContactActivities',
    summary: "A contact's timeline, newest first",
    tag: TAG,
    access: ACCESS.contactsRead,
    params: idParams,
    query: timelineQuery,
    responses: [ok(activityListSchema, 'A page of activities')],
    handler: async ({ params, query, clients, downstream }) => {
      const response = await callUnary(downstream, clients.activities.listContactTimeline.bind(clients.activities), {
        contactId: params.id,
        page: { limit: query.limit ?? 0, cursor: query.cursor ?? '' },
        types: query.type?.split(',') ?? [],
      });
      return { status: 200, body: listBody(response.activities, response.page) };
    },
  }),
  defineRoute({
    method: 'get',
    path: `${BASE}/{id}/history`,
    operationId: 'getContactHistory',
    summary: "A contact's versions, newest first: who changed which fields from what to what, and when",
    description:
      'Visible to whoever may read the contact. After a GDPR erase the versions stay; personal values are null.',
    tag: TAG,
    access: ACCESS.contactsRead,
    params: idParams,
    responses: [ok(historyListSchema, 'The versions, newest first')],
    handler: async ({ params, clients, downstream }) => {
      const response = await callUnary(downstream, clients.contacts.getContactHistory.bind(clients.contacts), {
        id: params.id,
      });
      return { status: 200, body: listBody(response.entries, undefined) };
    },
  }),
  defineRoute({
    method: 'get',
    path: `${BASE}/{id}/export`,
    operationId: 'exportContactData',
    summary: 'Everything held about a contact (GDPR access / portability)',
    tag: TAG,
    access: ACCESS.privacyAndBulk,
    params: idParams,
    responses: [ok(contactExportSchema, 'The contact, its activities and company link as one JSON document')],
    handler: async ({ params, clients, downstream, res }) => {
      const response = await callUnary(downstream, clients.contacts.exportContactData.bind(clients.contacts), {
        id: params.id,
      });
      res.setHeader('content-disposition', `attachment; filename="contact-${params.id}.json"`);
      return { status: 200, body: JSON.parse(response.json) as unknown };
    },
  }),
  defineRoute({
    method: 'post',
    path: `${BASE}/{id}/erase`,
    operationId: 'eraseContact',
    summary: 'Erase the personal data of a contact (GDPR right to erasure)',
    description: 'Irreversible: the record stays as a tombstone without personal data.',
    tag: TAG,
    access: ACCESS.erase,
    params: idParams,
    body: z.strictObject({}),
    responses: [ok(eraseResultSchema, 'When the data was erased')],
    handler: async ({ params, clients, downstream }) => {
      const response = await callUnary(downstream, clients.contacts.eraseContact.bind(clients.contacts), {
        id: params.id,
      });
      return { status: 200, body: jsonOf(response) };
    },
  }),
];
