import { z } from 'zod';
import { customFields, idSchema, listOf, nullableShape, nullableTimestamp, pageQuery } from './common.schema';

export const ticketPriorities = ['low', 'normal', 'high', 'urgent'] as const;
export const ticketStatuses = ['new', 'open', 'pending', 'on_hold', 'solved', 'closed'] as const;
export const ticketTypes = ['question', 'incident', 'problem', 'task'] as const;
export const ticketChannels = ['web_form', 'email', 'api', 'phone'] as const;
export const ticketViews = [
  'my_open',
  'unassigned',
  'group_open',
  'breaching',
  'pending',
  'solved',
  'all_open',
] as const;
export const ticketOrders = ['updated_desc', 'created_desc', 'created_asc', 'sla_due_asc', 'priority_desc'] as const;
const metrics = ['first_reply', 'next_reply', 'periodic_update', 'resolution'] as const;

const tag = z.string().min(1).max(64);
const userId = z.string().min(1).max(128);

const writable = {
  subject: z.string().min(1).max(300),
  description: z.string().max(65_536),
  requesterContactId: idSchema,
  requesterEmail: z.email().max(254),
  companyId: idSchema,
  priority: z.enum(ticketPriorities),
  status: z.enum(ticketStatuses),
  type: z.enum(ticketTypes),
  tags: z.array(tag).max(50),
  customFields,
  assigneeId: userId.meta({ description: 'The agent working the ticket.' }),
  groupId: z.string().min(1).max(128).meta({ description: 'The support group (team).' }),
  channel: z.enum(ticketChannels),
  dealIds: z.array(idSchema).max(20),
};

export const ticketCreateSchema = z
  .strictObject({
    ...writable,
    requesterName: z.string().max(200).meta({ description: 'Name for a contact created from requesterEmail.' }),
  })
  .partial()
  .required({ subject: true })
  .meta({ id: 'TicketCreate' });

export const ticketPatchSchema = z
  .strictObject({
    ...nullableShape({
      description: writable.description,
      companyId: writable.companyId,
      type: writable.type,
      tags: writable.tags,
      customFields,
      assigneeId: writable.assigneeId,
      dealIds: writable.dealIds,
    }),
    subject: writable.subject,
    requesterContactId: writable.requesterContactId,
    priority: writable.priority,
    status: writable.status,
    groupId: writable.groupId,
    channel: writable.channel,
  })
  .partial()
  .meta({ id: 'TicketPatch' });

const slaTargetState = z.object({
  metric: z.enum(metrics),
  status: z.enum(['running', 'paused', 'fulfilled', 'breached', 'breached_fulfilled']),
  targetSeconds: z.number().int(),
  businessHours: z.boolean(),
  startedAt: nullableTimestamp,
  dueAt: nullableTimestamp,
  warnAt: nullableTimestamp,
  elapsedSeconds: z.number().int(),
  pausedSeconds: z.number().int(),
  fulfilledAt: nullableTimestamp,
  breachedAt: nullableTimestamp,
  warnedAt: nullableTimestamp,
  cycle: z.number().int(),
});

export const ticketSchema = z
  .object({
    id: z.string(),
    tenantId: z.string(),
    subject: z.string(),
    description: z.string(),
    requesterContactId: z.string(),
    requesterEmail: z.string(),
    contactOwnerId: z.string(),
    companyId: z.string(),
    priority: z.string(),
    status: z.string(),
    type: z.string(),
    tags: z.array(z.string()),
    customFields: z.record(z.string(), z.unknown()).nullable(),
    assigneeId: z.string(),
    groupId: z.string(),
    channel: z.string(),
    dealIds: z.array(z.string()),
    mergedInto: z.string(),
    sla: z
      .object({
        policyId: z.string(),
        policyName: z.string(),
        calendarId: z.string(),
        timeZone: z.string(),
        targets: z.array(slaTargetState),
        nextDueAt: nullableTimestamp,
        breached: z.boolean(),
      })
      .nullable(),
    csat: z.object({ rating: z.string(), comment: z.string(), answeredAt: nullableTimestamp }).nullable(),
    commentCount: z.number().int(),
    firstRepliedAt: nullableTimestamp,
    solvedAt: nullableTimestamp,
    closedAt: nullableTimestamp,
    firstReplyBusinessSeconds: z.number().int(),
    resolutionBusinessSeconds: z.number().int(),
    version: z.number().int(),
    createdAt: nullableTimestamp,
    updatedAt: nullableTimestamp,
    deletedAt: nullableTimestamp,
  })
  .meta({ id: 'Ticket' });

