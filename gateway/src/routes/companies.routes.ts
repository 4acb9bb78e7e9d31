import { z } from 'zod';
import { CompanyFilter, CompanyInput, type Company } from '@crm/proto/crm/contact/v1/company';
import { ACCESS } from '../auth/access-policy';
import type { ServiceClients } from '../grpc/service-clients';
import { callUnary, type Downstream } from '../grpc/unary-call';
import { defineRoute, type Route, type RouteResult } from '../http/route';
import { jsonOf, listBody } from '../mappers/json-of';
import { toUpdateMask } from '../mappers/update-mask';
import { activityListSchema, timelineQuery } from '../schemas/activity.schema';
import { booleanQuery, idParams, pageQuery } from '../schemas/common.schema';
import {
  companyCreateSchema,
  companyListQuery,
  companyListSchema,
  companyPatchSchema,
  companySchema,
} from '../schemas/company.schema';
import { contactListSchema } from '../schemas/contact.schema';
import { historyListSchema } from '../schemas/history.schema';
import { created, ok } from './common-responses';
import { dateOrUndefined, expectedVersion, OWNERSHIP_RULE, required } from './route-helpers';

const TAG = 'Companies';
const BASE = '/api/v1/companies';

function companyResult(company: Company | undefined, status = 200): RouteResult {
  const value = required(company, 'a company');
  return { status, body: jsonOf(value), version: value.version };
}

function getCompany(
  clients: ServiceClients,
  downstream: Downstream,
  id: string,
  includeDeleted = false,
): Promise<Company> {
  return callUnary(downstream, clients.companies.getCompany.bind(clients.companies), { id, includeDeleted }).then((r) =>
    required(r.company, 'a company'),
  );
}

const currentVersion =
  (clients: ServiceClients, downstream: Downstream, id: string, includeDeleted = false) =>
  () =>
    getCompany(clients, downstream, id, includeDeleted).then((c) => c.version);

