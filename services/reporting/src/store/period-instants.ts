// Calendar dates of a tenant's zone as instants, by PostgreSQL's zone rules (the same ones that bucket the facts).
import { sql, type Kysely } from 'kysely';
import type { CalendarDate } from '../domain/calendar';

/** The instant a calendar date begins in a zone. */
export async function startOfDay(db: Kysely<unknown>, date: CalendarDate, timeZone: string): Promise<Date> {
  const { rows } = await sql<{ at: Date }>`select (${date}::date::timestamp at time zone ${timeZone}) as at`.execute(
    db,
  );
  return (rows[0] as { at: Date }).at;
}

/** [from 00:00, the day after to 00:00) in the zone. */
export async function instantsOf(
  db: Kysely<unknown>,
  from: CalendarDate,
  to: CalendarDate,
  timeZone: string,
): Promise<{ fromAt: Date; toAt: Date }> {
  const { rows } = await sql<{ from_at: Date; to_at: Date }>`
    select (${from}::date::timestamp at time zone ${timeZone}) as from_at,
           ((${to}::date + 1)::timestamp at time zone ${timeZone}) as to_at`.execute(db);
  const row = rows[0] as { from_at: Date; to_at: Date };
  return { fromAt: row.from_at, toAt: row.to_at };
}