export const ticketListSchema = listOf(ticketSchema, 'TicketList');

const csv = <T extends string>(schema: z.ZodType<T, string>) =>
  z
    .string()
    .max(500)
    .transform((v) =>
      v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    )
    .pipe(z.array(schema));

export const ticketListQuery = z.strictObject({
  view: z.enum(ticketViews).optional().meta({
    description:
      'A named queue: my_open, unassigned, group_open, breaching (SLA due soonest first), pending, solved, all_open.',
  }),
  q: z.string().min(1).max(200).optional().meta({
    description: 'Full-text search (prefix of every word) over subject, description, tags and requester email.',
  }),
  status: csv(z.enum(ticketStatuses)).optional().meta({ description: 'Comma-separated statuses.' }),
  priority: csv(z.enum(ticketPriorities)).optional(),
  groupId: z.string().max(128).optional(),
  assigneeId: z.string().max(128).optional().meta({ description: '"me", "none" (unassigned) or a user id.' }),
  tag: csv(tag).optional().meta({ description: 'Tickets carrying every one of these tags.' }),
  requesterContactId: idSchema.optional(),
  companyId: idSchema.optional(),
  slaBreached: z
    .enum(['true', 'false'])
    .transform((v) => v === 'true')
    .optional(),
  orderBy: z.enum(ticketOrders).optional(),
  ...pageQuery,
});

export const attachmentSchema = z
  .strictObject({
    name: z.string().min(1).max(255),
    // Metadata of a file kept elsewhere; bounded so the document states the largest number it takes (1 TiB).
    sizeBytes: z
      .number()
      .int()
      .min(0)
      .max(2 ** 40),
    contentType: z.string().min(3).max(255),
    url: z.url({ protocol: /^https$/ }).max(2048),
  })
  .meta({ id: 'Attachment' });

export const commentCreateSchema = z
  .strictObject({
    body: z.string().min(1).max(65_536),
    public: z.boolean().default(true).meta({ description: 'Public reply (default) or internal note.' }),
    attachments: z.array(attachmentSchema).max(20).default([]),
    authorKind: z.enum(['agent', 'requester']).default('agent'),
    status: z
      .enum(['new', 'open', 'pending', 'on_hold', 'solved'])
      .optional()
      .meta({ description: 'Status to set with the comment.' }),
  })
  .meta({ id: 'CommentCreate' });

export const commentSchema = z
  .object({
    id: z.string(),
    ticketId: z.string(),
    public: z.boolean(),
    body: z.string(),
    authorKind: z.string(),
    authorId: z.string(),
    attachments: z.array(
      z.object({ name: z.string(), sizeBytes: z.number(), contentType: z.string(), url: z.string() }),
    ),
    createdAt: nullableTimestamp,
    originalTicketId: z.string(),
  })
  .meta({ id: 'Comment' });

export const commentListSchema = listOf(commentSchema, 'CommentList');
export const commentResultSchema = z
  .object({ comment: commentSchema, ticket: ticketSchema })
  .meta({ id: 'CommentResult' });

export const mergeSchema = z
  .strictObject({
    sourceIds: z.array(idSchema).min(1).max(50).meta({ description: 'Tickets closed as duplicates of this one.' }),
  })
  .meta({ id: 'TicketMerge' });

export const historySchema = z
  .object({
    data: z.array(
      z.object({
        version: z.number().int(),
        type: z.string(),
        at: nullableTimestamp,
        actorUserId: z.string(),
        actorClientId: z.string(),
        changes: z.array(z.object({ field: z.string(), from: z.unknown(), to: z.unknown() })),
      }),
    ),
    nextCursor: z.null(),
  })
  .meta({ id: 'TicketHistory' });

