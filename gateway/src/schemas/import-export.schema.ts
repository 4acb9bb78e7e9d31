import { z } from 'zod';
import { listOf, nullableTimestamp, pageQuery, refIdSchema, timestamp } from './common.schema';

export const importEntities = ['contact', 'company', 'deal'] as const;
/** What the contact service exports; deals are not exported here. */
export const exportEntities = ['contact', 'company'] as const;
export const matchByValues = ['email', 'domain', 'external_id'] as const;

const columnMapping = z
  .strictObject({ column: z.string().min(1).max(200), field: z.string().min(1).max(200) })
  .meta({ id: 'ColumnMapping' });

/** The import's header: with text/csv it comes in the query, with multipart in form fields. */
export const importOptionsSchema = z
  .strictObject({
    entity: z.enum(importEntities),
    matchBy: z.enum(matchByValues).optional().meta({ description: 'Key an existing record is found by.' }),
    mapping: z.array(columnMapping).max(500).optional().meta({
      description: 'CSV column → field; unmapped columns are ignored. Empty maps headers that already name a field.',
    }),
    fileName: z.string().max(300).optional(),
  })
  .meta({ id: 'ImportOptions' });

/** The query of a text/csv upload; mapping is JSON, e.g. [{"column":"E-mail","field":"email"}]. */
export const importQuerySchema = z.strictObject({
  entity: z.enum(importEntities).optional(),
  matchBy: z.enum(matchByValues).optional(),
  // The whole request head must fit the server's 16 KiB header limit; longer mappings go in a multipart field.
  mapping: z
    .string()
    .max(8000)
    .optional()
    .meta({ description: 'JSON array of {column, field}; longer ones as a multipart field.' }),
  fileName: z.string().max(300).optional(),
});

export const importUploadSchema = z
  .object({
    file: z.string().meta({ format: 'binary', description: 'The CSV file.' }),
    entity: z.enum(importEntities),
    matchBy: z.enum(matchByValues).optional(),
    mapping: z.string().optional().meta({ description: 'JSON array of {column, field}.' }),
  })
  .meta({ id: 'ImportUpload' });

const rowError = z
  .object({ row: z.number().int(), field: z.string(), message: z.string() })
  .meta({ id: 'ImportRowError' });

export const importJobSchema = z
  .object({
    id: z.string(),
    entity: z.string(),
    fileName: z.string(),
    status: z.enum(['queued', 'running', 'completed', 'failed']),
    rowsTotal: z.number().int(),
    rowsDone: z.number().int(),
    createdCount: z.number().int(),
    updatedCount: z.number().int(),
    errorCount: z.number().int(),
    errors: z.array(rowError).meta({ description: 'The first errors; /errors lists them all.' }),
    failureMessage: z.string(),
    ownerId: z.string(),
    sizeBytes: z.number().int(),
    createdAt: nullableTimestamp,
    startedAt: nullableTimestamp,
    finishedAt: nullableTimestamp,
    mapping: z.array(z.object({ column: z.string(), field: z.string() })),
    matchBy: z.string(),
    progress: z.number().min(0).max(1).meta({ description: 'rowsDone / rowsTotal (0 while unknown).' }),
  })
  .meta({ id: 'ImportJob' });

export const importListSchema = listOf(importJobSchema, 'ImportJobList');
export const importErrorListSchema = listOf(rowError, 'ImportRowErrorList');
export const importListQuery = z.strictObject({
  entity: z
    .enum(importEntities)
    .optional()
    .meta({ description: 'deal lists the deal imports; otherwise the contact and company imports.' }),
  ...pageQuery,
});

export const exportQuery = z.strictObject({
  entity: z.enum(exportEntities),
  format: z.enum(['csv', 'ndjson']).default('csv'),
  ownerId: refIdSchema.optional(),
  teamId: refIdSchema.optional(),
  updatedSince: timestamp.optional(),
});
