import { sql, type RawBuilder, type SqlBool } from 'kysely';
import type { Scope } from '../access/scope';

export interface ScopeColumns {
  /** Table alias or name to qualify the columns with. */
  table?: string;
  tenant?: string;
  owner?: string;
  team?: string;
}

/**
 * The scope as a SQL condition over a read model's tenant_id, owner_id and team_id columns: every list, search,
 * board and report query takes it, so visibility is decided by the database, never filtered after the fact.
 */
export function scopeSql(scope: Scope, columns: ScopeColumns = {}): RawBuilder<SqlBool> {
  const ref = (name: string) => sql.ref(columns.table ? `${columns.table}.${name}` : name);
  const tenant = ref(columns.tenant ?? 'tenant_id');
  if (scope.kind === 'none') return sql<SqlBool>`false`;
  if (scope.kind === 'tenant') return sql<SqlBool>`${tenant} = ${scope.tenantId}`;
  const owner = ref(columns.owner ?? 'owner_id');
  if (scope.teamIds.length === 0) return sql<SqlBool>`(${tenant} = ${scope.tenantId} and ${owner} = ${scope.ownerId})`;
  const team = ref(columns.team ?? 'team_id');
  return sql<SqlBool>`(${tenant} = ${scope.tenantId} and (${owner} = ${scope.ownerId} or ${team} = any(${[...scope.teamIds]}::text[])))`;
}

/**
 * Equalities whose union is the scope, one per index a list can be read in order from: the tenant for admins; the
 * caller's own records and each of their teams' for the rest. A list ordered by an indexed column reads each
 * branch from its index (with `scopeSql` as well, which alone decides visibility) and merges them, where one
 * `owner = me or team = any(...)` would make the database sort every visible row first.
 */
export function scopeBranches(scope: Scope, columns: ScopeColumns = {}): Array<RawBuilder<SqlBool>> {
  const ref = (name: string) => sql.ref(columns.table ? `${columns.table}.${name}` : name);
  if (scope.kind === 'none') return [];
  if (scope.kind === 'tenant') return [sql<SqlBool>`true`];
  const owner = ref(columns.owner ?? 'owner_id');
  const team = ref(columns.team ?? 'team_id');
  return [
    sql<SqlBool>`${owner} = ${scope.ownerId}`,
    ...[...new Set(scope.teamIds)].map((teamId) => sql<SqlBool>`${team} = ${teamId}`),
  ];
}
