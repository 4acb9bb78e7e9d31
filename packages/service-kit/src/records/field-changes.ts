// Field-level differences between two versions of a record, for its history. Pure.
import { isDeepStrictEqual } from 'node:util';

export interface FieldChange {
  field: string;
  from: unknown;
  to: unknown;
}

/** Bookkeeping every record carries; a change of only these is not a change a person made. */
const BOOKKEEPING = new Set(['_id', 'tenantId', 'version', 'createdAt', 'updatedAt']);

/** Top-level fields whose values differ, in the order of `after`'s keys; `omit` hides derived or internal ones. */
export function fieldChanges(
  before: Record<string, unknown> | undefined,
  after: Record<string, unknown>,
  omit: ReadonlySet<string> = new Set(),
): FieldChange[] {
  const fields = new Set([...Object.keys(after), ...Object.keys(before ?? {})]);
  const changes: FieldChange[] = [];
  for (const field of fields) {
    if (BOOKKEEPING.has(field) || omit.has(field)) continue;
    const from = before?.[field];
    const to = after[field];
    if (isDeepStrictEqual(normalise(from), normalise(to))) continue;
    // A new record lists the fields it was created with, not every empty default.
    if (!before && isEmpty(to)) continue;
    changes.push({ field, from: from ?? null, to: to ?? null });
  }
  return changes;
}

function normalise(value: unknown): unknown {
  if (value === undefined) return null;
  if (value instanceof Date) return value.toISOString();
  return value;
}

function isEmpty(value: unknown): boolean {
  if (value === null || value === undefined || value === '') return true;
  if (Array.isArray(value)) return value.length === 0;
  if (typeof value === 'object' && !(value instanceof Date)) return Object.keys(value).length === 0;
  return false;
}
