// A rule's trigger, conditions and actions, as JSON (the API's Struct/Value, the YAML files), and their
// validation at save: every problem is a field violation whose path names the field, e.g. "trigger.event",
// "conditions", "actions[1].set.tier".
import { Cron } from 'croner';
import { z } from 'zod';
import type { FieldViolation } from '@crm/service-kit';
import { isValidTimezone } from './business-calendar';
import { EVENT_TYPES, TAGGED, entityOf, isWritableField, type RecordEntity } from './catalog';
import { conditionProblems } from './conditions';

const eventType = z
  .string()
  .refine((t) => EVENT_TYPES.includes(t), { message: 'is not an event this platform publishes' });
const unit = z.enum(['seconds', 'minutes', 'hours', 'days', 'business_days']);
const duration = z.strictObject({ amount: z.number().positive().max(100_000), unit });
const recordEntity = z.enum(['contact', 'company', 'deal', 'ticket']);
const jsonValue: z.ZodType<unknown> = z.unknown();

const changedField = z.strictObject({
  field: z.string().min(1).max(100),
  from: jsonValue.optional(),
  to: jsonValue.optional(),
});

export const triggerSchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('event'),
    event: eventType,
    /** Fire only when these fields changed (from/to values, when given, must match). */
    changed: z.array(changedField).max(10).optional(),
  }),
  z.strictObject({
    type: z.literal('relative'),
    after: eventType,
    delay: z.number().positive().max(100_000),
    unit,
    /** Events that cancel the wait when they concern the same record (e.g. activity.logged for the contact). */
    unless: z.array(eventType).max(10).optional(),
    /** A ticket-service business calendar for unit business_days; the tenant default otherwise. */
    calendar: z.string().max(100).optional(),
  }),
  z.strictObject({
    type: z.literal('schedule'),
    cron: z.string().min(1).max(100),
    timezone: z.string().default('UTC'),
  }),
  z.strictObject({
    type: z.literal('threshold'),
    /** The records measured: deal (deal.* events). */
    source: z.enum(['deal', 'ticket']),
    /** The record field that names what crosses, e.g. companyId. */
    groupBy: z.string().min(1).max(100),
    /** The numeric field summed, e.g. amount.amountMinor; "1" counts. */
    measure: z.string().min(1).max(100),
    /** Which records count (JSON Logic over the record). */
    where: jsonValue.optional(),
    above: z.number(),
    /** Re-armed when the total drops below this (default: above). */
    rearmBelow: z.number().optional(),
  }),
  z.strictObject({ type: z.literal('manual') }),
]);

export type Trigger = z.infer<typeof triggerSchema>;
export type TriggerType = Trigger['type'];
export const TRIGGER_TYPES: readonly TriggerType[] = ['event', 'relative', 'schedule', 'threshold', 'manual'];

const stepId = z
  .string()
  .regex(/^[a-z][a-z0-9_-]{0,40}$/, 'must be a short lower-case id, e.g. "notify"')
  .optional();
const template = z.string().max(2000);

const createTask = z.strictObject({
  id: stepId,
  type: z.literal('create_task'),
  title: template.min(1),
  description: template.optional(),
  dueIn: duration.optional(),
  dueAt: template.optional(),
  owner: template.optional(),
  priority: z.enum(['low', 'normal', 'high', 'urgent']).optional(),
  reminderBefore: duration.optional(),
  related: z
    .strictObject({
      contactId: template.optional(),
      companyId: template.optional(),
      dealId: template.optional(),
      ticketId: template.optional(),
    })
    .optional(),
});
const updateRecord = z.strictObject({
  id: stepId,
  type: z.literal('update_record'),
  entity: recordEntity,
  /** The record; default the run's subject. */
  target: template.optional(),
  /** For contacts: every contact of this company instead of one target. */
  contactsOfCompany: template.optional(),
  set: z.record(z.string(), jsonValue).refine((s) => Object.keys(s).length > 0, 'must set at least one field'),
});
const assignOwner = z.strictObject({
  id: stepId,
  type: z.literal('assign_owner'),
  entity: recordEntity,
  target: template.optional(),
  strategy: z.enum(['round_robin', 'least_loaded']),
  team: z.string().min(1).max(100),
});
const addTag = z.strictObject({
  id: stepId,
  type: z.literal('add_tag'),
  entity: recordEntity,
  target: template.optional(),
  tag: template.min(1).max(100),
});
const webhook = z.strictObject({
  id: stepId,
  type: z.literal('webhook'),
  endpoint: z.string().min(1).max(100),
  eventType: z.string().regex(/^[a-z][a-z0-9_.-]{0,80}$/, 'must be an event type like "deal.won"'),
  payload: jsonValue.optional(),
});
const addNote = z.strictObject({
  id: stepId,
  type: z.literal('add_note'),
  /** The ticket; default the run's subject. */
  target: template.optional(),
  body: z.string().min(1).max(5000),
  /** A public reply to the requester instead of an internal note. */
  public: z.boolean().optional(),
});
const wait = z.strictObject({
  id: stepId,
  type: z.literal('wait'),
  for: duration.optional(),
  until: template.optional(),
});

