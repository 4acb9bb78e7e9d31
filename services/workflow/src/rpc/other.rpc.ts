import type { ServiceHandlers } from '@crm/service-kit';
import type { AssignmentServiceService } from '@crm/proto/crm/workflow/v1/team';
import type { FormInput, FormServiceService } from '@crm/proto/crm/workflow/v1/form';
import type { RunServiceService } from '@crm/proto/crm/workflow/v1/run';
import type { WebhookServiceService } from '@crm/proto/crm/workflow/v1/webhook';
import {
  scopeOf,
  scopeSql,
  afterCursor,
  decodeCursor,
  orderBy,
  pageOf,
  pageSize,
  invalidArgument,
  type SortKey,
} from '@crm/service-kit';
import { sql } from 'kysely';
import type { AppDeps } from '../app/app-deps';
import type { AssignmentService } from '../app/assignment.service';
import type { FormInputJson, FormsService } from '../app/forms.service';
import type { RunExecutor } from '../app/run-executor';
import type { WebhooksService } from '../app/webhooks.service';
import { toDeliveryProto, toEndpointProto, toFormProto, toRunProto, toTeamProto } from './mappers';

const RUN_KEYS: SortKey[] = [
  { column: 'created_at', direction: 'desc', type: 'timestamp' },
  { column: 'id', direction: 'desc' },
];
const RUN_STATUSES = ['pending', 'running', 'waiting', 'succeeded', 'failed', 'cancelled'];

export function runHandlers(deps: AppDeps, executor: RunExecutor): ServiceHandlers<typeof RunServiceService> {
  return {
    getRun: async (request, ctx) => ({ run: toRunProto(await deps.stores.runs.get(ctx.principal, request.id)) }),
    listRuns: async (request, ctx) => {
      const f = request.filter;
      if (f?.status && !RUN_STATUSES.includes(f.status))
        throw invalidArgument([{ field: 'status', description: `must be one of ${RUN_STATUSES.join(', ')}` }]);
      const size = pageSize(request.page?.limit ?? 0);
      const cursor = request.page?.cursor ?? '';
      const after = cursor ? afterCursor(RUN_KEYS, decodeCursor(cursor, 2)) : sql`true`;
      const eq = (column: string, value: string | undefined) =>
        value ? sql`${sql.ref(column)} = ${value}` : sql`true`;
      const { rows } = await sql<{ id: string; created_at: Date }>`
        select id, created_at from runs
        where ${scopeSql(scopeOf(ctx.principal, 'workflows', 'read'))} and ${after}
          and ${eq('rule_id', f?.ruleId)} and ${eq('status', f?.status)} and ${eq('trigger_type', f?.triggerType)}
          and ${eq('subject_id', f?.subjectId)} and ${eq('event_type', f?.eventType)}
          and (${f?.createdAfter ?? null}::timestamptz is null or created_at >= ${f?.createdAfter ?? null}::timestamptz)
          and (${f?.createdBefore ?? null}::timestamptz is null or created_at < ${f?.createdBefore ?? null}::timestamptz)
        order by ${orderBy(RUN_KEYS)} limit ${size + 1}`.execute(deps.db);
      const page = pageOf(rows, size, (r) => [r.created_at.toISOString(), r.id]);
      const runs = await deps.stores.runs.getMany(
        ctx.principal,
        page.rows.map((r) => r.id),
      );
      return { runs: runs.map((r) => toRunProto(r, { withDetail: false })), page: { nextCursor: page.nextCursor } };
    },
    retryRun: async (request, ctx) => ({
      run: toRunProto(await executor.retry(ctx.principal, request.id, request.expectedVersion, request.fromStepId)),
    }),
    cancelRun: async (request, ctx) => ({
      run: toRunProto(await executor.cancel(ctx.principal, request.id, request.expectedVersion)),
    }),
  };
}

