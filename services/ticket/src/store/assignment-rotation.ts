// The rotation state of automatic assignment, and the lock that makes choosing an agent and creating the ticket
// one step per group: concurrent creations in a group take turns (a transaction-scoped advisory lock), so
// round-robin and capacity see every earlier assignment.
import { sql, type Kysely, type Transaction } from 'kysely';
import type { TicketDb } from './read-model';

export class AssignmentRotation {
  constructor(private readonly db: Kysely<TicketDb>) {}

  /** Runs `work` holding the group's lock; `work` gets the rotation and records the choice through `assigned`. */
  async withGroupLock<T>(
    tenantId: string,
    groupId: string,
    work: (rotation: Map<string, number>, assigned: (userId: string) => Promise<void>) => Promise<T>,
  ): Promise<T> {
    return this.db.transaction().execute(async (trx: Transaction<TicketDb>) => {
      await sql`select pg_advisory_xact_lock(hashtext(${`ticket-assign:${tenantId}:${groupId}`}))`.execute(trx);
      const rows = await trx
        .selectFrom('assignment_rotation')
        .select(['user_id', 'last_assigned'])
        .where('tenant_id', '=', tenantId)
        .where('group_id', '=', groupId)
        .execute();
      const rotation = new Map(rows.map((r) => [r.user_id, Number(r.last_assigned)]));
      const next = Math.max(0, ...rotation.values()) + 1;
      return work(rotation, async (userId) => {
        await trx
          .insertInto('assignment_rotation')
          .values({ tenant_id: tenantId, group_id: groupId, user_id: userId, last_assigned: next })
          .onConflict((oc) => oc.columns(['tenant_id', 'group_id', 'user_id']).doUpdateSet({ last_assigned: next }))
          .execute();
      });
    });
  }
}
