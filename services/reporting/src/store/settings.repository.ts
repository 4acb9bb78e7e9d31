// The tenant's reporting settings: the time zone its calendar periods are in. One small row per tenant, written
// with a compare-and-set on its version.
import { versionMismatch } from '@crm/service-kit';
import { sql, type Kysely } from 'kysely';

export interface ReportingSettings {
  timeZone: string;
  /** 0 while the tenant uses the default. */
  version: number;
  updatedAt: Date | null;
}

interface SettingsRow {
  time_zone: string;
  version: number;
  updated_at: Date;
}

export class SettingsRepository {
  constructor(
    private readonly db: Kysely<unknown>,
    private readonly defaultTimeZone: string,
  ) {}

  async get(tenantId: string): Promise<ReportingSettings> {
    const { rows } = await sql<SettingsRow>`
      select time_zone, version, updated_at from tenant_settings where tenant_id = ${tenantId}`.execute(this.db);
    const row = rows[0];
    return row ? settingsOf(row) : { timeZone: this.defaultTimeZone, version: 0, updatedAt: null };
  }

  /** FAILED_PRECONDITION (VERSION_MISMATCH) when the stored version is not the expected one. */
  async update(tenantId: string, timeZone: string, expectedVersion: number, now: Date): Promise<ReportingSettings> {
    const { rows } =
      expectedVersion === 0
        ? await sql<SettingsRow>`
            insert into tenant_settings (tenant_id, time_zone, version, updated_at)
            values (${tenantId}, ${timeZone}, 1, ${now})
            on conflict (tenant_id) do nothing
            returning time_zone, version, updated_at`.execute(this.db)
        : await sql<SettingsRow>`
            update tenant_settings set time_zone = ${timeZone}, version = version + 1, updated_at = ${now}
            where tenant_id = ${tenantId} and version = ${expectedVersion}
            returning time_zone, version, updated_at`.execute(this.db);
    const row = rows[0];
    if (!row) throw versionMismatch(expectedVersion, (await this.get(tenantId)).version);
    return settingsOf(row);
  }

  /** Whether PostgreSQL, which buckets the facts, knows the zone too. */
  async knowsTimeZone(timeZone: string): Promise<boolean> {
    const { rows } = await sql`select 1 from pg_timezone_names where name = ${timeZone}`.execute(this.db);
    return rows.length > 0;
  }
}

function settingsOf(row: SettingsRow): ReportingSettings {
  return { timeZone: row.time_zone, version: Number(row.version), updatedAt: row.updated_at };
}
