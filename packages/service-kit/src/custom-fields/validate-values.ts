// Validates a client's custom-field values against the tenant's definitions on every create and update.
import type { CountryCode } from 'libphonenumber-js';
import { invalidArgument, type FieldViolation } from '../errors/service-error';
import type { CustomFieldDefinition, CustomFieldValue, CustomFieldValues } from './definition';
import { normalizeCustomFieldValue } from './normalize';
import { DEFAULT_CUSTOM_FIELDS_PATH, joinPath } from './violations';

export type CustomFieldWriteMode = 'create' | 'update';

interface CommonValidateOptions {
  /** Prepended to each violation's field: "<pathPrefix>.<key>"; default "customFields". */
  pathPrefix?: string;
  /** Region for phone numbers written without a +country prefix (e.g. the tenant's country). */
  defaultRegion?: CountryCode;
}

export interface CreateCustomFieldValuesOptions extends CommonValidateOptions {
  mode: 'create';
}

export interface UpdateCustomFieldValuesOptions extends CommonValidateOptions {
  mode: 'update';
  /** The values currently stored on the record; the input is a partial patch merged onto them. */
  existing: Readonly<CustomFieldValues>;
}

export type ValidateCustomFieldValuesOptions = CreateCustomFieldValuesOptions | UpdateCustomFieldValuesOptions;

export type ValidateCustomFieldValuesResult =
  | { ok: true; values: CustomFieldValues }
  | { ok: false; violations: FieldViolation[] };

/**
 * Checks and normalises `input` (client JSON) and returns the complete values to store, or every violation.
 *
 * - Unknown keys are rejected.
 * - `null`, "" and [] clear a value (on create they simply leave it unset); a required field cannot be cleared.
 * - Update: `input` is a patch over `options.existing`; keys it omits keep their stored value, unvalidated.
 *   A patch value equal to the stored one is a no-op, so clients may send back what they read, even when the
 *   field or an option has since been archived or a constraint tightened.
 * - Archived fields cannot be set, changed or cleared; archived options cannot be newly chosen.
 * - Required (non-archived) fields must have a value in the result, on create and after an update's merge.
 * - Stored keys without a definition are kept as they are: validation never destroys data.
 */
export function validateCustomFieldValues(
  definitions: readonly CustomFieldDefinition[],
  input: Readonly<Record<string, unknown>>,
  options: ValidateCustomFieldValuesOptions,
): ValidateCustomFieldValuesResult {
  const prefix = options.pathPrefix ?? DEFAULT_CUSTOM_FIELDS_PATH;
  // The type says object, but this is client JSON: guard against arrays, strings and null anyway.
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return { ok: false, violations: [{ field: prefix, description: 'must be an object keyed by custom field' }] };
  }

  const existing: Readonly<CustomFieldValues> = options.mode === 'update' ? options.existing : {};
  const byKey = new Map(definitions.map((definition) => [definition.key, definition]));
  const values: CustomFieldValues = { ...existing };
  const violations: FieldViolation[] = [];
  const invalidKeys = new Set<string>();
  const clearedKeys = new Set<string>();
  const report = (key: string, description: string): void => {
    violations.push({ field: joinPath(prefix, [key]), description });
    invalidKeys.add(key);
  };

  for (const [key, raw] of Object.entries(input)) {
    if (raw === undefined) continue; // absent in JSON; only TS callers can produce it
    const definition = byKey.get(key);
    if (!definition) {
      report(key, 'is not a defined custom field');
      continue;
    }
    const previous = Object.hasOwn(existing, key) ? existing[key] : undefined;
    if (previous !== undefined && sameValue(raw, previous)) continue;
    if (definition.archived) {
      if (raw === null && previous === undefined) continue; // clearing nothing changes nothing
      report(key, 'is archived and can no longer be changed');
      continue;
    }
    const result =
      raw === null
        ? ({ ok: true, value: null } as const)
        : normalizeCustomFieldValue(definition, raw, { defaultRegion: options.defaultRegion, previous });
    if (!result.ok) {
      for (const problem of result.problems) report(key, problem);
    } else if (result.value === null) {
      delete values[key];
      clearedKeys.add(key);
    } else {
      values[key] = result.value;
    }
  }

  for (const definition of definitions) {
    const { key } = definition;
    // Archived fields cannot be written, so they cannot be demanded either.
    if (!definition.required || definition.archived || invalidKeys.has(key) || Object.hasOwn(values, key)) continue;
    report(
      key,
      clearedKeys.has(key) && options.mode === 'update' ? 'is required and cannot be cleared' : 'is required',
    );
  }

  return violations.length === 0 ? { ok: true, values } : { ok: false, violations };
}

/** Same as validateCustomFieldValues, but throws an INVALID_ARGUMENT ServiceError listing every violation. */
export function validateCustomFieldValuesOrThrow(
  definitions: readonly CustomFieldDefinition[],
  input: Readonly<Record<string, unknown>>,
  options: ValidateCustomFieldValuesOptions,
): CustomFieldValues {
  const result = validateCustomFieldValues(definitions, input, options);
  if (!result.ok) throw invalidArgument(result.violations, 'Custom field values are invalid');
  return result.values;
}

function sameValue(raw: unknown, stored: CustomFieldValue): boolean {
  if (Array.isArray(stored)) {
    return Array.isArray(raw) && raw.length === stored.length && raw.every((item, index) => item === stored[index]);
  }
  return raw === stored;
}
