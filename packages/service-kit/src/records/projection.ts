import { sql, type Kysely } from 'kysely';
import { upsertNewer, type Row } from '../read-model/upsert';

/**
 * Something kept up to date from an aggregate's states: a read-model table, usually. `apply` must be idempotent
 * and keep the newest version whatever the order it sees states in: the write path, the consumer of the
 * service's own stream, the sweeper and a rebuild all call it.
 */
export interface Projection<T> {
  readonly name: string;
  apply(states: readonly T[]): Promise<void>;
  /** The version it holds of an aggregate, if it can tell: the stream's consumer skips what it has already. */
  versionOf?(aggregateId: string): Promise<number | undefined>;
}

/** A projection that upserts one row per state into a table keyed by id, keeping the newest version. */
export function rowProjection<T, DB>(options: {
  name?: string;
  db: Kysely<DB>;
  table: string;
  toRow: (state: T) => Row;
  key?: string;
}): Projection<T> {
  const key = options.key ?? 'id';
  return {
    name: options.name ?? options.table,
    apply: (states) => upsertNewer(options.db, options.table, states.map(options.toRow), { key }),
    versionOf: async (aggregateId) => {
      const { rows } = await sql<{ version: number }>`
        select version from ${sql.table(options.table)} where ${sql.ref(key)} = ${aggregateId}
      `.execute(options.db);
      return rows[0]?.version;
    },
  };
}
