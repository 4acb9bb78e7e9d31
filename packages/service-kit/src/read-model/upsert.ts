import { sql, type Kysely } from 'kysely';

export type Row = Record<string, unknown>;

/**
 * Inserts rows, or updates the stored row only when the incoming version is newer: the in-request update, the
 * stream consumer and a rebuild can all apply the same change in any order and the newest one stays. Rows of one
 * call must have the same columns; a key repeated in one call keeps its newest row.
 */
export async function upsertNewer<DB>(
  db: Kysely<DB>,
  table: string,
  rows: readonly Row[],
  options: { key?: string; version?: string } = {},
): Promise<void> {
  const key = options.key ?? 'id';
  const version = options.version ?? 'version';
  const newest = new Map<unknown, Row>();
  for (const row of rows) {
    const seen = newest.get(row[key]);
    if (!seen || Number(seen[version]) < Number(row[version])) newest.set(row[key], row);
  }
  if (newest.size === 0) return;
  const columns = Object.keys(rows[0] as Row);
  const values = [...newest.values()].map((row) => sql`(${sql.join(columns.map((c) => row[c]))})`);
  const updates = columns.filter((c) => c !== key).map((c) => sql`${sql.ref(c)} = excluded.${sql.ref(c)}`);
  await sql`
    insert into ${sql.table(table)} (${sql.join(columns.map((c) => sql.ref(c)))})
    values ${sql.join(values)}
    on conflict (${sql.ref(key)}) do update set ${sql.join(updates)}
    where ${sql.table(table)}.${sql.ref(version)} < excluded.${sql.ref(version)}
  `.execute(db);
}

/** A value for a jsonb column: pg would send a JS array as a PostgreSQL array. */
export function jsonb(value: unknown): string {
  return JSON.stringify(value ?? null);
}