// ---- SLA ----

// A day's clock from 00:00; an interval may end at 24:00 (midnight of the next day), never later.
const clock = z.string().regex(/^(([01]\d|2[0-3]):[0-5]\d|24:00)$/, 'must be HH:MM, 00:00 to 24:00');

export const calendarInputSchema = z
  .strictObject({
    name: z.string().min(1).max(200),
    timeZone: z.string().min(1).max(64).meta({ description: 'IANA time zone, e.g. Europe/Berlin' }),
    hours: z
      .array(z.strictObject({ weekday: z.number().int().min(1).max(7), start: clock, end: clock }))
      .min(1)
      .max(100)
      .meta({ description: 'Working intervals per ISO weekday (1 = Monday); several per day leave breaks.' }),
    holidays: z
      .array(
        z.strictObject({
          name: z.string().min(1).max(200),
          date: z.string().max(10),
          yearly: z.boolean().default(false),
        }),
      )
      .max(500)
      .default([])
      .meta({ description: 'YYYY-MM-DD once, or MM-DD with yearly: true.' }),
  })
  .meta({ id: 'BusinessCalendarInput' });

export const calendarSchema = z
  .object({
    id: z.string(),
    tenantId: z.string(),
    name: z.string(),
    timeZone: z.string(),
    hours: z.array(z.object({ weekday: z.number(), start: z.string(), end: z.string() })),
    holidays: z.array(z.object({ name: z.string(), date: z.string(), yearly: z.boolean() })),
    version: z.number().int(),
    createdAt: nullableTimestamp,
    updatedAt: nullableTimestamp,
  })
  .meta({ id: 'BusinessCalendar' });

const statusList = z.array(z.enum(ticketStatuses)).max(6);

export const policyInputSchema = z
  .strictObject({
    name: z.string().min(1).max(200),
    position: z
      .number()
      .int()
      .min(0)
      .max(1_000_000)
      .default(100)
      .meta({ description: 'Evaluation order, ascending; the first match applies.' }),
    conditions: z
      .strictObject({
        priorities: z.array(z.enum(ticketPriorities)).default([]),
        groupIds: z.array(z.string().max(128)).default([]),
        channels: z.array(z.enum(ticketChannels)).default([]),
        types: z.array(z.enum(ticketTypes)).default([]),
        tags: z.array(tag).default([]),
      })
      .default({ priorities: [], groupIds: [], channels: [], types: [], tags: [] }),
    calendarId: idSchema.optional(),
    targets: z
      .array(
        z.strictObject({
          priority: z.enum(ticketPriorities),
          metric: z.enum(metrics),
          targetSeconds: z
            .number()
            .int()
            .min(1)
            .max(366 * 86_400),
          businessHours: z.boolean().default(true),
        }),
      )
      .min(1)
      .max(16),
    pauseStatuses: statusList.default([]).meta({ description: 'Default: pending, on_hold.' }),
    fulfilStatuses: statusList.default([]).meta({ description: 'Default: solved, closed.' }),
    warningPercent: z.number().int().min(0).max(99).default(75),
    enabled: z.boolean().default(true),
  })
  .meta({ id: 'SlaPolicyInput' });

export const policySchema = z
  .object({
    id: z.string(),
    tenantId: z.string(),
    name: z.string(),
    position: z.number().int(),
    conditions: z.unknown(),
    calendarId: z.string(),
    targets: z.array(
      z.object({ priority: z.string(), metric: z.string(), targetSeconds: z.number(), businessHours: z.boolean() }),
    ),
    pauseStatuses: z.array(z.string()),
    fulfilStatuses: z.array(z.string()),
    warningPercent: z.number().int(),
    enabled: z.boolean(),
    version: z.number().int(),
    createdAt: nullableTimestamp,
    updatedAt: nullableTimestamp,
  })
  .meta({ id: 'SlaPolicy' });

// ---- macros ----

