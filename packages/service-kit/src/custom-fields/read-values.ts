// The read side: what a record's stored custom fields look like to API clients.
import type { CustomFieldDefinition, CustomFieldType, CustomFieldValue, CustomFieldValues } from './definition';

export interface ReadCustomFieldValuesOptions {
  /** Archived fields stay readable by default; pass false to hide them (e.g. from list views). */
  includeArchived?: boolean;
}

/**
 * Returns the stored values that belong to a definition, archived ones included (unlike writes, reads never
 * lose access to data). Values are not re-validated against today's rules (an option archived since, a lowered
 * maxLength), only checked for the stored shape of their type, so clients always get consistent JSON types.
 * Keys without a definition are left out. `stored` may be a lean document's plain object, a Map, or missing.
 */
export function readCustomFieldValues(
  definitions: readonly CustomFieldDefinition[],
  stored: unknown,
  options: ReadCustomFieldValuesOptions = {},
): CustomFieldValues {
  const source = toRecord(stored);
  const values: CustomFieldValues = {};
  if (!source) return values;
  for (const definition of definitions) {
    if (definition.archived && options.includeArchived === false) continue;
    if (!Object.hasOwn(source, definition.key)) continue;
    const value = source[definition.key];
    if (hasStoredShape(definition.type, value)) values[definition.key] = Array.isArray(value) ? [...value] : value;
  }
  return values;
}

function toRecord(stored: unknown): Record<string, unknown> | undefined {
  if (stored instanceof Map) return Object.fromEntries(stored) as Record<string, unknown>;
  if (typeof stored === 'object' && stored !== null && !Array.isArray(stored)) return stored as Record<string, unknown>;
  return undefined;
}

function hasStoredShape(type: CustomFieldType, value: unknown): value is CustomFieldValue {
  switch (type) {
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'boolean':
      return typeof value === 'boolean';
    case 'multi_select':
      return Array.isArray(value) && value.every((item) => typeof item === 'string');
    case 'text':
    case 'date':
    case 'single_select':
    case 'url':
    case 'email':
    case 'phone':
      return typeof value === 'string';
  }
}
