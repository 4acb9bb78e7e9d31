// Web forms that capture leads: defined by admins, posted to by anyone (no login) at /api/v1/public/forms/{formId}.
// A submission is checked by the workflow service (origin or HMAC, honeypot, fields) and answered at once; the
// contact upsert, owner assignment and follow-up task run as a durable run. Assignment teams (who round-robin
// and least-loaded assignment pick from, and who is away) are configured here too.
import { z } from 'zod';
import { FormInput, type Form } from '@crm/proto/crm/workflow/v1/form';
import { ACCESS } from '../auth/access-policy';
import type { ServiceClients } from '../grpc/service-clients';
import { callUnary, type Downstream } from '../grpc/unary-call';
import { defineRoute, type Route, type RouteResult } from '../http/route';
import { jsonOf, listBody } from '../mappers/json-of';
import { idParams, pageQuery, timestamp } from '../schemas/common.schema';
import {
  formAcceptedSchema,
  formCreatedSchema,
  formCreateSchema,
  formListSchema,
  formPatchSchema,
  formSchema,
  formSubmissionSchema,
  publicFormParams,
} from '../schemas/workflow.schema';
import { ok } from './common-responses';
import { asGateway, dateOrUndefined, expectedVersion, required } from './route-helpers';

const TAG = 'Forms';
const BASE = '/api/v1/forms';
export const PUBLIC_FORM_PATH = '/api/v1/public/forms/{formId}';

type FormBody = z.infer<typeof formCreateSchema>;

function formResult(form: Form | undefined): RouteResult {
  const value = required(form, 'a form');
  return { status: 200, body: jsonOf(value), version: value.version };
}

function getForm(clients: ServiceClients, downstream: Downstream, id: string): Promise<Form> {
  return callUnary(downstream, clients.forms.getForm.bind(clients.forms), { id }).then((r) =>
    required(r.form, 'a form'),
  );
}

function formInputOf(body: FormBody): FormInput {
  return FormInput.fromPartial({
    ...body,
    fields: body.fields.map((f) => ({ label: '', mapsTo: '', required: false, ...f })),
    assignment: { teamId: '', ownerId: '', ...body.assignment },
    enabled: body.enabled ?? true,
  });
}

const teamParams = z.strictObject({ teamId: z.string().min(1).max(128) });

const teamSchema = z
  .object({
    teamId: z.string(),
    tenantId: z.string(),
    members: z.array(z.object({ userId: z.string(), away: z.boolean(), awayUntil: timestamp.nullable() })),
    nextIndex: z.number().int(),
    version: z.number().int(),
    updatedAt: timestamp.nullable(),
  })
  .meta({ id: 'AssignmentTeam' });

