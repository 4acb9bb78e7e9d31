// Turns paths and zod issues into the shared FieldViolation shape, so every violation names the exact input field.
import type { z } from 'zod';
import type { FieldViolation } from '../errors/service-error';

export const DEFAULT_CUSTOM_FIELDS_PATH = 'customFields';

/** joinPath("definitions", [2, "options", 0, "value"]) → "definitions[2].options[0].value". */
export function joinPath(prefix: string, segments: readonly PropertyKey[]): string {
  let path = prefix;
  for (const segment of segments) {
    if (typeof segment === 'number') path += `[${segment}]`;
    else path += path === '' ? String(segment) : `.${String(segment)}`;
  }
  return path;
}

export function violationsFromZodError(error: z.ZodError, pathPrefix: string): FieldViolation[] {
  const violations: FieldViolation[] = [];
  for (const issue of error.issues) {
    if (issue.code === 'unrecognized_keys') {
      // One violation per key, so a client can highlight each offending property.
      for (const key of issue.keys) {
        violations.push({
          field: joinPath(pathPrefix, [...issue.path, key]),
          description: 'is not a recognised property',
        });
      }
    } else {
      violations.push({ field: joinPath(pathPrefix, issue.path), description: issue.message });
    }
  }
  return violations;
}

/** "a, b, c", shortened for long option lists so a violation stays readable. */
export function listForHumans(values: readonly string[], limit = 20): string {
  if (values.length <= limit) return values.join(', ');
  return `${values.slice(0, limit).join(', ')} (and ${values.length - limit} more)`;
}

export function quoteList(values: readonly string[]): string {
  return values.map((value) => JSON.stringify(value)).join(', ');
}
