import { z } from 'zod';

// Building blocks shared by the resource schemas. Input objects are strict: an unknown property is a 400.

export const idSchema = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9_-]+$/, 'must be an id');

/** A user's or team's id as the identity provider names it: printable, without control characters. */
export const refIdSchema = z
  .string()
  .min(1)
  .max(128)
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  .regex(/^[^\x00-\x1f\x7f]+$/, 'must be a user or team id');

export const idParams = z.strictObject({ id: idSchema });

export const booleanQuery = z.enum(['true', 'false']).transform((v) => v === 'true');

export const pageQuery = {
  limit: z.coerce.number().int().min(1).max(200).optional().meta({ description: 'Page size, 1..200 (default 50).' }),
  cursor: z.string().min(1).max(2048).optional().meta({ description: 'The nextCursor of the previous page.' }),
};

export const timestamp = z.iso.datetime({ offset: true }).meta({ description: 'RFC 3339 date-time' });
export const nullableTimestamp = timestamp.nullable();

// Years 1000-9999: what the services' date arithmetic takes (JavaScript reads years below 100 as 19xx).
export const calendarDate = z.iso
  .date()
  .regex(/^[1-9]\d{3}-/, 'must be a calendar date from the year 1000 on')
  .meta({ description: 'ISO 8601 calendar date, e.g. 2025-03-31' });

/** Custom-field values: JSON scalars, lists of them, or null; validated against the tenant's definitions downstream. */
export const customFieldValue = z.union([
  z.string(),
  z.number(),
  z.boolean(),
  z.array(z.union([z.string(), z.number()])),
  z.null(),
]);
const customFieldKey = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;
export const customFields = z.record(z.string().regex(customFieldKey), customFieldValue).meta({
  id: 'CustomFields',
  description: 'Values by field key; see /api/v1/custom-fields.',
  // The generator drops a record's key schema; the document states it, so clients know the keys they may send.
  propertyNames: { type: 'string', pattern: customFieldKey.source },
});

export const money = z
  .strictObject({
    amountMinor: z
      .number()
      .int()
      .min(-Number.MAX_SAFE_INTEGER)
      .max(Number.MAX_SAFE_INTEGER)
      .meta({ description: "Integer amount in the currency's minor unit (cents for USD)." }),
    // The same list the services accept, so the document allows exactly what they take.
    currency: z
      .enum(Intl.supportedValuesOf('currency') as [string, ...string[]])
      .meta({ description: 'ISO 4217 code' }),
  })
  .meta({ id: 'Money' });

export const postalAddress = z
  .strictObject({
    street: z.string().max(500).optional(),
    city: z.string().max(200).optional(),
    region: z.string().max(200).optional(),
    postalCode: z.string().max(40).optional(),
    country: z
      .string()
      .regex(/^[A-Z]{2}$/)
      .optional()
      .meta({ description: 'ISO 3166-1 alpha-2' }),
  })
  .meta({ id: 'PostalAddress' });

export function listOf<T extends z.ZodType>(item: T, id: string) {
  return z
    .object({
      data: z.array(item),
      nextCursor: z
        .string()
        .nullable()
        .meta({ description: 'Pass as cursor for the next page; null on the last page.' }),
    })
    .meta({ id });
}

export const problemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string().optional(),
    instance: z.string().optional(),
    requestId: z.string().optional(),
    errors: z.array(z.object({ field: z.string(), detail: z.string() })).optional(),
    existingId: z.string().optional(),
    reason: z.string().optional(),
  })
  .meta({ id: 'Problem', description: 'RFC 9457 problem details' });

/** The same shape with every property nullable: a merge patch's null clears the property. */
export function nullableShape<S extends Record<string, z.ZodType>>(shape: S): { [K in keyof S]: z.ZodNullable<S[K]> } {
  return Object.fromEntries(Object.entries(shape).map(([key, schema]) => [key, schema.nullable()])) as {
    [K in keyof S]: z.ZodNullable<S[K]>;
  };
}
