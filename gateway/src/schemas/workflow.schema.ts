import { z } from 'zod';
import {
  booleanQuery,
  idSchema,
  listOf,
  nullableShape,
  nullableTimestamp,
  pageQuery,
  timestamp,
} from './common.schema';

// Rules, runs, tasks, webhook endpoints and forms of the workflow service. The gateway checks shapes; what a
// trigger, condition or action means is validated by the service when a rule is saved (a bad one is a 400 naming
// the field, e.g. "trigger.event" or "actions[1].set.tier").

const json = z.unknown().meta({ description: 'Any JSON value' });
const jsonObject = z.record(z.string(), z.unknown());

export const ruleKey = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[a-z0-9][a-z0-9_.-]*$/, 'must be lowercase letters, digits, ".", "_" or "-"')
  .meta({ description: 'Stable name of the rule in YAML files, unique per tenant, e.g. "three-day-follow-up".' });

/** A rule's trigger kinds (triggerTypes below adds none; it is also a run's filter). */
const triggerKinds = ['event', 'relative', 'schedule', 'threshold', 'manual'] as const;

const ruleFields = {
  key: ruleKey,
  name: z.string().min(1).max(200),
  description: z.string().max(2000),
  enabled: z.boolean(),
  trigger: z.looseObject({ type: z.enum(triggerKinds) }).meta({
    description:
      'One of {type: event|relative|schedule|threshold|manual, ...}; see services/workflow/README.md (e.g. {type: "event", event: "deal.won"}).',
  }),
  conditions: json.meta({ description: 'A JSON Logic expression over {event, record, previous, trigger, payload}.' }),
  actions: z
    .array(z.looseObject({ id: z.string().min(1).max(100), type: z.string().min(1).max(100) }))
    .min(1)
    .max(50)
    .meta({ description: 'The steps in order, each {id, type, ...}: create_task, update_record, assign_owner, ...' }),
};

export const ruleCreateSchema = z
  .strictObject(ruleFields)
  .partial({ description: true, enabled: true, conditions: true })
  .meta({ id: 'WorkflowRuleCreate' });

/** Merge patch over the rule's definition; the service replaces the whole definition with the merged one. */
export const rulePatchSchema = z
  .strictObject({ ...ruleFields, conditions: json })
  .partial()
  .meta({ id: 'WorkflowRulePatch' });

export const ruleSchema = z
  .object({
    id: z.string(),
    tenantId: z.string(),
    key: z.string(),
    name: z.string(),
    description: z.string(),
    enabled: z.boolean(),
    trigger: jsonObject.nullable(),
    conditions: json,
    actions: z.array(jsonObject).nullable(),
    ownerId: z.string(),
    teamId: z.string(),
    version: z.number().int(),
    createdAt: nullableTimestamp,
    updatedAt: nullableTimestamp,
  })
  .meta({ id: 'WorkflowRule' });

export const ruleListSchema = listOf(ruleSchema, 'WorkflowRuleList');

export const triggerTypes = triggerKinds;

export const ruleListQuery = z.strictObject({
  triggerType: z.enum(triggerTypes).optional(),
  enabled: booleanQuery.optional().meta({ description: 'true: only enabled rules.' }),
  ...pageQuery,
});

export const dryRunQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).optional().meta({ description: 'At most this many matches (20).' }),
});

export const dryRunBodySchema = z
  .strictObject({ rule: ruleCreateSchema })
  .meta({ id: 'WorkflowDryRunRequest', description: 'A rule that is not saved.' });

const plannedChange = z.object({
  stepId: z.string(),
  action: z.string(),
  description: z.string(),
  target: z.string(),
  fields: jsonObject.nullable(),
});

const dryRunMatch = z.object({
  subjectType: z.string(),
  subjectId: z.string(),
  subjectName: z.string(),
  changes: z.array(plannedChange),
});

export const dryRunSchema = z
  .object({ matches: z.array(dryRunMatch), examined: z.number().int(), notes: z.array(z.string()) })
  .meta({ id: 'WorkflowDryRun' });

export const exportQuery = z.strictObject({
  keys: z.string().max(4000).optional().meta({ description: 'Comma-separated rule keys; all rules when absent.' }),
  format: z.enum(['json', 'yaml']).optional().meta({ description: 'yaml answers the document as application/yaml.' }),
});

export const exportSchema = z.object({ yaml: z.string() }).meta({ id: 'WorkflowRulesExport' });