export function webhookHandlers(webhooks: WebhooksService): ServiceHandlers<typeof WebhookServiceService> {
  return {
    createEndpoint: async (request, ctx) => {
      const { endpoint, secret } = await webhooks.create(ctx.principal, { ...request.endpoint });
      return { endpoint: toEndpointProto(endpoint), secret };
    },
    getEndpoint: async (request, ctx) => ({ endpoint: toEndpointProto(await webhooks.get(ctx.principal, request.id)) }),
    listEndpoints: async (request, ctx) => {
      const page = await webhooks.list(ctx.principal, request.page?.limit ?? 0, request.page?.cursor ?? '');
      return { endpoints: page.endpoints.map((e) => toEndpointProto(e)), page: { nextCursor: page.nextCursor } };
    },
    updateEndpoint: async (request, ctx) => {
      const mask = new Set(request.updateMask);
      const e = request.endpoint;
      const input = {
        ...(mask.has('url') ? { url: e?.url ?? '' } : {}),
        ...(mask.has('description') ? { description: e?.description ?? '' } : {}),
        ...(mask.has('event_types') ? { eventTypes: e?.eventTypes ?? [] } : {}),
        ...(mask.has('status') ? { status: e?.status ?? '' } : {}),
      };
      for (const path of mask)
        if (!['url', 'description', 'event_types', 'status'].includes(path))
          throw invalidArgument([{ field: 'update_mask', description: `unknown path "${path}"` }]);
      return {
        endpoint: toEndpointProto(await webhooks.update(ctx.principal, request.id, request.expectedVersion, input)),
      };
    },
    deleteEndpoint: async (request, ctx) => ({
      endpoint: toEndpointProto(await webhooks.delete(ctx.principal, request.id, request.expectedVersion)),
    }),
    rotateSecret: async (request, ctx) => {
      const { endpoint, secret } = await webhooks.rotate(ctx.principal, request.id, request.overlapSeconds);
      return { endpoint: toEndpointProto(endpoint), secret };
    },
    listDeliveries: async (request, ctx) => {
      const page = await webhooks.listDeliveries(
        ctx.principal,
        request.endpointId,
        request.status,
        request.page?.limit ?? 0,
        request.page?.cursor ?? '',
      );
      return { deliveries: page.deliveries.map(toDeliveryProto), page: { nextCursor: page.nextCursor } };
    },
    getDelivery: async (request, ctx) => ({
      delivery: toDeliveryProto(await webhooks.getDelivery(ctx.principal, request.id)),
    }),
    replayDeliveries: async (request, ctx) => ({
      deliveryIds: await webhooks.replayFor(ctx.principal, request.endpointId, request.deliveryIds, request.status),
    }),
  };
}

function formInput(input: FormInput | undefined): FormInputJson {
  return {
    name: input?.name ?? '',
    fields: (input?.fields ?? []).map((f) => ({
      name: f.name,
      label: f.label,
      mapsTo: f.mapsTo,
      required: f.required,
    })),
    consentText: input?.consentText ?? '',
    allowedOrigins: input?.allowedOrigins ?? [],
    honeypotField: input?.honeypotField ?? '',
    assignment: {
      strategy: (input?.assignment?.strategy || 'round_robin') as FormInputJson['assignment']['strategy'],
      teamId: input?.assignment?.teamId ?? '',
      ownerId: input?.assignment?.ownerId ?? '',
    },
    followUpTitle: input?.followUpTitle ?? '',
    followUpDueMinutes: input?.followUpDueMinutes ?? 0,
    enabled: input?.enabled ?? false,
    hmacEnabled: input?.hmacEnabled ?? false,
  };
}

export function formHandlers(forms: FormsService): ServiceHandlers<typeof FormServiceService> {
  return {
    createForm: async (request, ctx) => {
      const { form, secret } = await forms.create(ctx.principal, formInput(request.form));
      return { form: toFormProto(form), hmacSecret: secret };
    },
    getForm: async (request, ctx) => ({ form: toFormProto(await forms.get(ctx.principal, request.id)) }),
    listForms: async (request, ctx) => {
      const page = await forms.list(ctx.principal, request.page?.limit ?? 0, request.page?.cursor ?? '');
      return { forms: page.forms.map(toFormProto), page: { nextCursor: page.nextCursor } };
    },
    updateForm: async (request, ctx) => ({
      form: toFormProto(
        await forms.update(ctx.principal, request.id, request.expectedVersion, formInput(request.form)),
      ),
    }),
    deleteForm: async (request, ctx) => ({
      form: toFormProto(await forms.delete(ctx.principal, request.id, request.expectedVersion)),
    }),
    describePublicForm: async (request, ctx) => ({
      allowedOrigins: await forms.describePublic(ctx.principal, request.formId),
    }),
    submitForm: async (request, ctx) => ({
      runId: await forms.submit(ctx.principal, {
        formId: request.formId,
        fields: request.fields ?? {},
        origin: request.origin,
        clientIp: request.clientIp,
        userAgent: request.userAgent,
        signature: request.signature,
        rawBody: Buffer.from(request.rawBody),
      }),
    }),
  };
}

export function assignmentHandlers(assignment: AssignmentService): ServiceHandlers<typeof AssignmentServiceService> {
  return {
    getAssignmentTeam: async (request, ctx) => ({
      team: toTeamProto(await assignment.get(ctx.principal, request.teamId)),
    }),
    listAssignmentTeams: async (_request, ctx) => ({ teams: (await assignment.list(ctx.principal)).map(toTeamProto) }),
    setAssignmentTeam: async (request, ctx) => ({
      team: toTeamProto(
        await assignment.set(ctx.principal, request.teamId, request.expectedVersion, request.memberIds),
      ),
    }),
    setAvailability: async (request, ctx) => ({
      team: toTeamProto(
        await assignment.setAvailability(
          ctx.principal,
          request.teamId,
          request.userId,
          request.away,
          request.awayUntil ?? null,
        ),
      ),
    }),
  };
}
