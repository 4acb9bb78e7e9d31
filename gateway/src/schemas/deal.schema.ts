import { z } from 'zod';
import {
  booleanQuery,
  calendarDate,
  customFields,
  idSchema,
  listOf,
  money,
  nullableShape,
  nullableTimestamp,
  pageQuery,
  refIdSchema,
} from './common.schema';

export const dealStatuses = ['open', 'won', 'lost'] as const;

const writable = {
  title: z.string().min(1).max(300),
  amount: money,
  contactId: idSchema,
  companyId: idSchema,
  expectedCloseDate: calendarDate,
  nextStep: z.string().max(1000),
  customFields,
  lostReason: z.string().max(1000),
};
const assignment = { ownerId: refIdSchema, teamId: refIdSchema };

export const dealCreateSchema = z
  .strictObject({
    ...writable,
    ...assignment,
    pipelineId: idSchema.meta({ description: "Default: the tenant's default pipeline." }),
    stageId: idSchema.meta({ description: "Default: the pipeline's first open stage." }),
  })
  .partial()
  // The service needs an amount (0 when not known yet): the document says so instead of promising a default.
  .required({ title: true, amount: true })
  .meta({ id: 'DealCreate' });

/** Merge patch; the stage changes through /move only. */
export const dealPatchSchema = z
  .strictObject({ ...nullableShape(writable), ...assignment })
  .partial()
  .meta({ id: 'DealPatch' });

export const dealMoveSchema = z
  .strictObject({
    stageId: idSchema.optional().meta({ description: 'Target stage; absent keeps the current one (a reorder).' }),
    afterDealId: idSchema.optional().meta({ description: 'The deal just above in the target column.' }),
    beforeDealId: idSchema.optional().meta({ description: 'The deal just below in the target column.' }),
    rank: z.enum(['top', 'bottom']).optional().meta({ description: 'Shorthand when no neighbour is named.' }),
    lostReason: z.string().max(1000).optional(),
  })
  .meta({ id: 'DealMove' });

export const dealReopenSchema = z
  .strictObject({
    stageId: idSchema.optional().meta({ description: 'An open stage; default: the last open stage the deal was in.' }),
  })
  .meta({ id: 'DealReopen' });

const summary = z.object({ id: z.string() }).catchall(z.unknown());

export const dealSchema = z
  .object({
    id: z.string(),
    tenantId: z.string(),
    title: z.string(),
    amount: z.object({ amountMinor: z.number().int(), currency: z.string() }).nullable(),
    pipelineId: z.string(),
    stageId: z.string(),
    status: z.string(),
    probability: z.number().int(),
    forecastCategory: z.string(),
    ownerId: z.string(),
    teamId: z.string(),
    contactId: z.string(),
    companyId: z.string(),
    contact: summary.nullable(),
    company: summary.nullable(),
    expectedCloseDate: z.string(),
    nextStep: z.string(),
    customFields: z.record(z.string(), z.unknown()).nullable(),
    lostReason: z.string(),
    closedAt: nullableTimestamp,
    rank: z.string(),
    stageHistory: z.array(
      z.object({ stageId: z.string(), enteredAt: nullableTimestamp, leftAt: nullableTimestamp, by: z.string() }),
    ),
    version: z.number().int(),
    createdAt: nullableTimestamp,
    updatedAt: nullableTimestamp,
    deletedAt: nullableTimestamp,
    externalId: z.string().meta({
      description: 'Its id in the system it was imported from (POST /api/v1/imports, entity=deal); empty otherwise.',
    }),
  })
  .meta({ id: 'Deal' });

export const dealListSchema = listOf(dealSchema, 'DealList');

export const dealListQuery = z.strictObject({
  pipelineId: idSchema.optional(),
  stageId: idSchema.optional(),
  status: z.enum(dealStatuses).optional(),
  ownerId: refIdSchema.optional(),
  teamId: refIdSchema.optional(),
  contactId: idSchema.optional(),
  companyId: idSchema.optional(),
  includeDeleted: booleanQuery.optional(),
  ...pageQuery,
});

export const forecastQuery = z
  .strictObject({
    from: calendarDate,
    to: calendarDate,
    groupBy: z.enum(['owner', 'team']).default('owner'),
    pipelineId: idSchema.optional(),
  })
  .refine((q) => q.from <= q.to, { message: 'from must not be after to', path: ['to'] });

const figures = z.object({
  currency: z.string(),
  closedWon: z.unknown(),
  commit: z.unknown(),
  bestCase: z.unknown(),
  pipeline: z.unknown(),
  weightedPipeline: z.unknown(),
  wonDealCount: z.number().int(),
  openDealCount: z.number().int(),
});

export const forecastSchema = z
  .object({
    from: z.string(),
    to: z.string(),
    groupBy: z.enum(['owner', 'team']),
    groups: z.array(
      z.object({ key: z.string().meta({ description: 'The owner id or team id.' }), figures: z.array(figures) }),
    ),
    totals: z.array(figures),
  })
  .meta({ id: 'Forecast' });
