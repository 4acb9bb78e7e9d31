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
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw problems.badRequest(
    `The request ${location === 'body' ? 'body' : location === 'query' ? 'query' : 'path'} has invalid fields`,
    result.error.issues.flatMap(toInvalidParams),
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
