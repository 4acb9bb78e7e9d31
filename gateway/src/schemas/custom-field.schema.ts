import { z } from 'zod';
import { MAX_TEXT_MAX_LENGTH } from '@crm/service-kit/edge';

export const customFieldEntities = ['contact', 'company', 'deal'] as const;
export const customFieldTypes = [
  'text',
  'number',
  'date',
  'boolean',
  'single_select',
  'multi_select',
  'url',
  'email',
  'phone',
] as const;

const option = z.strictObject({
  value: z.string().min(1).max(200),
  label: z.string().max(200),
  archived: z.boolean().optional(),
});

export const customFieldDefinitionSchema = z
  .strictObject({
    key: z.string().regex(/^[a-z][A-Za-z0-9_]{0,63}$/, 'lower camelCase or snake_case identifier'),
    label: z.string().min(1).max(200),
    type: z.enum(customFieldTypes),
    required: z.boolean().optional(),
    archived: z.boolean().optional(),
    description: z.string().max(1000).optional(),
    options: z.array(option).max(500).optional(),
    maxLength: z.number().int().positive().max(MAX_TEXT_MAX_LENGTH).optional(),
    min: z.number().optional(),
    max: z.number().optional(),
    integer: z.boolean().optional(),
  })
  .meta({ id: 'CustomFieldDefinition' });

export const customFieldEntityParams = z.strictObject({ entity: z.enum(customFieldEntities) });

/** The complete set: a field is archived, never left out. */
export const customFieldSetSchema = z
  .strictObject({ definitions: z.array(customFieldDefinitionSchema).max(200) })
  .meta({ id: 'CustomFieldSet' });

export const customFieldSetResultSchema = z
  .object({
    entity: z.enum(customFieldEntities),
    definitions: z.array(z.record(z.string(), z.unknown())),
    version: z.number().int(),
  })
  .meta({ id: 'CustomFieldDefinitions' });