interface BranchStep {
  id?: string;
  type: 'branch';
  if: unknown;
  then: ActionStep[];
  else?: ActionStep[];
}

export type ActionStep =
  | z.infer<typeof createTask>
  | z.infer<typeof updateRecord>
  | z.infer<typeof assignOwner>
  | z.infer<typeof addTag>
  | z.infer<typeof webhook>
  | z.infer<typeof addNote>
  | z.infer<typeof wait>
  | BranchStep;

export const actionSchema: z.ZodType<ActionStep> = z.lazy(() =>
  z.discriminatedUnion('type', [
    createTask,
    updateRecord,
    assignOwner,
    addTag,
    webhook,
    addNote,
    wait,
    z.strictObject({
      id: stepId,
      type: z.literal('branch'),
      if: jsonValue,
      then: z.array(actionSchema).max(50),
      else: z.array(actionSchema).max(50).optional(),
    }),
  ]),
) as z.ZodType<ActionStep>;

export type ActionType = ActionStep['type'];

export const ACTION_TYPES: readonly ActionType[] = [
  'create_task',
  'update_record',
  'assign_owner',
  'add_tag',
  'webhook',
  'add_note',
  'wait',
  'branch',
];

export interface RuleDefinition {
  key: string;
  name: string;
  description: string;
  enabled: boolean;
  trigger: Trigger;
  conditions: unknown;
  actions: ActionStep[];
}

const ruleSchema = z.strictObject({
  key: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'must be lower-case letters, digits and dashes'),
  name: z.string().trim().min(1).max(200),
  description: z.string().max(2000).default(''),
  enabled: z.boolean().default(true),
  trigger: triggerSchema,
  conditions: jsonValue.optional(),
  actions: z.array(actionSchema).min(1).max(50),
});

/** Parses and validates a rule; throws nothing, returns the rule or the violations. */
export function parseRule(input: unknown): { rule?: RuleDefinition; violations: FieldViolation[] } {
  const parsed = ruleSchema.safeParse(input);
  if (!parsed.success) return { violations: parsed.error.issues.map(violationOf) };
  const rule: RuleDefinition = {
    ...parsed.data,
    conditions: parsed.data.conditions ?? null,
    actions: withStepIds(parsed.data.actions),
  };
  const violations = [...triggerProblems(rule.trigger), ...conditionViolations(rule.conditions)];
  violations.push(...actionViolations(rule.actions, 'actions', subjectOfTrigger(rule.trigger)));
  return violations.length ? { violations } : { rule, violations };
}