export const macroInputSchema = z
  .strictObject({
    name: z.string().min(1).max(200),
    description: z.string().max(2000).default(''),
    actions: z.strictObject({
      status: z.enum(['new', 'open', 'pending', 'on_hold', 'solved']).optional(),
      priority: z.enum(ticketPriorities).optional(),
      type: z.enum(ticketTypes).optional(),
      assigneeId: userId.optional().meta({ description: '"me", "none" or a user id.' }),
      groupId: z.string().max(128).optional(),
      addTags: z.array(tag).max(50).default([]),
      removeTags: z.array(tag).max(50).default([]),
      customFields: customFields.optional(),
      reply: z.string().max(65_536).default(''),
      replyPublic: z.boolean().default(true),
    }),
  })
  .meta({ id: 'MacroInput' });

export const macroSchema = z
  .object({
    id: z.string(),
    tenantId: z.string(),
    name: z.string(),
    description: z.string(),
    actions: z.record(z.string(), z.unknown()),
    version: z.number().int(),
    createdAt: nullableTimestamp,
    updatedAt: nullableTimestamp,
  })
  .meta({ id: 'Macro' });

export const macroApplySchema = z
  .strictObject({ ticketIds: z.array(idSchema).min(1).max(100) })
  .meta({ id: 'MacroApply' });

export const macroResultsSchema = z
  .object({
    data: z.array(
      z.object({ ticketId: z.string(), outcome: z.string(), message: z.string(), ticket: ticketSchema.nullable() }),
    ),
    nextCursor: z.null(),
  })
  .meta({ id: 'MacroResults' });

// ---- CSAT ----

export const csatTokenParams = z.strictObject({
  token: z
    .string()
    .min(10)
    .max(1024)
    .regex(/^[A-Za-z0-9._-]+$/),
});

export const csatAnswerSchema = z
  .strictObject({ rating: z.enum(['good', 'bad']), comment: z.string().max(2000).default('') })
  .meta({ id: 'CsatAnswer' });

export const csatSurveySchema = z
  .object({ ticketSubject: z.string(), answered: z.boolean(), expiresAt: nullableTimestamp })
  .meta({ id: 'CsatSurvey' });

export const csatResultSchema = z
  .object({ rating: z.string(), comment: z.string(), answeredAt: nullableTimestamp })
  .meta({ id: 'CsatResult' });

// ---- agents and groups (automatic assignment) ----

export const awayInputSchema = z
  .strictObject({ away: z.boolean().meta({ description: 'true: no new tickets by assignment until set back.' }) })
  .meta({ id: 'SupportAwayInput' });

export const agentInputSchema = z
  .strictObject({
    name: z.string().max(200).default(''),
    groupIds: z.array(idSchema).max(50).default([]).meta({ description: 'Support groups the agent takes tickets of.' }),
    calendarId: z
      .string()
      .max(128)
      .default('')
      .meta({ description: "A business calendar of the agent's working hours; empty: always available." }),
    away: z.boolean().default(false),
    capacity: z
      .number()
      .int()
      .min(0)
      .max(10_000)
      .default(0)
      .meta({ description: 'Most open tickets assigned at once; 0: no limit.' }),
  })
  .meta({ id: 'SupportAgentInput' });

export const agentSchema = z
  .object({
    userId: z.string(),
    tenantId: z.string(),
    name: z.string(),
    groupIds: z.array(z.string()),
    calendarId: z.string(),
    away: z.boolean(),
    capacity: z.number().int(),
    version: z.number().int(),
    updatedAt: nullableTimestamp,
  })
  .meta({ id: 'SupportAgent' });

export const agentListQuery = z.strictObject({ groupId: idSchema.optional() });

export const groupInputSchema = z
  .strictObject({
    assignment: z
      .enum(['manual', 'round_robin', 'least_open'])
      .meta({ description: 'How new tickets of the group get an agent: not at all, in turn, or the least busy.' }),
  })
  .meta({ id: 'SupportGroupInput' });

export const groupSchema = z
  .object({
    groupId: z.string(),
    tenantId: z.string(),
    assignment: z.string(),
    version: z.number().int(),
    updatedAt: nullableTimestamp,
  })
  .meta({ id: 'SupportGroup' });