export const formRoutes: Route[] = [
  defineRoute({
    method: 'post',
    path: BASE,
    operationId: 'createForm',
    summary: 'Define a web form',
    description:
      'Fields mapped to contact fields (one must map to email), consent text, allowed origins (browsers), a honeypot field, the owner rule (round_robin or least_loaded over an assignment team, or fixed) and the follow-up task. With hmacEnabled, server-side posts must be signed with the secret in the answer (shown only here).',
    tag: TAG,
    access: ACCESS.formsWrite,
    body: formCreateSchema,
    responses: [{ status: 201, description: 'The form', schema: formCreatedSchema, etag: true, location: true }],
    handler: async ({ body, clients, downstream }) => {
      const response = await callUnary(downstream, clients.forms.createForm.bind(clients.forms), {
        form: formInputOf(body),
      });
      const form = required(response.form, 'a form');
      return {
        status: 201,
        body: { form: jsonOf(form), hmacSecret: response.hmacSecret },
        version: form.version,
        location: `${BASE}/${form.id}`,
      };
    },
  }),
  defineRoute({
    method: 'get',
    path: BASE,
    operationId: 'listForms',
    summary: 'List web forms',
    tag: TAG,
    access: ACCESS.formsRead,
    query: z.strictObject(pageQuery),
    responses: [ok(formListSchema, 'A page of forms')],
    handler: async ({ query, clients, downstream }) => {
      const response = await callUnary(downstream, clients.forms.listForms.bind(clients.forms), {
        page: { limit: query.limit ?? 0, cursor: query.cursor ?? '' },
      });
      return { status: 200, body: listBody(response.forms, response.page) };
    },
  }),
  defineRoute({
    method: 'get',
    path: `${BASE}/{id}`,
    operationId: 'getForm',
    summary: 'Get a web form',
    tag: TAG,
    access: ACCESS.formsRead,
    params: idParams,
    responses: [ok(formSchema, 'The form', { etag: true })],
    handler: async ({ params, clients, downstream }) => formResult(await getForm(clients, downstream, params.id)),
  }),
  defineRoute({
    method: 'patch',
    path: `${BASE}/{id}`,
    operationId: 'updateForm',
    summary: 'Update a web form (merge patch)',
    description: 'Top-level properties replace the current ones. Needs If-Match.',
    tag: TAG,
    access: ACCESS.formsWrite,
    bodyKind: 'merge-patch',
    ifMatch: 'required',
    params: idParams,
    body: formPatchSchema,
    responses: [ok(formSchema, 'The updated form', { etag: true })],
    handler: async ({ params, body, precondition, clients, downstream }) => {
      const current = await getForm(clients, downstream, params.id);
      const version = await expectedVersion(precondition, async () => current.version);
      const merged = { ...(jsonOf(current) as FormBody), ...body } as FormBody & Partial<Form>;
      const input: FormBody = {
        name: merged.name,
        fields: merged.fields,
        consentText: merged.consentText,
        allowedOrigins: merged.allowedOrigins,
        honeypotField: merged.honeypotField,
        assignment: merged.assignment,
        followUpTitle: merged.followUpTitle,
        followUpDueMinutes: merged.followUpDueMinutes,
        enabled: merged.enabled,
        hmacEnabled: merged.hmacEnabled,
      };
      const response = await callUnary(downstream, clients.forms.updateForm.bind(clients.forms), {
        id: params.id,
        expectedVersion: version,
        form: formInputOf(input),
      });
      return formResult(response.form);
    },
  }),
  defineRoute({
    method: 'delete',
    path: `${BASE}/{id}`,
    operationId: 'deleteForm',
    summary: 'Delete a web form',
    description: 'Posts to it are 404 from then on. Needs If-Match.',
    tag: TAG,
    access: ACCESS.formsWrite,
    ifMatch: 'required',
    params: idParams,
    responses: [ok(formSchema, 'The deleted form', { etag: true })],
    handler: async ({ params, precondition, clients, downstream }) => {
      const version = await expectedVersion(precondition, () =>
        getForm(clients, downstream, params.id).then((f) => f.version),
      );
      const response = await callUnary(downstream, clients.forms.deleteForm.bind(clients.forms), {
        id: params.id,
        expectedVersion: version,
      });
      return formResult(response.form);
    },
  }),
  defineRoute({
    method: 'post',
    path: PUBLIC_FORM_PATH,
    operationId: 'submitForm',
    summary: 'Submit a web form (no login)',
    description:
      'application/json or application/x-www-form-urlencoded. Browsers are admitted by Origin (the form\'s allowed origins, CORS included); server-side posts without Origin sign the raw body when the form asks for it: X-Crm-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.body">. Rate-limited per client address and form. Answered at once with 202; the contact (upserted by email, no duplicates), its owner and the follow-up task follow within moments.',
    tag: 'Forms (public)',
    publicRateLimit: 'per-path',
    problems: {
      403: 'This origin may not post to the form, or a server-side post lacks a valid X-Crm-Signature',
      404: 'No such form, or it is disabled',
    },
    bodyKind: 'form-post',
    params: publicFormParams,
    body: formSubmissionSchema,
    responses: [{ status: 202, description: 'Accepted', schema: formAcceptedSchema }],
    handler: async ({ params, body, req, clients, downstream }) => {
      await callUnary(await asGateway(clients, downstream), clients.forms.submitForm.bind(clients.forms), {
        formId: params.formId,
        fields: Object.fromEntries(Object.entries(body).map(([k, v]) => [k, String(v)])),
        origin: req.get('origin') ?? '',
        clientIp: req.ip ?? '',
        userAgent: (req.get('user-agent') ?? '').slice(0, 500),
        signature: req.get('x-crm-signature') ?? '',
        rawBody: req.rawBody ?? Buffer.alloc(0),
      });
      return { status: 202, body: { status: 'accepted' } };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/api/v1/assignment-teams',
    operationId: 'listAssignmentTeams',
    summary: 'Assignment teams (who round-robin and least-loaded assignment pick from)',
    tag: TAG,
    access: ACCESS.anyone,
    responses: [ok(z.object({ data: z.array(teamSchema) }).meta({ id: 'AssignmentTeamList' }), 'The teams')],
    handler: async ({ clients, downstream }) => {
      const response = await callUnary(downstream, clients.assignment.listAssignmentTeams.bind(clients.assignment), {});
      return { status: 200, body: { data: response.teams.map(jsonOf) } };
    },
  }),
  defineRoute({
    method: 'put',
    path: '/api/v1/assignment-teams/{teamId}',
    operationId: 'setAssignmentTeam',
    summary: "Set an assignment team's members (admins, or managers of the team)",
    description: "If-Match, when given, is the team's ETag; without it the members are replaced whatever is there.",
    tag: TAG,
    access: ACCESS.anyone,
    ifMatch: 'optional',
    params: teamParams,
    body: z
      .strictObject({ memberIds: z.array(z.string().min(1).max(128)).max(500) })
      .meta({ id: 'AssignmentTeamMembers' }),
    responses: [ok(teamSchema, 'The team', { etag: true })],
    handler: async ({ params, body, precondition, clients, downstream }) => {
      const response = await callUnary(downstream, clients.assignment.setAssignmentTeam.bind(clients.assignment), {
        teamId: params.teamId,
        expectedVersion: precondition.kind === 'version' ? precondition.version : 0,
        memberIds: body.memberIds,
      });
      const team = required(response.team, 'a team');
      return { status: 200, body: jsonOf(team), version: team.version };
    },
  }),
  defineRoute({
    method: 'post',
    path: '/api/v1/assignment-teams/{teamId}/availability',
    operationId: 'setAssignmentAvailability',
    summary: 'Mark a member away (until a time) or back; members may set their own',
    tag: TAG,
    access: ACCESS.anyone,
    params: teamParams,
    body: z
      .strictObject({
        userId: z.string().min(1).max(128),
        away: z.boolean(),
        awayUntil: timestamp.optional(),
      })
      .meta({ id: 'AssignmentAvailability' }),
    responses: [ok(teamSchema, 'The team', { etag: true })],
    handler: async ({ params, body, clients, downstream }) => {
      const response = await callUnary(downstream, clients.assignment.setAvailability.bind(clients.assignment), {
        teamId: params.teamId,
        userId: body.userId,
        away: body.away,
        awayUntil: dateOrUndefined(body.awayUntil),
      });
      const team = required(response.team, 'a team');
      return { status: 200, body: jsonOf(team), version: team.version };
    },
  }),
];