export const companyRoutes: Route[] = [
  defineRoute({
    method: 'post',
    path: BASE,
    operationId: 'createCompany',
    summary: 'Create a company',
    description: `Without ownerId/teamId the caller owns it. ${OWNERSHIP_RULE}`,
    tag: TAG,
    access: ACCESS.contactsWrite,
    body: companyCreateSchema,
    responses: [created(companySchema, 'The company')],
    handler: async ({ body, clients, downstream }) => {
      const response = await callUnary(downstream, clients.companies.createCompany.bind(clients.companies), {
        company: CompanyInput.fromPartial(body),
      });
      return { ...companyResult(response.company, 201), location: `${BASE}/${response.company?.id}` };
    },
  }),
  defineRoute({
    method: 'get',
    path: BASE,
    operationId: 'listCompanies',
    summary: 'List companies',
    description: 'The companies the caller may see; q narrows to a name prefix.',
    tag: TAG,
    access: ACCESS.contactsRead,
    query: companyListQuery,
    responses: [ok(companyListSchema, 'A page of companies')],
    handler: async ({ query, clients, downstream }) => {
      const { q, limit, cursor, ...filter } = query;
      const companyFilter = CompanyFilter.fromPartial({
        ...filter,
        namePrefix: q,
        updatedSince: dateOrUndefined(filter.updatedSince),
      });
      const response = await callUnary(downstream, clients.companies.listCompanies.bind(clients.companies), {
        filter: companyFilter,
        page: { limit: limit ?? 0, cursor: cursor ?? '' },
      });
      return { status: 200, body: listBody(response.companies, response.page) };
    },
  }),
  defineRoute({
    method: 'get',
    path: `${BASE}/{id}`,
    operationId: 'getCompany',
    summary: 'Get a company',
    tag: TAG,
    access: ACCESS.contactsRead,
    params: idParams,
    query: z.strictObject({ includeDeleted: booleanQuery.optional() }),
    responses: [ok(companySchema, 'The company', { etag: true })],
    handler: async ({ params, query, clients, downstream }) =>
      companyResult(await getCompany(clients, downstream, params.id, query.includeDeleted)),
  }),
  defineRoute({
    method: 'patch',
    path: `${BASE}/{id}`,
    operationId: 'updateCompany',
    summary: 'Update a company (merge patch)',
    description: `JSON merge patch; customFields merge key by key. ${OWNERSHIP_RULE} Needs If-Match.`,
    tag: TAG,
    access: ACCESS.contactsWrite,
    bodyKind: 'merge-patch',
    ifMatch: 'required',
    params: idParams,
    body: companyPatchSchema,
    responses: [ok(companySchema, 'The updated company', { etag: true })],
    handler: async ({ params, body, precondition, clients, downstream }) => {
      const version = await expectedVersion(precondition, currentVersion(clients, downstream, params.id));
      const { input, paths } = toUpdateMask<CompanyInput>(body, { annualRevenue: undefined, address: undefined });
      if (paths.length === 0) return companyResult(await getCompany(clients, downstream, params.id));
      const response = await callUnary(downstream, clients.companies.updateCompany.bind(clients.companies), {
        id: params.id,
        expectedVersion: version,
        company: CompanyInput.fromPartial(input),
        updateMask: paths,
      });
      return companyResult(response.company);
    },
  }),
  defineRoute({
    method: 'delete',
    path: `${BASE}/{id}`,
    operationId: 'deleteCompany',
    summary: 'Delete a company (soft; restorable)',
    tag: TAG,
    access: ACCESS.contactsWrite,
    ifMatch: 'required',
    params: idParams,
    responses: [ok(companySchema, 'The deleted company', { etag: true })],
    handler: async ({ params, precondition, clients, downstream }) => {
      const version = await expectedVersion(precondition, currentVersion(clients, downstream, params.id));
      const response = await callUnary(downstream, clients.companies.deleteCompany.bind(clients.companies), {
        id: params.id,
        expectedVersion: version,
      });
      return companyResult(response.company);
    },
  }),
  defineRoute({
    method: 'post',
    path: `${BASE}/{id}/restore`,
    operationId: 'restoreCompany',
    summary: 'Restore a deleted company',
    tag: TAG,
    access: ACCESS.contactsCurate,
    ifMatch: 'optional',
    params: idParams,
    body: z.strictObject({}),
    responses: [ok(companySchema, 'The restored company', { etag: true })],
    handler: async ({ params, precondition, clients, downstream }) => {
      const version = await expectedVersion(precondition, currentVersion(clients, downstream, params.id, true));
      const response = await callUnary(downstream, clients.companies.restoreCompany.bind(clients.companies), {
        id: params.id,
        expectedVersion: version,
      });
      return companyResult(response.company);
    },
  }),
  defineRoute({
    method: 'get',
    path: `${BASE}/{id}/history`,
    operationId: 'getCompanyHistory',
    summary: "A company's versions, newest first: who changed which fields from what to what, and when",
    description: 'Visible to whoever may read the company.',
    tag: TAG,
    access: ACCESS.contactsRead,
    params: idParams,
    responses: [ok(historyListSchema, 'The versions, newest first')],
    handler: async ({ params, clients, downstream }) => {
      const response = await callUnary(downstream, clients.companies.getCompanyHistory.bind(clients.companies), {
        id: params.id,
      });
      return { status: 200, body: listBody(response.entries, undefined) };
    },
  }),
  defineRoute({
    method: 'get',
    path: `${BASE}/{id}/contacts`,
    operationId: 'listCompanyContacts',
    summary: 'The contacts of a company that the caller may see',
    tag: TAG,
    access: ACCESS.contactsRead,
    params: idParams,
    query: z.strictObject({ ...pageQuery }),
    responses: [ok(contactListSchema, 'A page of contacts')],
    handler: async ({ params, query, clients, downstream }) => {
      const response = await callUnary(downstream, clients.companies.listCompanyContacts.bind(clients.companies), {
        companyId: params.id,
        page: { limit: query.limit ?? 0, cursor: query.cursor ?? '' },
      });
      return { status: 200, body: listBody(response.contacts, response.page) };
    },
  }),
  defineRoute({
    method: 'get',
    path: `${BASE}/{id}/activities`,
    operationId: 'listCompanyActivities',
    summary: "A company's timeline, newest first",
    description:
      'Activities are logged on a contact (POST /api/v1/contacts/{id}/activities) and show on its company too.',
    tag: TAG,
    access: ACCESS.contactsRead,
    params: idParams,
    query: timelineQuery,
    responses: [ok(activityListSchema, 'A page of activities')],
    handler: async ({ params, query, clients, downstream }) => {
      const response = await callUnary(downstream, clients.activities.listCompanyTimeline.bind(clients.activities), {
        companyId: params.id,
        page: { limit: query.limit ?? 0, cursor: query.cursor ?? '' },
        types: query.type?.split(',') ?? [],
      });
      return { status: 200, body: listBody(response.activities, response.page) };
    },
  }),
];
