import { sql, type Kysely } from 'kysely';

export type Row = Record<string, unknown>;

/**
 * Inserts rows, or updates the stored row only when the incoming version is newer: the in-request update, the
 * stream consumer and a rebuild can all apply the same change in any order and the newest one stays. Rows of one
 * call must have the same columns; a key (one column or several) repeated in one call keeps its newest row.
 */
export async function upsertNewer<DB>(
  db: Kysely<DB>,
  table: string,
  rows: readonly Row[],
  options: { key?: string | readonly string[]; version?: string } = {},
): Promise<void> {
  const key = typeof options.key === 'string' ? [options.key] : (options.key ?? ['id']);
  const version = options.version ?? 'version';
  const newest = new Map<string, Row>();
  for (const row of rows) {
    const id = JSON.stringify(key.map((k) => row[k]));
    const seen = newest.get(id);
    if (!seen || Number(seen[version]) < Number(row[version])) newest.set(id, row);
  }
  if (newest.size === 0) return;
  const columns = Object.keys(rows[0] as Row);
  // In key order, so that concurrent upserts of overlapping rows take their row locks in one order.
  const ordered = [...newest.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, row]) => row);
  const values = ordered.map((row) => sql`(${sql.join(columns.map((c) => row[c]))})`);
  const updates = columns.filter((c) => !key.includes(c)).map((c) => sql`${sql.ref(c)} = excluded.${sql.ref(c)}`);
  await sql`
    insert into ${sql.table(table)} (${sql.join(columns.map((c) => sql.ref(c)))})
    values ${sql.join(values)}
    on conflict (${sql.join(key.map((k) => sql.ref(k)))}) do update set ${sql.join(updates)}
    where ${sql.table(table)}.${sql.ref(version)} < excluded.${sql.ref(version)}
  `.execute(db);
}

/** A value for a jsonb column: pg would send a JS array as a PostgreSQL array. */
export function jsonb(value: unknown): string {
  return JSON.stringify(value ?? null);
}