export const applySchema = z
  .strictObject({
    yaml: z.string().min(1).max(1_000_000).meta({
      description:
        'A YAML document: {rules: [...]} or a list of rules, as /export writes it. Several documents separated by --- (files applied together, as `pnpm crm rules apply rules/*.yaml` sends them) are one list.',
    }),
    dryRun: z.boolean().optional().meta({ description: 'Only the plan: diffs and what each rule would match.' }),
    prune: z.boolean().optional().meta({ description: 'Delete the rules the document does not name.' }),
  })
  .meta({ id: 'WorkflowRulesApply' });

export const applyResultSchema = z
  .object({
    dryRun: z.boolean(),
    changes: z.array(
      z.object({
        key: z.string(),
        action: z.enum(['create', 'update', 'unchanged', 'delete']),
        ruleId: z.string(),
        diff: z.string(),
        version: z.number().int(),
        matches: z.array(dryRunMatch),
      }),
    ),
  })
  .meta({ id: 'WorkflowRulesApplyResult' });

export const triggerSchema = z
  .strictObject({ payload: jsonObject.optional().meta({ description: 'Available to the rule as {{payload.*}}.' }) })
  .meta({ id: 'WorkflowTrigger' });

export const runRefSchema = z.object({ runId: z.string() }).meta({ id: 'WorkflowRunRef' });

// Runs

export const runStatuses = ['pending', 'running', 'waiting', 'succeeded', 'failed', 'cancelled'] as const;

const runStep = z.object({
  id: z.string(),
  type: z.string(),
  status: z.enum(['pending', 'running', 'succeeded', 'failed', 'skipped']),
  attempts: z.number().int(),
  input: jsonObject.nullable(),
  output: json,
  error: z.string(),
  startedAt: nullableTimestamp,
  finishedAt: nullableTimestamp,
  nextAttemptAt: nullableTimestamp,
  actionId: z.string(),
});

export const runSchema = z
  .object({
    id: z.string(),
    tenantId: z.string(),
    ruleId: z.string(),
    ruleVersion: z.number().int(),
    ruleName: z.string(),
    triggerType: z.string(),
    eventId: z.string(),
    eventType: z.string(),
    subjectType: z.string(),
    subjectId: z.string(),
    status: z.enum(runStatuses),
    input: jsonObject.nullable(),
    steps: z.array(runStep).meta({ description: 'Each step with its status; empty in lists.' }),
    error: z.string(),
    ownerId: z.string(),
    teamId: z.string(),
    version: z.number().int(),
    createdAt: nullableTimestamp,
    updatedAt: nullableTimestamp,
    finishedAt: nullableTimestamp,
  })
  .meta({ id: 'WorkflowRun' });

export const runListSchema = listOf(runSchema, 'WorkflowRunList');

export const runListQuery = z.strictObject({
  ruleId: idSchema.optional(),
  status: z.enum(runStatuses).optional(),
  triggerType: z.enum([...triggerTypes, 'form']).optional(),
  subjectId: idSchema.optional(),
  eventType: z.string().max(100).optional(),
  createdAfter: timestamp.optional(),
  createdBefore: timestamp.optional(),
  ...pageQuery,
});

export const runRetrySchema = z
  .strictObject({
    fromStepId: z
      .string()
      .min(1)
      .max(200)
      .optional()
      .meta({ description: 'Default: the failed step. Steps that succeeded before it are not repeated.' }),
  })
  .meta({ id: 'WorkflowRunRetry' });

// Tasks

export const taskPriorities = ['low', 'normal', 'high', 'urgent'] as const;
export const taskStatuses = ['open', 'completed', 'cancelled'] as const;

const taskWritable = {
  title: z.string().min(1).max(500),
  description: z.string().max(10_000),
  dueAt: timestamp,
  priority: z.enum(taskPriorities),
  status: z.enum(taskStatuses),
  reminderAt: timestamp.meta({ description: 'When task.reminder is sent to the owner (over /api/v1/events).' }),
  contactId: idSchema,
  companyId: idSchema,
  dealId: idSchema,
  ticketId: idSchema,
};
const assignment = { ownerId: z.string().min(1).max(128), teamId: z.string().min(1).max(128) };

export const taskCreateSchema = z
  .strictObject({ ...taskWritable, ...assignment })
  .partial()
  .required({ title: true })
  .meta({ id: 'TaskCreate' });

export const taskPatchSchema = z
  .strictObject({ ...nullableShape(taskWritable), ...assignment })
  .partial()
  .meta({ id: 'TaskPatch' });

