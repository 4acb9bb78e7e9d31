import type { z } from 'zod';
import { problems, type InvalidParam } from './problem';

/** Properties only the server writes; naming them in input is rejected with a clear reason. */
const SERVER_OWNED = new Set([
  'id',
  'tenantId',
  'version',
  'createdAt',
  'updatedAt',
  'deletedAt',
  'erasedAt',
  'mergedInto',
  'lastActivityAt',
  'companyName',
]);

export type InputLocation = 'body' | 'query' | 'path';

/** Parses with the route's zod schema; every issue becomes one entry of the 400 problem's errors. */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, location: InputLocation): z.infer<S> {
  const unstorable = unstorableStrings(value, '');
  if (unstorable.length > 0)
    throw problems.badRequest(
      `The request ${location === 'body' ? 'body' : location} has text that cannot be stored`,
      unstorable.map((field) => ({
        field: field || '(root)',
        detail: 'contains a NUL character or an unpaired surrogate',
      })),
    );
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw problems.badRequest(
    `The request ${location === 'body' ? 'body' : location === 'query' ? 'query' : 'path'} has invalid fields`,
    result.error.issues.flatMap(toInvalidParams),
  );
}

// NUL cannot be stored in PostgreSQL text, and an unpaired UTF-16 surrogate has no UTF-8 form (it would be replaced
// silently on the way to a service): both are refused here, once, for every string of every input.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Paths of the strings (keys included) that contain unstorable characters. */
function unstorableStrings(value: unknown, path: string): string[] {
  if (typeof value === 'string') return UNSTORABLE.test(value) ? [path] : [];
  if (Array.isArray(value)) return value.flatMap((item, i) => unstorableStrings(item, `${path}[${i}]`));
  if (typeof value !== 'object' || value === null || Buffer.isBuffer(value)) return [];
  return Object.entries(value).flatMap(([key, item]) =>
    UNSTORABLE.test(key) ? [joinPath(path, '(key)')] : unstorableStrings(item, joinPath(path, key)),
  );
}

function toInvalidParams(issue: z.core.$ZodIssue): InvalidParam[] {
  const path = formatPath(issue.path);
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => ({
      field: joinPath(path, key),
      detail: SERVER_OWNED.has(key) ? 'is set by the server and cannot be written' : 'is not a known property',
    }));
  }
  return [{ field: path || '(root)', detail: issue.message }];
}

function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>(
    (acc, part) => (typeof part === 'number' ? `${acc}[${part}]` : joinPath(acc, String(part))),
    '',
  );
}

function joinPath(base: string, key: string): string {
  return base ? `${base}.${key}` : key;
}
