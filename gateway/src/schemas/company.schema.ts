import { z } from 'zod';
import {
  booleanQuery,
  customFields,
  idSchema,
  listOf,
  money,
  nullableShape,
  nullableTimestamp,
  pageQuery,
  postalAddress,
  refIdSchema,
  timestamp,
} from './common.schema';

export const companySizes = ['1-10', '11-50', '51-200', '201-500', '501-1000', '1001-5000', '5001+'] as const;

const writable = {
  name: z.string().min(1).max(300),
  domain: z.string().max(300).meta({ description: 'A domain, or a website URL or email address to derive it from.' }),
  website: z.string().max(500),
  industry: z.string().max(200),
  size: z.enum(companySizes),
  annualRevenue: money,
  address: postalAddress,
  parentCompanyId: idSchema,
  customFields,
  externalId: z.string().max(200),
};
const assignment = { ownerId: refIdSchema, teamId: refIdSchema };

export const companyCreateSchema = z
  .strictObject({ ...writable, ...assignment })
  .partial()
  .required({ name: true })
  .meta({ id: 'CompanyCreate' });

export const companyPatchSchema = z
  .strictObject({ ...nullableShape(writable), ...assignment })
  .partial()
  .meta({ id: 'CompanyPatch' });

const moneyOut = z.object({ amountMinor: z.number().int(), currency: z.string() });
const addressOut = z.object({
  street: z.string(),
  city: z.string(),
  region: z.string(),
  postalCode: z.string(),
  country: z.string(),
});

export const companySchema = z
  .object({
    id: z.string(),
    tenantId: z.string(),
    name: z.string(),
    domain: z.string(),
    website: z.string(),
    industry: z.string(),
    size: z.string(),
    annualRevenue: moneyOut.nullable(),
    address: addressOut.nullable(),
    parentCompanyId: z.string(),
    ownerId: z.string(),
    teamId: z.string(),
    customFields: z.record(z.string(), z.unknown()).nullable(),
    externalId: z.string(),
    version: z.number().int(),
    createdAt: nullableTimestamp,
    updatedAt: nullableTimestamp,
    deletedAt: nullableTimestamp,
  })
  .meta({ id: 'Company' });

export const companyListSchema = listOf(companySchema, 'CompanyList');

export const companyListQuery = z.strictObject({
  q: z.string().min(1).max(200).optional().meta({ description: 'Prefix of the name, case- and accent-insensitive.' }),
  ownerId: refIdSchema.optional(),
  teamId: refIdSchema.optional(),
  industry: z.string().max(200).optional(),
  domain: z.string().max(300).optional(),
  parentCompanyId: idSchema.optional(),
  updatedSince: timestamp.optional(),
  includeDeleted: booleanQuery.optional(),
  ...pageQuery,
});
