// Automation rules: CRUD, a dry run, rules as code (YAML export / apply with a plan) and manual triggers.
import { z } from 'zod';
import { RuleInput, type Rule } from '@crm/proto/crm/workflow/v1/rule';
import { ACCESS } from '../auth/access-policy';
import type { ServiceClients } from '../grpc/service-clients';
import { callUnary, type Downstream } from '../grpc/unary-call';
import { defineRoute, type Route, type RouteResult } from '../http/route';
import { jsonOf, listBody } from '../mappers/json-of';
import { idParams } from '../schemas/common.schema';
import {
  applyResultSchema,
  applySchema,
  dryRunBodySchema,
  dryRunQuery,
  dryRunSchema,
  exportQuery,
  exportSchema,
  ruleCreateSchema,
  ruleListQuery,
  ruleListSchema,
  rulePatchSchema,
  ruleSchema,
  runRefSchema,
  triggerSchema,
} from '../schemas/workflow.schema';
import { created, ok } from './common-responses';
import { expectedVersion, required } from './route-helpers';

const TAG = 'Workflows';
const BASE = '/api/v1/workflows';

type RuleBody = z.infer<typeof ruleCreateSchema>;

function ruleResult(rule: Rule | undefined, status = 200): RouteResult {
  const value = required(rule, 'a rule');
  return { status, body: jsonOf(value), version: value.version };
}

function ruleInputOf(body: RuleBody): RuleInput {
  return RuleInput.fromPartial({
    key: body.key,
    name: body.name,
    description: body.description ?? '',
    enabled: body.enabled ?? true,
    trigger: body.trigger as Record<string, unknown>,
    conditions: body.conditions ?? null,
    actions: body.actions,
  });
}

function getRule(clients: ServiceClients, downstream: Downstream, id: string): Promise<Rule> {
  return callUnary(downstream, clients.workflows.getRule.bind(clients.workflows), { id }).then((r) =>
    required(r.rule, 'a rule'),
  );
}

