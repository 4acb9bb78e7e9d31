// The service's records (RecordStore over the event log) and their read-model rows.
import { Schema, type Connection, type Model } from 'mongoose';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import {
  jsonb,
  RecordStore,
  rowProjection,
  type EventLog,
  type EventPublisher,
  type TenantRecord,
} from '@crm/service-kit';
import type { DeliveryDoc, EndpointDoc, FormDoc, RuleDoc, TeamDoc } from '../domain/records';
import type { RunDoc } from '../domain/run';
import type { TaskDoc } from '../domain/task';

/** Snapshot collections are read and written by _id only; the schema is a pass-through. */
function snapshotModel<T>(mongo: Connection, name: string, collection: string): Model<T> {
  const existing = mongo.models[name] as Model<T> | undefined;
  if (existing) return existing;
  const schema = new Schema<T>({ _id: String } as never, { strict: false, versionKey: false });
  return mongo.model<T>(name, schema, collection);
}

const common = (doc: TenantRecord) => ({
  id: doc._id,
  tenant_id: doc.tenantId,
  owner_id: doc.ownerId,
  team_id: doc.teamId,
  version: doc.version,
});

const FAR_FUTURE = new Date('9999-12-31T00:00:00Z');

export function ruleRow(doc: RuleDoc) {
  return {
    ...common(doc),
    key: doc.key,
    name: doc.name,
    enabled: doc.enabled,
    trigger_type: doc.triggerType,
    definition: doc.definitionJson,
    deleted: Boolean(doc.deletedAt),
    created_at: doc.createdAt,
    updated_at: doc.updatedAt,
  };
}

export function runRow(doc: RunDoc) {
  return {
    ...common(doc),
    rule_id: doc.ruleId,
    rule_name: doc.ruleName,
    trigger_type: doc.triggerType,
    event_id: doc.eventId,
    event_type: doc.eventType,
    subject_type: doc.subjectType,
    subject_id: doc.subjectId,
    status: doc.status,
    error: doc.error,
    failed_step: doc.steps.find((s) => s.status === 'failed')?.id ?? '',
    created_at: doc.createdAt,
    updated_at: doc.updatedAt,
    finished_at: doc.finishedAt,
  };
}

export function taskRow(doc: TaskDoc) {
  return {
    ...common(doc),
    title: doc.title,
    priority: doc.priority,
    status: doc.status,
    due_at: doc.dueAt,
    due_sort: doc.dueAt ?? FAR_FUTURE,
    reminder_at: doc.reminderAt,
    contact_id: doc.contactId,
    company_id: doc.companyId,
    deal_id: doc.dealId,
    ticket_id: doc.ticketId,
    run_id: doc.runId,
    rule_id: doc.ruleId,
    deleted: Boolean(doc.deletedAt),
    created_at: doc.createdAt,
    updated_at: doc.updatedAt,
  };
}

export function endpointRow(doc: EndpointDoc) {
  return {
    ...common(doc),
    url: doc.url,
    status: doc.status,
    event_types: doc.eventTypes,
    deleted: Boolean(doc.deletedAt),
    created_at: doc.createdAt,
  };
}

export function deliveryRow(doc: DeliveryDoc) {
  const last = doc.attempts.at(-1);
  return {
    ...common(doc),
    endpoint_id: doc.endpointId,
    event_type: doc.eventType,
    event_id: doc.eventId,
    run_id: doc.runId,
    status: doc.status,
    attempts: doc.attempts.length,
    last_status_code: last?.statusCode ?? 0,
    last_latency_ms: last?.latencyMs ?? 0,
    next_attempt_at: doc.nextAttemptAt,
    created_at: doc.createdAt,
    updated_at: doc.updatedAt,
  };
}

export function formRow(doc: FormDoc) {
  return {
    ...common(doc),
    name: doc.name,
    enabled: doc.enabled,
    deleted: Boolean(doc.deletedAt),
    created_at: doc.createdAt,
  };
}

export function teamRow(doc: TeamDoc) {
  return { ...common(doc), members: jsonb(doc.members), updated_at: doc.updatedAt };
}

export interface WorkflowStores {
  rules: RecordStore<RuleDoc>;
  runs: RecordStore<RunDoc>;
  tasks: RecordStore<TaskDoc>;
  endpoints: RecordStore<EndpointDoc>;
  deliveries: RecordStore<DeliveryDoc>;
  forms: RecordStore<FormDoc>;
  teams: RecordStore<TeamDoc>;
}

export function createWorkflowStores(deps: {
  mongo: Connection;
  db: Kysely<unknown>;
  events: EventLog;
  publisher: EventPublisher;
  log: Logger;
}): WorkflowStores {
  const store = <T extends TenantRecord>(
    name: string,
    collection: string,
    kind: string,
    resource: string,
    table: string,
    toRow: (doc: T) => Record<string, unknown>,
    historyOmits: string[] = [],
  ) =>
    new RecordStore<T>({
      model: snapshotModel<T>(deps.mongo, name, collection),
      kind,
      policy: { resource },
      events: deps.events,
      publisher: deps.publisher,
      log: deps.log,
      projections: [rowProjection<T, unknown>({ db: deps.db, table, toRow })],
      historyOmits,
    });
  return {
    rules: store<RuleDoc>('WorkflowRule', 'rules', 'rule', 'workflows', 'rules', ruleRow),
    runs: store<RunDoc>('WorkflowRun', 'runs', 'run', 'workflows', 'runs', runRow, ['steps', 'inputJson', 'planJson']),
    tasks: store<TaskDoc>('WorkflowTask', 'tasks', 'task', 'tasks', 'tasks', taskRow),
    endpoints: store<EndpointDoc>(
      'WebhookEndpoint',
      'webhook_endpoints',
      'webhook endpoint',
      'webhooks',
      'webhook_endpoints',
      endpointRow,
      ['secrets'],
    ),
    deliveries: store<DeliveryDoc>(
      'WebhookDelivery',
      'webhook_deliveries',
      'webhook delivery',
      'webhooks',
      'webhook_deliveries',
      deliveryRow,
      ['payload'],
    ),
    forms: store<FormDoc>('WorkflowForm', 'forms', 'form', 'forms', 'forms', formRow, ['hmacSealed']),
    teams: store<TeamDoc>(
      'AssignmentTeam',
      'assignment_teams',
      'assignment team',
      'workflows',
      'assignment_teams',
      teamRow,
    ),
  };
}