export const taskSnoozeSchema = z
  .strictObject({
    until: timestamp.meta({ description: 'The new reminder time.' }),
    moveDue: z.boolean().optional().meta({ description: 'Also move the due time to until.' }),
  })
  .meta({ id: 'TaskSnooze' });

export const taskSchema = z
  .object({
    id: z.string(),
    tenantId: z.string(),
    title: z.string(),
    description: z.string(),
    dueAt: nullableTimestamp,
    priority: z.enum(taskPriorities),
    status: z.enum(taskStatuses),
    reminderAt: nullableTimestamp,
    remindedAt: nullableTimestamp,
    contactId: z.string(),
    companyId: z.string(),
    dealId: z.string(),
    ticketId: z.string(),
    ownerId: z.string(),
    teamId: z.string(),
    runId: z.string(),
    ruleId: z.string(),
    completedAt: nullableTimestamp,
    overdue: z.boolean(),
    version: z.number().int(),
    createdAt: nullableTimestamp,
    updatedAt: nullableTimestamp,
  })
  .meta({ id: 'Task' });

export const taskListSchema = listOf(taskSchema, 'TaskList');

export const taskListQuery = z.strictObject({
  ownerId: z.string().max(128).optional().meta({ description: '"me" is the caller.' }),
  status: z.enum(taskStatuses).optional(),
  overdueOnly: booleanQuery.optional(),
  contactId: idSchema.optional(),
  companyId: idSchema.optional(),
  dealId: idSchema.optional(),
  ticketId: idSchema.optional(),
  dueBefore: timestamp.optional(),
  ...pageQuery,
});

// Webhook endpoints and deliveries

const eventFilter = z
  .string()
  .min(1)
  .max(100)
  .regex(/^(\*|[a-z_]+\.(\*|[a-z_]+))$/, 'must be an event type, "<entity>.*" or "*"');

const endpointWritable = {
  url: z.url().max(2000).meta({ description: 'https, resolving to a public address (checked again at connect time).' }),
  description: z.string().max(1000),
  eventTypes: z.array(eventFilter).max(100).meta({ description: 'e.g. ["deal.won", "contact.*"]' }),
  status: z.enum(['enabled', 'disabled']).meta({ description: 'Enabling resets the failure count.' }),
};

export const endpointCreateSchema = z
  .strictObject(endpointWritable)
  .partial()
  .required({ url: true })
  .meta({ id: 'WebhookEndpointCreate' });

export const endpointPatchSchema = z.strictObject(endpointWritable).partial().meta({ id: 'WebhookEndpointPatch' });

export const endpointSchema = z
  .object({
    id: z.string(),
    tenantId: z.string(),
    url: z.string(),
    description: z.string(),
    eventTypes: z.array(z.string()),
    status: z.enum(['enabled', 'disabled']),
    disabledReason: z.string(),
    secretIds: z.array(z.string()),
    consecutiveFailures: z.number().int(),
    ownerId: z.string(),
    teamId: z.string(),
    version: z.number().int(),
    createdAt: nullableTimestamp,
    updatedAt: nullableTimestamp,
  })
  .meta({ id: 'WebhookEndpoint' });

export const endpointWithSecretSchema = z
  .object({
    endpoint: endpointSchema,
    secret: z.string().meta({ description: 'whsec_<base64>: shown only here. Verify signatures with it.' }),
  })
  .meta({ id: 'WebhookEndpointWithSecret' });

export const endpointListSchema = listOf(endpointSchema, 'WebhookEndpointList');

export const rotateSchema = z
  .strictObject({
    overlapSeconds: z
      .number()
      .int()
      .min(0)
      .max(7 * 86_400)
      .optional()
      .meta({ description: 'How long the old secret keeps signing too (default 24 h).' }),
  })
  .meta({ id: 'WebhookSecretRotation' });

export const deliveryStatuses = ['pending', 'succeeded', 'failed', 'dead_lettered'] as const;

export const deliverySchema = z
  .object({
    id: z.string().meta({ description: 'Also the webhook-id header: the same on every attempt.' }),
    tenantId: z.string(),
    endpointId: z.string(),
    eventType: z.string(),
    eventId: z.string(),
    runId: z.string(),
    status: z.enum(deliveryStatuses),
    attempts: z.array(
      z.object({
        at: nullableTimestamp,
        statusCode: z.number().int().meta({ description: '0 when no HTTP answer came.' }),
        latencyMs: z.number().int(),
        error: z.string(),
      }),
    ),
    nextAttemptAt: nullableTimestamp,
    payload: z.string(),
    version: z.number().int(),
    createdAt: nullableTimestamp,
    updatedAt: nullableTimestamp,
  })
  .meta({ id: 'WebhookDelivery' });

