import { z } from 'zod';
import { nullableTimestamp } from './common.schema';
import { dealSchema } from './deal.schema';

export const stageKinds = ['open', 'won', 'lost'] as const;
export const forecastCategories = ['pipeline', 'best_case', 'commit', 'omitted', 'closed'] as const;

export const stageInputSchema = z
  .strictObject({
    name: z.string().min(1).max(200),
    probability: z.number().int().min(0).max(100).optional(),
    kind: z.enum(stageKinds),
    forecastCategory: z.enum(forecastCategories).optional().meta({ description: "Empty takes the kind's default." }),
  })
  .meta({ id: 'StageInput' });

export const stageSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    probability: z.number().int(),
    kind: z.string(),
    forecastCategory: z.string(),
    archived: z.boolean(),
    archiving: z
      .boolean()
      .meta({ description: 'An archive in progress: the stage takes no new deals until it is archived or reverted.' }),
  })
  .meta({ id: 'Stage' });

export const pipelineSchema = z
  .object({
    id: z.string(),
    tenantId: z.string(),
    name: z.string(),
    stages: z.array(stageSchema),
    isDefault: z.boolean(),
    version: z.number().int(),
    createdAt: nullableTimestamp,
    updatedAt: nullableTimestamp,
  })
  .meta({ id: 'Pipeline' });

export const pipelineListSchema = z
  .object({ data: z.array(pipelineSchema), nextCursor: z.null() })
  .meta({ id: 'PipelineList' });

export const pipelineCreateSchema = z
  .strictObject({
    name: z.string().min(1).max(200),
    stages: z
      .array(stageInputSchema)
      .max(50)
      .optional()
      .meta({ description: 'Board order; default stages when absent.' }),
  })
  .meta({ id: 'PipelineCreate' });

export const pipelinePatchSchema = z.strictObject({ name: z.string().min(1).max(200) }).meta({ id: 'PipelinePatch' });

/** "default" names the tenant's default pipeline. */
export const pipelineParams = z.strictObject({
  id: z
    .string()
    .min(1)
    .max(128)
    .regex(/^[A-Za-z0-9_-]+$/),
});
export const stageParams = z.strictObject({
  id: z
    .string()
    .min(1)
    .max(128)
    .regex(/^[A-Za-z0-9_-]+$/),
  stageId: z
    .string()
    .min(1)
    .max(128)
    .regex(/^[A-Za-z0-9_-]+$/),
});

export const stageAddSchema = z
  .strictObject({ stage: stageInputSchema, beforeStageId: z.string().max(128).optional() })
  .meta({ id: 'StageAdd' });
export const stagePatchSchema = z
  .strictObject({
    name: z.string().min(1).max(200),
    probability: z.number().int().min(0).max(100),
    forecastCategory: z.enum(forecastCategories),
  })
  .partial()
  .meta({ id: 'StagePatch' });
export const stageOrderSchema = z
  .strictObject({ stageIds: z.array(z.string().min(1).max(128)).min(1).max(50) })
  .meta({ id: 'StageOrder' });

const currencyTotal = z.object({
  currency: z.string(),
  dealCount: z.number().int(),
  amount: z.object({ amountMinor: z.number().int(), currency: z.string() }).nullable(),
  weightedAmount: z.object({ amountMinor: z.number().int(), currency: z.string() }).nullable(),
});

export const boardSchema = z
  .object({
    pipeline: pipelineSchema,
    columns: z.array(
      z.object({
        stage: stageSchema,
        dealCount: z.number().int(),
        totals: z.array(currencyTotal),
        deals: z.array(dealSchema),
        nextCursor: z.string().nullable(),
      }),
    ),
  })
  .meta({ id: 'Board' });

export const boardQuery = z.strictObject({
  dealsPerStage: z.coerce
    .number()
    .int()
    .min(0)
    .max(100)
    .optional()
    .meta({ description: '0 leaves the deals out (totals only); default 20.' }),
  ownerId: z.string().max(128).optional(),
  teamId: z.string().max(128).optional(),
});
