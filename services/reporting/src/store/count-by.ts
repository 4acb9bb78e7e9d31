// A fact set's rows counted by group (and one more dimension of it).
import { sql, type Kysely } from 'kysely';
import { whereOf, type FactSet } from './fact-sets';

/** Rows of a set counted by group (and one more dimension of it). */
export async function countBy(
  db: Kysely<unknown>,
  set: FactSet,
  dimension?: 'source' | 'type' | 'currency',
): Promise<{ group: string; dim: string; count: number }[]> {
  const dim =
    dimension === 'source' ? set.sourceValue : dimension === 'type' ? set.type : dimension ? set.currency : undefined;
  const { rows } = await sql<{ grp: string; dim: string; n: number }>`
    select ${set.group} as grp, ${dim ?? sql`''`} as dim, count(*) as n
    from ${set.source} where ${whereOf(set)} group by 1, 2`.execute(db);
  return rows.map((r) => ({ group: r.grp, dim: r.dim, count: Number(r.n) }));
}
