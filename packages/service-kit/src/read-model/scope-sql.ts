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
