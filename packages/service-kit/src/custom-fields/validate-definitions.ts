// Validates the whole set of definitions for one entity type, as an admin saves it.
import { invalidArgument, type FieldViolation } from '../errors/service-error';
import { parseCustomFieldDefinition, type CustomFieldDefinition } from './definition';
import { joinPath, quoteList } from './violations';

export interface ValidateDefinitionsOptions {
  /** Prepended to every violation's field; default "definitions" (fields like "definitions[1].key"). */
  pathPrefix?: string;
  /**
   * The definitions currently stored. When given, the change must not strand stored values: fields and options
   * are archived rather than removed, and a field's type never changes.
   */
  previous?: readonly CustomFieldDefinition[];
}

export type ValidateDefinitionsResult =
  | { ok: true; definitions: CustomFieldDefinition[] }
  | { ok: false; violations: FieldViolation[] };

export function validateDefinitions(
  input: unknown,
  options: ValidateDefinitionsOptions = {},
): ValidateDefinitionsResult {
  const prefix = options.pathPrefix ?? 'definitions';
  if (!Array.isArray(input)) {
    return { ok: false, violations: [{ field: prefix, description: 'must be a list of custom field definitions' }] };
  }

  const violations: FieldViolation[] = [];
  const definitions: CustomFieldDefinition[] = [];
  const indexByKey = new Map<string, number>();

  input.forEach((item: unknown, index) => {
    const itemPath = joinPath(prefix, [index]);
    const parsed = parseCustomFieldDefinition(item, { pathPrefix: itemPath });
    if (!parsed.ok) {
      violations.push(...parsed.violations);
      return;
    }
    const { key } = parsed.definition;
    const firstIndex = indexByKey.get(key);
    if (firstIndex !== undefined) {
      violations.push({
        field: joinPath(itemPath, ['key']),
        description: `must be unique; "${key}" is already used by ${joinPath(prefix, [firstIndex])}`,
      });
      return;
    }
    indexByKey.set(key, index);
    definitions.push(parsed.definition);
  });

  if (options.previous) {
    violations.push(...changeViolations(options.previous, input, indexByKey, definitions, prefix));
  }

  return violations.length === 0 ? { ok: true, definitions } : { ok: false, violations };
}

/** Same as validateDefinitions, but throws an INVALID_ARGUMENT ServiceError listing every violation. */
export function validateDefinitionsOrThrow(
  input: unknown,
  options: ValidateDefinitionsOptions = {},
): CustomFieldDefinition[] {
  const result = validateDefinitions(input, options);
  if (!result.ok) throw invalidArgument(result.violations, 'Custom field definitions are invalid');
  return result.definitions;
}

// Records store values under a field's key and select values by option value; removing either, or changing the
// type, would leave stored data that no longer means anything. Archiving keeps it readable instead.
function changeViolations(
  previous: readonly CustomFieldDefinition[],
  input: readonly unknown[],
  indexByKey: ReadonlyMap<string, number>,
  definitions: readonly CustomFieldDefinition[],
  prefix: string,
): FieldViolation[] {
  const violations: FieldViolation[] = [];
  const nextByKey = new Map(definitions.map((definition) => [definition.key, definition]));
  const submittedKeys = new Set(
    input.map((item) => (isRecord(item) && typeof item.key === 'string' ? item.key : undefined)),
  );

  for (const before of previous) {
    const after = nextByKey.get(before.key);
    const index = indexByKey.get(before.key);
    if (after === undefined || index === undefined) {
      // A definition that failed to parse was still submitted; its own violations already explain the problem.
      if (!submittedKeys.has(before.key)) {
        violations.push({
          field: prefix,
          description: `must keep the field "${before.key}"; archive it instead of removing it`,
        });
      }
      continue;
    }
    const itemPath = joinPath(prefix, [index]);
    if (after.type !== before.type) {
      violations.push({
        field: joinPath(itemPath, ['type']),
        description: `cannot change from ${before.type} to ${after.type}; archive this field and create a new one`,
      });
      continue;
    }
    const kept = new Set((after.options ?? []).map((option) => option.value));
    const removed = (before.options ?? []).filter((option) => !kept.has(option.value)).map((option) => option.value);
    if (removed.length > 0) {
      violations.push({
        field: joinPath(itemPath, ['options']),
        description: `must keep ${removed.length === 1 ? 'option' : 'options'} ${quoteList(removed)}; archive instead of removing`,
      });
    }
  }
  return violations;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