export const workflowRoutes: Route[] = [
  defineRoute({
    method: 'post',
    path: BASE,
    operationId: 'createWorkflowRule',
    summary: 'Create an automation rule',
    description:
      'A trigger, conditions (JSON Logic) and actions, validated when saved: a bad one is a 400 naming the field (e.g. trigger.event, conditions, actions[1].set.tier).',
    tag: TAG,
    access: ACCESS.workflowsWrite,
    body: ruleCreateSchema,
    responses: [created(ruleSchema, 'The rule')],
    handler: async ({ body, clients, downstream }) => {
      const response = await callUnary(downstream, clients.workflows.createRule.bind(clients.workflows), {
        rule: ruleInputOf(body),
      });
      return { ...ruleResult(response.rule, 201), location: `${BASE}/${response.rule?.id}` };
    },
  }),
  defineRoute({
    method: 'get',
    path: BASE,
    operationId: 'listWorkflowRules',
    summary: 'List automation rules',
    tag: TAG,
    access: ACCESS.workflowsRead,
    query: ruleListQuery,
    responses: [ok(ruleListSchema, 'A page of rules')],
    handler: async ({ query, clients, downstream }) => {
      const response = await callUnary(downstream, clients.workflows.listRules.bind(clients.workflows), {
        page: { limit: query.limit ?? 0, cursor: query.cursor ?? '' },
        triggerType: query.triggerType ?? '',
        enabledOnly: query.enabled ?? false,
      });
      return { status: 200, body: listBody(response.rules, response.page) };
    },
  }),
  defineRoute({
    method: 'get',
    path: `${BASE}/export`,
    operationId: 'exportWorkflowRules',
    summary: "Export the tenant's rules as YAML",
    description:
      'Sorted by key with keys in a fixed order, so export → apply → export is a fixed point. JSON {yaml} by default; format=yaml or Accept: application/yaml answers the document itself.',
    tag: TAG,
    access: ACCESS.workflowsRead,
    query: exportQuery,
    responses: [
      ok(exportSchema, 'The rules as one YAML document', {
        alternatives: { 'application/yaml': z.string().meta({ description: 'The YAML document' }) },
      }),
    ],
    handler: async ({ query, req, res, clients, downstream }) => {
      const keys = (query.keys ?? '')
        .split(',')
        .map((k) => k.trim())
        .filter(Boolean);
      const response = await callUnary(downstream, clients.workflows.exportRules.bind(clients.workflows), { keys });
      const yaml = query.format
        ? query.format === 'yaml'
        : req.accepts(['application/json', 'application/yaml']) === 'application/yaml';
      if (!yaml) return { status: 200, body: { yaml: response.yaml } };
      res.status(200).type('application/yaml; charset=utf-8').send(response.yaml);
      return undefined;
    },
  }),
  defineRoute({
    method: 'post',
    path: `${BASE}/apply`,
    operationId: 'applyWorkflowRules',
    summary: 'Apply a YAML document of rules (rules as code)',
    description:
      'Rules are matched by key: created, updated or left unchanged (with prune, rules the document does not name are deleted). Every change carries a diff against the live version. With dryRun nothing changes: the plan also lists, per rule, the existing records it would match and what it would do to them.',
    tag: TAG,
    access: ACCESS.workflowsWrite,
    body: applySchema,
    responses: [ok(applyResultSchema, 'What was (or, on a dry run, would be) done to each rule')],
    handler: async ({ body, clients, downstream }) => {
      const response = await callUnary(downstream, clients.workflows.applyRules.bind(clients.workflows), {
        yaml: body.yaml,
        dryRun: body.dryRun ?? false,
        prune: body.prune ?? false,
      });
      return { status: 200, body: jsonOf(response) };
    },
  }),
  defineRoute({
    method: 'post',
    path: `${BASE}/dry-run`,
    operationId: 'dryRunWorkflowRule',
    summary: 'Dry-run a rule that is not saved',
    description: 'Which existing records the rule would match now and what its actions would change. Changes nothing.',
    tag: TAG,
    access: ACCESS.workflowsWrite,
    query: dryRunQuery,
    body: dryRunBodySchema,
    responses: [ok(dryRunSchema, 'The matches and planned changes')],
    handler: async ({ query, body, clients, downstream }) => {
      const response = await callUnary(downstream, clients.workflows.dryRunRule.bind(clients.workflows), {
        id: '',
        rule: ruleInputOf(body.rule),
        limit: query.limit ?? 0,
      });
      return { status: 200, body: jsonOf(response) };
    },
  }),
  defineRoute({
    method: 'get',
    path: `${BASE}/{id}`,
    operationId: 'getWorkflowRule',
    summary: 'Get an automation rule',
    tag: TAG,
    access: ACCESS.workflowsRead,
    params: idParams,
    responses: [ok(ruleSchema, 'The rule', { etag: true })],
    handler: async ({ params, clients, downstream }) => ruleResult(await getRule(clients, downstream, params.id)),
  }),
  defineRoute({
    method: 'patch',
    path: `${BASE}/{id}`,
    operationId: 'updateWorkflowRule',
    summary: 'Update a rule (merge patch), e.g. {"enabled": false}',
    description: 'The merged definition is validated as a whole. Needs If-Match.',
    tag: TAG,
    access: ACCESS.workflowsWrite,
    bodyKind: 'merge-patch',
    ifMatch: 'required',
    params: idParams,
    body: rulePatchSchema,
    responses: [ok(ruleSchema, 'The updated rule', { etag: true })],
    handler: async ({ params, body, precondition, clients, downstream }) => {
      const current = await getRule(clients, downstream, params.id);
      const version = await expectedVersion(precondition, async () => current.version);
      const merged: RuleBody = {
        key: body.key ?? current.key,
        name: body.name ?? current.name,
        description: body.description ?? current.description,
        enabled: body.enabled ?? current.enabled,
        trigger: (body.trigger ?? current.trigger ?? {}) as RuleBody['trigger'],
        conditions: 'conditions' in body ? body.conditions : current.conditions,
        actions: (body.actions ?? current.actions ?? []) as RuleBody['actions'],
      };
      const response = await callUnary(downstream, clients.workflows.updateRule.bind(clients.workflows), {
        id: params.id,
        expectedVersion: version,
        rule: ruleInputOf(merged),
      });
      return ruleResult(response.rule);
    },
  }),
  defineRoute({
    method: 'delete',
    path: `${BASE}/{id}`,
    operationId: 'deleteWorkflowRule',
    summary: 'Delete a rule',
    description: 'Its pending time triggers are cancelled; runs already started finish. Needs If-Match.',
    tag: TAG,
    access: ACCESS.workflowsWrite,
    ifMatch: 'required',
    params: idParams,
    responses: [ok(ruleSchema, 'The deleted rule', { etag: true })],
    handler: async ({ params, precondition, clients, downstream }) => {
      const version = await expectedVersion(precondition, () =>
        getRule(clients, downstream, params.id).then((r) => r.version),
      );
      const response = await callUnary(downstream, clients.workflows.deleteRule.bind(clients.workflows), {
        id: params.id,
        expectedVersion: version,
      });
      return ruleResult(response.rule);
    },
  }),
  defineRoute({
    method: 'post',
    path: `${BASE}/{id}/dry-run`,
    operationId: 'dryRunSavedWorkflowRule',
    summary: 'Dry-run a saved rule',
    description: 'Which existing records the rule would match now and what its actions would change. Changes nothing.',
    tag: TAG,
    access: ACCESS.workflowsRead,
    params: idParams,
    query: dryRunQuery,
    body: z.strictObject({}),
    responses: [ok(dryRunSchema, 'The matches and planned changes')],
    handler: async ({ params, query, clients, downstream }) => {
      const response = await callUnary(downstream, clients.workflows.dryRunRule.bind(clients.workflows), {
        id: params.id,
        rule: undefined,
        limit: query.limit ?? 0,
      });
      return { status: 200, body: jsonOf(response) };
    },
  }),
  defineRoute({
    method: 'post',
    path: `${BASE}/{id}/trigger`,
    operationId: 'triggerWorkflowRule',
    summary: 'Run a rule with a manual trigger now',
    description:
      'For rules whose trigger is manual. Answers at once with the run (follow it at /api/v1/workflow-runs/{runId}). The Idempotency-Key also keys the run: a retried request starts no second one.',
    tag: TAG,
    access: ACCESS.workflowsWrite,
    params: idParams,
    body: triggerSchema,
    responses: [{ status: 202, description: 'The run that was started', schema: runRefSchema }],
    handler: async ({ params, body, req, principal, clients, downstream }) => {
      const key = req.get('idempotency-key');
      const response = await callUnary(downstream, clients.workflows.triggerRule.bind(clients.workflows), {
        id: params.id,
        payload: body.payload ?? {},
        requestId: key ? `${principal.clientId}:${principal.userId}:${key}`.slice(0, 300) : '',
      });
      return {
        status: 202,
        body: { runId: response.runId },
        location: `/api/v1/workflow-runs/${response.runId}`,
      };
    },
  }),
];