function violationOf(issue: z.core.$ZodIssue): FieldViolation {
  const field = issue.path
    .map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`))
    .join('');
  const unknownKeys = issue.code === 'unrecognized_keys' ? issue.keys : [];
  if (unknownKeys.length)
    return {
      field: field ? `${field}.${unknownKeys[0]}` : String(unknownKeys[0]),
      description: 'is not a known field',
    };
  if (issue.code === 'invalid_union' && issue.path.at(-1) !== 'type')
    return { field: field ? `${field}.type` : 'type', description: 'is not a known type' };
  return { field: field || 'rule', description: issue.message };
}

function triggerProblems(trigger: Trigger): FieldViolation[] {
  if (trigger.type === 'event' && trigger.changed) {
    const entity = entityOf(trigger.event);
    return trigger.changed.flatMap((c, i) =>
      entity &&
      entity in ({ contact: 1, company: 1, deal: 1, ticket: 1 } as const) &&
      !knownRecordField(entity as RecordEntity, c.field)
        ? [{ field: `trigger.changed[${i}].field`, description: `is not a field of a ${entity}` }]
        : [],
    );
  }
  if (trigger.type === 'schedule') {
    const problems: FieldViolation[] = [];
    if (!isValidTimezone(trigger.timezone))
      problems.push({ field: 'trigger.timezone', description: 'is not an IANA time zone, e.g. Europe/Berlin' });
    try {
      new Cron(trigger.cron, { timezone: isValidTimezone(trigger.timezone) ? trigger.timezone : 'UTC', paused: true });
    } catch (error) {
      problems.push({ field: 'trigger.cron', description: `does not parse: ${(error as Error).message}` });
    }
    return problems;
  }
  if (trigger.type === 'threshold') {
    const problems = conditionProblems(trigger.where ?? null).map((d) => ({ field: 'trigger.where', description: d }));
    if (trigger.rearmBelow !== undefined && trigger.rearmBelow > trigger.above)
      problems.push({ field: 'trigger.rearmBelow', description: 'must not be above the threshold' });
    return problems;
  }
  if (trigger.type === 'relative' && trigger.unless?.includes(trigger.after))
    return [{ field: 'trigger.unless', description: 'cannot contain the starting event' }];
  return [];
}

/** Fields of a record that triggers may watch: the writable ones plus the usual server-set ones. */
const WATCHABLE = ['ownerId', 'teamId', 'status', 'stageId', 'pipelineId', 'amount', 'probability', 'deletedAt'];

function knownRecordField(entity: RecordEntity, field: string): boolean {
  const top = field.split('.')[0] as string;
  return (
    isWritableField(entity, field) ||
    isWritableField(entity, top) ||
    WATCHABLE.includes(top) ||
    field.startsWith('customFields.')
  );
}

function conditionViolations(conditions: unknown): FieldViolation[] {
  return conditionProblems(conditions).map((description) => ({ field: 'conditions', description }));
}

/** The record type a rule's runs are about, when its trigger says. */
export function subjectOfTrigger(trigger: Trigger): RecordEntity | undefined {
  if (trigger.type === 'event') return asRecordEntity(entityOf(trigger.event));
  if (trigger.type === 'relative') return asRecordEntity(entityOf(trigger.after));
  if (trigger.type === 'threshold') return asRecordEntity(trigger.groupBy.replace(/Id$/, ''));
  return undefined;
}

function asRecordEntity(entity: string | undefined): RecordEntity | undefined {
  return (['contact', 'company', 'deal', 'ticket'] as const).find((e) => e === entity);
}

function actionViolations(actions: ActionStep[], path: string, subject: RecordEntity | undefined): FieldViolation[] {
  const violations: FieldViolation[] = [];
  const ids = new Set<string>();
  actions.forEach((action, i) => {
    const at = `${path}[${i}]`;
    if (action.id && ids.has(action.id)) violations.push({ field: `${at}.id`, description: 'is used twice' });
    if (action.id) ids.add(action.id);
    switch (action.type) {
      case 'update_record':
        for (const field of Object.keys(action.set))
          if (!isWritableField(action.entity, field))
            violations.push({
              field: `${at}.set.${field}`,
              description: `is not a field a rule may set on a ${action.entity}`,
            });
        if (action.contactsOfCompany && action.entity !== 'contact')
          violations.push({ field: `${at}.contactsOfCompany`, description: 'applies to contacts only' });
        if (!action.target && !action.contactsOfCompany && subject !== action.entity)
          violations.push({
            field: `${at}.target`,
            description: `is required: the run is not about a ${action.entity}`,
          });
        break;
      case 'assign_owner':
      case 'add_tag':
        if (action.type === 'add_tag' && !TAGGED.includes(action.entity))
          violations.push({ field: `${at}.entity`, description: `a ${action.entity} has no tags` });
        if (!action.target && subject !== action.entity)
          violations.push({
            field: `${at}.target`,
            description: `is required: the run is not about a ${action.entity}`,
          });
        break;
      case 'add_note':
        if (!action.target && subject !== 'ticket')
          violations.push({ field: `${at}.target`, description: 'is required: the run is not about a ticket' });
        break;
      case 'wait':
        if (!action.for === !action.until)
          violations.push({ field: `${at}.for`, description: 'a wait takes either "for" or "until"' });
        break;
      case 'branch':
        violations.push(...conditionProblems(action.if).map((description) => ({ field: `${at}.if`, description })));
        violations.push(...actionViolations(action.then, `${at}.then`, subject));
        violations.push(...actionViolations(action.else ?? [], `${at}.else`, subject));
        break;
      default:
        break;
    }
  });
  return violations;
}

/** Steps without an id get "s<n>" by position, so runs and retries can name them. */
function withStepIds(actions: ActionStep[], prefix = 's'): ActionStep[] {
  return actions.map((action, i) => {
    const id = action.id ?? `${prefix}${i + 1}`;
    if (action.type !== 'branch') return { ...action, id };
    return {
      ...action,
      id,
      then: withStepIds(action.then, `${id}-then-`),
      ...(action.else ? { else: withStepIds(action.else, `${id}-else-`) } : {}),
    };
  });
}
