// One page of a read-model table in index order, keyset-paginated, with the caller's visibility in SQL.
import {
  afterCursor,
  decodeCursor,
  orderBy,
  pageOf,
  scopeBranches,
  scopeSql,
  type CursorValue,
  type Page,
  type Scope,
  type SortKey,
} from '@crm/service-kit';
import { sql, type Kysely, type RawBuilder, type SqlBool } from 'kysely';

export interface OrderedPageRequest {
  table: string;
  /** Columns to read, unqualified. */
  columns: readonly string[];
  scope: Scope;
  filters: ReadonlyArray<RawBuilder<SqlBool>>;
  /** Ending with a unique column. */
  keys: readonly SortKey[];
  /** An opaque cursor from an earlier page, or ''. */
  cursor: string;
  limit: number;
}

/**
 * Each scope branch (the tenant; or the caller's own rows and each of their teams') is read from its own index
 * in order, `limit + 1` at most, and the branches are merged: the database never sorts every visible row, and
 * `scopeSql` alone decides what is visible (the branches only choose the index).
 */
export async function orderedPage<R extends { id: string }>(
  db: Kysely<unknown>,
  request: OrderedPageRequest,
  keyOf: (row: R) => CursorValue[],
): Promise<Page<R>> {
  const branches = scopeBranches(request.scope);
  if (branches.length === 0) return { rows: [], nextCursor: '' };
  const conditions = [scopeSql(request.scope), ...request.filters];
  if (request.cursor) conditions.push(afterCursor(request.keys, decodeCursor(request.cursor, request.keys.length)));
  const columns = sql.join(request.columns.map((c) => sql.ref(c)));
  const take = request.limit + 1;
  const selects = branches.map(
    (branch) => sql`(
      select ${columns} from ${sql.table(request.table)}
      where ${branch} and ${sql.join(conditions, sql` and `)}
      order by ${orderBy(request.keys)} limit ${take}
    )`,
  );
  const query =
    selects.length === 1
      ? (selects[0] as RawBuilder<unknown>)
      : sql`select * from (${sql.join(selects, sql` union all `)}) merged order by ${orderBy(request.keys)} limit ${take * selects.length}`;
  const { rows } = await query.execute(db);
  const seen = new Set<string>();
  const unique = (rows as R[]).filter((row) => !seen.has(row.id) && seen.add(row.id)).slice(0, take);
  return pageOf(unique, request.limit, keyOf);
}

/** A LIKE pattern matching values that start with `prefix` (its own %, _ and \ taken literally). */
export function startsWithPattern(prefix: string): string {
  return `${prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}
