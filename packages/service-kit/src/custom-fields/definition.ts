// What an admin can define for a custom field, and the zod schema that checks an admin's input.
// Pure: no I/O, so every service (and the gateway) can validate definitions the same way.
import { z } from 'zod';
import type { FieldViolation } from '../errors/service-error';
import { violationsFromZodError } from './violations';

/** A closed list: every service, the gateway's OpenAPI and the UI must agree on how each type is stored. */
export const CUSTOM_FIELD_TYPES = [
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

export type CustomFieldType = (typeof CUSTOM_FIELD_TYPES)[number];
export type SelectCustomFieldType = 'single_select' | 'multi_select';

/** A valid JS identifier in snake_case or camelCase; it becomes a key inside stored documents. */
export const CUSTOM_FIELD_KEY_PATTERN = /^[a-z][a-zA-Z0-9_]{0,63}$/;
export const DEFAULT_TEXT_MAX_LENGTH = 1000;
/** Upper bound an admin may raise a text field to; keeps one record's custom fields far below Mongo's 16 MB. */
export const MAX_TEXT_MAX_LENGTH = 10_000;
export const MAX_SELECT_OPTIONS = 500;

export interface CustomFieldOption {
  /** Stored in records; compared exactly (case-sensitive). */
  value: string;
  label: string;
  /** An archived option can no longer be chosen, but records that already hold it keep it. */
  archived?: boolean;
}

export interface CustomFieldDefinition {
  key: string;
  label: string;
  type: CustomFieldType;
  required: boolean;
  /** Archived instead of deleted: stored values stay readable, but cannot be set or changed. */
  archived: boolean;
  description?: string;
  /** single_select / multi_select only; non-empty, unique values. */
  options?: CustomFieldOption[];
  /** text only; defaults to DEFAULT_TEXT_MAX_LENGTH. */
  maxLength?: number;
  /** number only. */
  min?: number;
  /** number only. */
  max?: number;
  /** number only: accept whole numbers only. */
  integer?: boolean;
}

export type CustomFieldValue = string | number | boolean | string[];
export type CustomFieldValues = Record<string, CustomFieldValue>;

export function isSelectType(type: CustomFieldType): type is SelectCustomFieldType {
  return type === 'single_select' || type === 'multi_select';
}

// zod reports a missing property as an invalid_type issue whose input is undefined; say "is required" for it.
function expected(what: string): (issue: { input?: unknown }) => string {
  return (issue) => (issue.input === undefined ? 'is required' : `must be ${what}`);
}

function boundedText(max: number) {
  return z
    .string({ error: expected('a string') })
    .trim()
    .min(1, 'must not be empty')
    .max(max, `must be at most ${max} characters`);
}

const optionSchema = z.strictObject(
  {
    value: boundedText(100),
    label: boundedText(200),
    archived: z.boolean({ error: expected('true or false') }).optional(),
  },
  { error: expected('an object with value and label') },
);

const definitionShape = z.strictObject(
  {
    key: z
      .string({ error: expected('a string') })
      .regex(
        CUSTOM_FIELD_KEY_PATTERN,
        'must start with a lower-case letter and contain only letters, digits and underscores (at most 64 characters)',
      ),
    label: boundedText(100),
    type: z.enum(CUSTOM_FIELD_TYPES, { error: expected(`one of: ${CUSTOM_FIELD_TYPES.join(', ')}`) }),
    required: z.boolean({ error: expected('true or false') }).default(false),
    archived: z.boolean({ error: expected('true or false') }).default(false),
    description: z
      .string({ error: expected('a string') })
      .trim()
      .max(500, 'must be at most 500 characters')
      .optional(),
    options: z
      .array(optionSchema, { error: expected('a list of options') })
      .max(MAX_SELECT_OPTIONS, `must have at most ${MAX_SELECT_OPTIONS} options`)
      .optional(),
    maxLength: z
      .number({ error: expected('a whole number') })
      .int('must be a whole number')
      .min(1, 'must be at least 1')
      .max(MAX_TEXT_MAX_LENGTH, `must be at most ${MAX_TEXT_MAX_LENGTH}`)
      .optional(),
    min: z.number({ error: expected('a finite number') }).optional(),
    max: z.number({ error: expected('a finite number') }).optional(),
    integer: z.boolean({ error: expected('true or false') }).optional(),
  },
  { error: expected('an object') },
);

type DefinitionShape = z.output<typeof definitionShape>;

// Settings that only make sense for one type are rejected elsewhere rather than silently ignored, so an admin
// never believes a constraint is enforced when it is not.
function checkTypeSpecificSettings(definition: DefinitionShape, ctx: z.RefinementCtx): void {
  const issue = (path: (string | number)[], message: string): void => ctx.addIssue({ code: 'custom', path, message });
  const { type } = definition;

  if (isSelectType(type)) {
    const options = definition.options ?? [];
    if (options.length === 0) issue(['options'], `is required for ${type} fields and must list at least one option`);
    const seen = new Set<string>();
    options.forEach((option, index) => {
      if (seen.has(option.value)) issue(['options', index, 'value'], `duplicates the option value "${option.value}"`);
      seen.add(option.value);
    });
    if (definition.required && !definition.archived && options.length > 0 && options.every((o) => o.archived)) {
      issue(['options'], 'must keep at least one option that is not archived while the field is required');
    }
  } else if (definition.options !== undefined) {
    issue(['options'], 'is only allowed for single_select and multi_select fields');
  }

  if (type !== 'text' && definition.maxLength !== undefined) issue(['maxLength'], 'is only allowed for text fields');

  if (type === 'number') {
    if (definition.min !== undefined && definition.max !== undefined && definition.min > definition.max) {
      issue(['max'], 'must be greater than or equal to min');
    }
  } else {
    for (const setting of ['min', 'max', 'integer'] as const) {
      if (definition[setting] !== undefined) issue([setting], 'is only allowed for number fields');
    }
  }
}

/** Validates (and trims) one definition as an admin submits it. Type-specific rules run once the shape is right. */
export const customFieldDefinitionSchema = definitionShape.superRefine(checkTypeSpecificSettings);

/** What an admin may send: `required` and `archived` default to false. */
export type CustomFieldDefinitionInput = z.input<typeof customFieldDefinitionSchema>;

// Compile-time guard: the schema's output must stay assignable to the hand-written interface.
type _AssertDefinition<T extends CustomFieldDefinition> = T;
type _SchemaOutputIsDefinition = _AssertDefinition<z.output<typeof customFieldDefinitionSchema>>;

export type ParseCustomFieldDefinitionResult =
  | { ok: true; definition: CustomFieldDefinition }
  | { ok: false; violations: FieldViolation[] };

export interface ParseCustomFieldDefinitionOptions {
  /** Prepended to every violation's field, e.g. "definitions[2]"; default "" (fields like "options[0].value"). */
  pathPrefix?: string;
}

export function parseCustomFieldDefinition(
  input: unknown,
  options: ParseCustomFieldDefinitionOptions = {},
): ParseCustomFieldDefinitionResult {
  const parsed = customFieldDefinitionSchema.safeParse(input);
  if (parsed.success) return { ok: true, definition: parsed.data };
  return { ok: false, violations: violationsFromZodError(parsed.error, options.pathPrefix ?? '') };
}
