// Records to proto messages (and the JSON kept in records to Struct/Value).
import type { AssignmentTeam } from '@crm/proto/crm/workflow/v1/team';
import type { Form } from '@crm/proto/crm/workflow/v1/form';
import type { Rule } from '@crm/proto/crm/workflow/v1/rule';
import type { Run, RunStep } from '@crm/proto/crm/workflow/v1/run';
import type { Task } from '@crm/proto/crm/workflow/v1/task';
import type { WebhookDelivery, WebhookEndpoint } from '@crm/proto/crm/workflow/v1/webhook';
import { isOverdue, type TaskDoc } from '../domain/task';
import type { DeliveryDoc, EndpointDoc, FormDoc, RuleDoc, TeamDoc } from '../domain/records';
import type { RunDoc, StepState } from '../domain/run';

const orUndefined = (d: Date | null | undefined): Date | undefined => d ?? undefined;

function parse(json: string): unknown {
  try {
    return JSON.parse(json) as unknown;
  } catch {
    return null;
  }
}

function asStruct(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

export function toRuleProto(doc: RuleDoc): Rule {
  const definition = parse(doc.definitionJson) as { trigger?: unknown; conditions?: unknown; actions?: unknown };
  return {
    id: doc._id,
    tenantId: doc.tenantId,
    key: doc.key,
    name: doc.name,
    description: doc.description,
    enabled: doc.enabled,
    trigger: asStruct(definition?.trigger),
    conditions: definition?.conditions ?? null,
    actions: definition?.actions ?? [],
    ownerId: doc.ownerId,
    teamId: doc.teamId,
    version: doc.version,
    createdAt: doc.createdAt,
    updatedAt: doc.updatedAt,
  };
}

function toStepProto(step: StepState, runId: string): RunStep {
  return {
    id: step.id,
    type: step.type,
    status: step.status,
    attempts: step.attempts,
    input: asStruct(parse(step.inputJson)),
    output: parse(step.outputJson) ?? undefined,
    error: step.error,
    startedAt: orUndefined(step.startedAt),
    finishedAt: orUndefined(step.finishedAt),
    nextAttemptAt: orUndefined(step.nextAttemptAt),
    actionId: `${runId}:${step.id}`,
  };
}

export function toRunProto(doc: RunDoc, options: { withDetail?: boolean } = { withDetail: true }): Run {
  const detail = options.withDetail !== false;
  return {
    id: doc._id,
    tenantId: doc.tenantId,
    ruleId: doc.ruleId,
    ruleVersion: doc.ruleVersion,
    ruleName: doc.ruleName,
    triggerType: doc.triggerType,
    eventId: doc.eventId,
    eventType: doc.eventType,
    subjectType: doc.subjectType,
    subjectId: doc.subjectId,
    status: doc.status,
    input: detail ? asStruct(parse(doc.inputJson)) : undefined,
    steps: doc.steps.map((s) => {
      const step = toStepProto(s, doc._id);
      return detail ? step : { ...step, input: undefined, output: undefined };
    }),
    error: doc.error,
    ownerId: doc.ownerId,
    teamId: doc.teamId,
    version: doc.version,
    createdAt: doc.createdAt,
    updatedAt: doc.updatedAt,
    finishedAt: orUndefined(doc.finishedAt),
  };
}

export function toTaskProto(doc: TaskDoc, now = new Date()): Task {
  return {
    id: doc._id,
    tenantId: doc.tenantId,
    title: doc.title,
    description: doc.description,
    dueAt: orUndefined(doc.dueAt),
    priority: doc.priority,
    status: doc.status,
    reminderAt: orUndefined(doc.reminderAt),
    remindedAt: orUndefined(doc.remindedAt),
    contactId: doc.contactId,
    companyId: doc.companyId,
    dealId: doc.dealId,
    ticketId: doc.ticketId,
    ownerId: doc.ownerId,
    teamId: doc.teamId,
    runId: doc.runId,
    ruleId: doc.ruleId,
    completedAt: orUndefined(doc.completedAt),
    overdue: isOverdue(doc, now),
    version: doc.version,
    createdAt: doc.createdAt,
    updatedAt: doc.updatedAt,
  };
}

export function toEndpointProto(doc: EndpointDoc, now = new Date()): WebhookEndpoint {
  return {
    id: doc._id,
    tenantId: doc.tenantId,
    url: doc.url,
    description: doc.description,
    eventTypes: doc.eventTypes,
    status: doc.status,
    disabledReason: doc.disabledReason,
    secretIds: doc.secrets.filter((s) => !s.expiresAt || s.expiresAt > now).map((s) => s.id),
    consecutiveFailures: doc.consecutiveFailures,
    ownerId: doc.ownerId,
    teamId: doc.teamId,
    version: doc.version,
    createdAt: doc.createdAt,
    updatedAt: doc.updatedAt,
  };
}

export function toDeliveryProto(doc: DeliveryDoc): WebhookDelivery {
  return {
    id: doc._id,
    tenantId: doc.tenantId,
    endpointId: doc.endpointId,
    eventType: doc.eventType,
    eventId: doc.eventId,
    runId: doc.runId,
    status: doc.status,
    attempts: doc.attempts.map((a) => ({ ...a })),
    nextAttemptAt: orUndefined(doc.nextAttemptAt),
    payload: doc.payload,
    version: doc.version,
    createdAt: doc.createdAt,
    updatedAt: doc.updatedAt,
  };
}

export function toFormProto(doc: FormDoc): Form {
  return {
    id: doc._id,
    tenantId: doc.tenantId,
    name: doc.name,
    fields: doc.fields.map((f) => ({ ...f })),
    consentText: doc.consentText,
    allowedOrigins: doc.allowedOrigins,
    honeypotField: doc.honeypotField,
    assignment: { ...doc.assignment },
    followUpTitle: doc.followUpTitle,
    followUpDueMinutes: doc.followUpDueMinutes,
    enabled: doc.enabled,
    hmacEnabled: doc.hmacEnabled,
    ownerId: doc.ownerId,
    teamId: doc.teamId,
    version: doc.version,
    createdAt: doc.createdAt,
    updatedAt: doc.updatedAt,
  };
}

export function toTeamProto(doc: TeamDoc): AssignmentTeam {
  return {
    teamId: doc.teamId,
    tenantId: doc.tenantId,
    members: doc.members.map((m) => ({ userId: m.userId, away: m.away, awayUntil: orUndefined(m.awayUntil) })),
    nextIndex: doc.nextIndex,
    version: doc.version,
    updatedAt: doc.updatedAt,
  };
}