export const deliveryListSchema = listOf(deliverySchema, 'WebhookDeliveryList');

export const deliveryListQuery = z.strictObject({ status: z.enum(deliveryStatuses).optional(), ...pageQuery });

export const deliveryParams = z.strictObject({ id: idSchema, deliveryId: idSchema });

export const replaySchema = z
  .strictObject({
    deliveryIds: z.array(idSchema).max(500).optional().meta({ description: 'Default: every one with the status.' }),
    status: z.enum(['failed', 'dead_lettered']).optional().meta({ description: 'Default dead_lettered.' }),
  })
  .meta({ id: 'WebhookReplay' });

export const replayResultSchema = z.object({ deliveryIds: z.array(z.string()) }).meta({ id: 'WebhookReplayResult' });

// Forms

const formField = z.strictObject({
  name: z
    .string()
    .min(1)
    .max(100)
    .regex(/^[A-Za-z][A-Za-z0-9_-]*$/, 'must be a field name'),
  label: z.string().max(200).optional(),
  mapsTo: z
    .string()
    .max(100)
    .optional()
    .meta({ description: 'first_name | last_name | email | phone | title | lead_source | custom_fields.<key>' }),
  required: z.boolean().optional(),
});

const formAssignment = z.strictObject({
  strategy: z.enum(['round_robin', 'least_loaded', 'fixed']),
  teamId: z.string().max(128).optional(),
  ownerId: z.string().max(128).optional(),
});

const origin = z
  .string()
  .max(300)
  .regex(/^https?:\/\/[^/\s]+$/, 'must be an origin, e.g. https://www.example.com');

const formWritable = {
  name: z.string().min(1).max(200),
  fields: z.array(formField).min(1).max(50),
  consentText: z.string().max(5000),
  allowedOrigins: z.array(origin).max(50),
  honeypotField: z.string().max(100),
  assignment: formAssignment,
  followUpTitle: z.string().max(500),
  followUpDueMinutes: z
    .number()
    .int()
    .min(0)
    .max(60 * 24 * 365),
  enabled: z.boolean(),
  hmacEnabled: z.boolean().meta({ description: 'Server-side posts must carry X-Crm-Signature.' }),
};

export const formCreateSchema = z
  .strictObject(formWritable)
  .partial()
  .required({ name: true, fields: true, assignment: true })
  .meta({ id: 'FormCreate' });

export const formPatchSchema = z.strictObject(formWritable).partial().meta({ id: 'FormPatch' });

export const formSchema = z
  .object({
    id: z.string(),
    tenantId: z.string(),
    name: z.string(),
    fields: z.array(z.object({ name: z.string(), label: z.string(), mapsTo: z.string(), required: z.boolean() })),
    consentText: z.string(),
    allowedOrigins: z.array(z.string()),
    honeypotField: z.string(),
    assignment: z.object({ strategy: z.string(), teamId: z.string(), ownerId: z.string() }).nullable(),
    followUpTitle: z.string(),
    followUpDueMinutes: z.number().int(),
    enabled: z.boolean(),
    hmacEnabled: z.boolean(),
    ownerId: z.string(),
    teamId: z.string(),
    version: z.number().int(),
    createdAt: nullableTimestamp,
    updatedAt: nullableTimestamp,
  })
  .meta({ id: 'Form' });

export const formCreatedSchema = z
  .object({
    form: formSchema,
    hmacSecret: z.string().meta({ description: 'For server-side posts; shown only here (empty without HMAC).' }),
  })
  .meta({ id: 'FormCreated' });

export const formListSchema = listOf(formSchema, 'FormList');

export const publicFormParams = z.strictObject({ formId: idSchema });

export const formSubmissionSchema = z
  .record(z.string().max(100), z.union([z.string().max(10_000), z.number(), z.boolean()]))
  .meta({
    id: 'FormSubmission',
    description:
      'The form\'s fields by name (JSON or application/x-www-form-urlencoded). Server-side posts sign the raw body: X-Crm-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.body">.',
  });

export const formAcceptedSchema = z
  .object({ status: z.literal('accepted') })
  .meta({ id: 'FormAccepted', description: 'The submission is being worked (contact, owner, follow-up task).' });
