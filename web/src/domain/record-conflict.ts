import { minorDigits } from './money';

// A 412 on an edit: the record moved on since the user read it. These say what the others changed, whether they
// touched the same fields, so the user can re-apply their change on top of the latest version or drop it.

export interface FieldChange {
  field: string;
  before: unknown;
  after: unknown;
}

/** Bookkeeping that changes with every write and says nothing to a user. */
const IGNORED = new Set(['version', 'updatedAt', 'createdAt', 'tenantId', 'id', 'searchTokens', 'lastActivityAt']);

function canonical(value: unknown): string {
  if (value === undefined) return 'null';
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)))
      : v,
  );
}

export function sameValue(a: unknown, b: unknown): boolean {
  const empty = (v: unknown) => v === undefined || v === null || v === '';
  if (empty(a) && empty(b)) return true;
  return canonical(a) === canonical(b);
}

/** The top-level fields (and custom fields, as "customFields.key") that differ between two versions. */
export function changedFields(before: object, after: object): FieldChange[] {
  const a = before as Record<string, unknown>;
  const b = after as Record<string, unknown>;
  const changes: FieldChange[] = [];
  const fields = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const field of [...fields].sort()) {
    if (IGNORED.has(field)) continue;
    if (field === 'customFields') {
      const ca = (a.customFields ?? {}) as Record<string, unknown>;
      const cb = (b.customFields ?? {}) as Record<string, unknown>;
      for (const key of [...new Set([...Object.keys(ca), ...Object.keys(cb)])].sort())
        if (!sameValue(ca[key], cb[key]))
          changes.push({ field: `customFields.${key}`, before: ca[key], after: cb[key] });
      continue;
    }
    if (!sameValue(a[field], b[field])) changes.push({ field, before: a[field], after: b[field] });
  }
  return changes;
}

export interface Conflict {
  /** What others changed between the version the user edited and the latest one. */
  theirs: FieldChange[];
  /** Fields the user's patch sets that others changed too: re-applying overwrites their value. */
  clashes: string[];
}

/** The fields a merge patch sets, with custom fields as "customFields.key". */
export function patchedFields(patch: object): string[] {
  const fields: string[] = [];
  for (const [field, value] of Object.entries(patch)) {
    if (field === 'customFields' && value && typeof value === 'object')
      for (const key of Object.keys(value)) fields.push(`customFields.${key}`);
    else fields.push(field);
  }
  return fields;
}

export function conflictOf(base: object, latest: object, patch: object): Conflict {
  const theirs = changedFields(base, latest);
  const changed = new Set(theirs.map((c) => c.field));
  return { theirs, clashes: patchedFields(patch).filter((f) => changed.has(f)) };
}

/** A value as one line of text in the conflict dialog. */
export function describeValue(value: unknown): string {
  if (value === undefined || value === null || value === '') return '(empty)';
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) {
    if (value.length === 0) return '(empty)';
    return value
      .map((v) =>
        v && typeof v === 'object' ? (Object.values(v as object).find((x) => typeof x === 'string') ?? '') : String(v),
      )
      .join(', ');
  }
  if (typeof value === 'object') {
    const money = value as { amountMinor?: unknown; currency?: unknown };
    if (typeof money.amountMinor === 'number' && typeof money.currency === 'string')
      return `${(money.amountMinor / 10 ** minorDigits(money.currency)).toFixed(minorDigits(money.currency))} ${money.currency}`;
    return Object.values(value as object)
      .filter((v) => typeof v === 'string' && v)
      .join(', ');
  }
  return String(value);
}
