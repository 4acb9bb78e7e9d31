// The last state this service saw of each record whose producer sends no "before" (contacts, companies, tickets,
// tasks), so "changed from" can be checked: an event's previous state is the one kept for the version before it.
// A redelivered event gets the same previous state again; an event older than what is kept gets none. Erased and
// deleted records are forgotten (no personal data is kept past the record).
import { sql, type Kysely } from 'kysely';
import type { Entity } from '../domain/catalog';

type Json = Record<string, unknown>;

export const KEPT_ENTITIES: ReadonlySet<Entity> = new Set(['contact', 'company', 'ticket', 'task']);

export interface StateFacts {
  tenantId: string;
  entity: Entity;
  id: string;
  version: number;
  record: Json;
}

export class RecordStates {
  constructor(private readonly db: Kysely<unknown>) {}

  /** Keeps the event's state and answers the state before it (null when unknown). */
  async previousOf(facts: StateFacts): Promise<Json | null> {
    const { tenantId, entity, id, version } = facts;
    const state = JSON.stringify(facts.record);
    // One statement: "old" is the row as it was before the upsert, which only ever moves to a newer version.
    const { rows } = await sql<{ version: number; state: Json; previous: Json | null }>`
      with old as (
        select version, state, previous from record_states
        where tenant_id = ${tenantId} and entity = ${entity} and id = ${id}),
      kept as (
        insert into record_states (tenant_id, entity, id, version, state, previous)
        values (${tenantId}, ${entity}, ${id}, ${version}, ${state}::jsonb,
          (select state from old where version < ${version}))
        on conflict (tenant_id, entity, id) do update
          set version = excluded.version, state = excluded.state, previous = excluded.previous
          where record_states.version < excluded.version)
      select version, state, previous from old`.execute(this.db);
    const old = rows[0];
    if (!old) return null;
    if (old.version < version) return old.state;
    return old.version === version ? old.previous : null;
  }

  async forget(tenantId: string, entity: Entity, id: string): Promise<void> {
    await sql`delete from record_states where tenant_id = ${tenantId} and entity = ${entity} and id = ${id}`.execute(
      this.db,
    );
  }
}

export function forgetsRecord(eventType: string): boolean {
  return eventType === 'contact.erased' || eventType.endsWith('.deleted');
}
