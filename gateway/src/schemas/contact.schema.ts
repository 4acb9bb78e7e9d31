import { z } from 'zod';
import {
  booleanQuery,
  customFields,
  idSchema,
  listOf,
  nullableShape,
  nullableTimestamp,
  pageQuery,
  postalAddress,
  refIdSchema,
  timestamp,
} from './common.schema';

export const lifecycleStages = [
  'subscriber',
  'lead',
  'marketing_qualified',
  'sales_qualified',
  'opportunity',
  'customer',
  'evangelist',
  'other',
] as const;
export const tiers = ['standard', 'vip'] as const;

const email = z
  .strictObject({ address: z.email(), primary: z.boolean().optional(), label: z.string().max(40).optional() })
  .meta({ id: 'EmailAddressInput' });
const phone = z
  .strictObject({
    number: z.string().min(3).max(40),
    primary: z.boolean().optional(),
    label: z.string().max(40).optional(),
  })
  .meta({ id: 'PhoneNumberInput' });

const writable = {
  firstName: z.string().max(200),
  lastName: z.string().max(200),
  emails: z.array(email).max(20),
  phones: z.array(phone).max(20),
  title: z.string().max(200),
  companyId: idSchema,
  lifecycleStage: z.enum(lifecycleStages),
  leadSource: z.string().max(200),
  tags: z.array(z.string().min(1).max(100)).max(100),
  tier: z.enum(tiers),
  address: postalAddress,
  customFields,
  externalId: z.string().max(200),
};

const assignment = { ownerId: refIdSchema, teamId: refIdSchema };

/** ownerId and teamId: the services' ownership rule decides (OWNERSHIP_RULE in routes/route-helpers). */
export const contactCreateSchema = z
  .strictObject({ ...writable, ...assignment })
  .partial()
  .meta({ id: 'ContactCreate' });

/** Merge patch: present properties are set, null clears, absent ones stay. ownerId/teamId transfer the contact. */
export const contactPatchSchema = z
  .strictObject({ ...nullableShape(writable), ...assignment })
  .partial()
  .meta({ id: 'ContactPatch' });

const emailOut = z.object({ address: z.string(), primary: z.boolean(), label: z.string() });
const phoneOut = z.object({ number: z.string(), primary: z.boolean(), label: z.string() });
const addressOut = z
  .object({ street: z.string(), city: z.string(), region: z.string(), postalCode: z.string(), country: z.string() })
  .meta({ id: 'PostalAddressOut' });

export const contactSchema = z
  .object({
    id: z.string(),
    tenantId: z.string(),
    firstName: z.string(),
    lastName: z.string(),
    emails: z.array(emailOut),
    phones: z.array(phoneOut),
    title: z.string(),
    companyId: z.string(),
    companyName: z.string(),
    lifecycleStage: z.string(),
    leadSource: z.string(),
    tags: z.array(z.string()),
    tier: z.string(),
    address: addressOut.nullable(),
    ownerId: z.string(),
    teamId: z.string(),
    customFields: z.record(z.string(), z.unknown()).nullable(),
    lastActivityAt: nullableTimestamp,
    externalId: z.string(),
    version: z.number().int(),
    createdAt: nullableTimestamp,
    updatedAt: nullableTimestamp,
    deletedAt: nullableTimestamp,
    mergedInto: z.string(),
    erasedAt: nullableTimestamp,
  })
  .meta({ id: 'Contact' });

export const contactListSchema = listOf(contactSchema, 'ContactList');

export const contactListQuery = z.strictObject({
  q: z.string().min(1).max(200).optional().meta({
    description:
      'Type-ahead search over name, email, phone and company (ignores the other filters; at most 50 hits, no cursor).',
  }),
  ownerId: refIdSchema.optional(),
  teamId: refIdSchema.optional(),
  lifecycleStage: z.enum(lifecycleStages).optional(),
  tag: z.string().max(100).optional(),
  companyId: idSchema.optional(),
  updatedSince: timestamp.optional(),
  includeDeleted: booleanQuery.optional(),
  ...pageQuery,
});

export const allowDuplicatesQuery = z.strictObject({
  allowDuplicates: booleanQuery
    .optional()
    .meta({ description: 'Write even when the email or phone already belongs to another contact.' }),
});

export const duplicatesSchema = z
  .object({ data: z.array(z.object({ contact: contactSchema, score: z.number(), reasons: z.array(z.string()) })) })
  .meta({ id: 'DuplicateCandidates' });

export const mergeSchema = z
  .strictObject({ sourceId: idSchema.meta({ description: 'The contact merged into {id} and tombstoned.' }) })
  .meta({ id: 'MergeRequest' });
export const mergeResultSchema = z
  .object({ contact: contactSchema, activitiesMoved: z.number().int() })
  .meta({ id: 'MergeResult' });
export const eraseResultSchema = z.object({ id: z.string(), erasedAt: nullableTimestamp }).meta({ id: 'EraseResult' });
export const contactExportSchema = z
  .record(z.string(), z.unknown())
  .meta({ id: 'ContactDataExport', description: 'Everything held about the contact (GDPR Art. 15/20).' });
