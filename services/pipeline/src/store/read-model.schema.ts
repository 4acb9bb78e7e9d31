// The pipeline service's PostgreSQL read model (database crm_pipeline): its tables as Kysely sees them and the
// migrations that make them. Every index starts with tenant_id; lists page by keyset, never OFFSET.
import { sql, type Generated, type Migration } from 'kysely';

export interface DealsTable {
  id: string;
  tenant_id: string;
  owner_id: string;
  team_id: string;
  version: number;
  pipeline_id: string;
  stage_id: string;
  status: string;
  /** Compared as bytes (collation "C"), as the rank keys are made to sort. */
  rank: string;
  title: string;
  amount_minor: number;
  currency: string;
  contact_id: string;
  company_id: string;
  /** ISO dates, null when unknown; the forecast date is the close day for closed deals. */
  expected_close_date: string | null;
  forecast_date: string | null;
  closed_at: Date | null;
  created_at: Date;
  updated_at: Date;
  deleted_at: Date | null;
  /** The deal record as stored, for answers (jsonb). */
  doc: unknown;
}

export interface ContactSummariesTable {
  tenant_id: string;
  id: string;
  display_name: string;
  email: string;
  erased: boolean;
  source_version: number;
}

export interface CompanySummariesTable {
  tenant_id: string;
  id: string;
  name: string;
  domain: string;
  source_version: number;
}

/** A deal import job: operational state (like the kit's durable timers), not derived from the event log. */
export interface DealImportsTable {
  id: string;
  tenant_id: string;
  owner_id: string;
  /** The importer as a principal (jsonb): the worker writes the deals as them. */
  actor: unknown;
  file_name: string;
  status: 'queued' | 'running' | 'completed' | 'failed';
  mapping: unknown;
  match_by: string;
  size_bytes: number;
  file: Buffer;
  rows_total: Generated<number>;
  rows_done: Generated<number>;
  created_count: Generated<number>;
  updated_count: Generated<number>;
  unchanged_count: Generated<number>;
  error_count: Generated<number>;
  failure_message: Generated<string>;
  created_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
  /** A running job whose worker has not renewed this is taken over by another. */
  lease_until: Date | null;
}

export interface DealImportErrorsTable {
  job_id: string;
  row: number;
  seq: number;
  field: string;
  message: string;
}

/**
 * Live deals summed per (tenant, pipeline, stage, owner, team, currency): the board's totals for any visibility are
 * a sum over a few of these rows. Kept by triggers on `deals` in the statement that changes the deal rows; a group
 * with no deal left has no row.
 */
export interface DealTotalsTable {
  tenant_id: string;
  pipeline_id: string;
  stage_id: string;
  owner_id: string;
  team_id: string;
  currency: string;
  deal_count: number;
  amount_minor: number;
}

export interface PipelineReadModel {
  deals: DealsTable;
  deal_totals: DealTotalsTable;
  contact_summaries: ContactSummariesTable;
  company_summaries: CompanySummariesTable;
  deal_imports: DealImportsTable;
  deal_import_errors: DealImportErrorsTable;
}

const TOTALS_KEY = 'tenant_id, pipeline_id, stage_id, owner_id, team_id, currency';

/**
 * A statement-level trigger function adding the live deals of `added` and taking away those of `removed` (transition
 * tables). Groups are upserted in key order, so concurrent statements lock the rows they share in one order; a group
 * left empty is deleted (only a group a deal left can become empty).
 */
function totalsTrigger(name: string, added: string | null, removed: string | null) {
  const sources = [
    added && `select ${TOTALS_KEY}, 1 as n, amount_minor as amount from ${added} where deleted_at is null`,
    removed && `select ${TOTALS_KEY}, -1, -amount_minor from ${removed} where deleted_at is null`,
  ].filter(Boolean);
  const prune = removed
    ? `delete from deal_totals where deal_count = 0
        and (${TOTALS_KEY}) in (select ${TOTALS_KEY} from ${removed} where deleted_at is null);`
    : '';
  return sql.raw(`
    create function ${name}() returns trigger language plpgsql as $$
    begin
      insert into deal_totals as t (${TOTALS_KEY}, deal_count, amount_minor)
      select ${TOTALS_KEY}, sum(n), sum(amount) from (${sources.join(' union all ')}) delta
      group by ${TOTALS_KEY}
      having sum(n) <> 0 or sum(amount) <> 0
      order by ${TOTALS_KEY}
      on conflict (${TOTALS_KEY}) do update
        set deal_count = t.deal_count + excluded.deal_count, amount_minor = t.amount_minor + excluded.amount_minor;
      ${prune}
      return null;
    end $$`);
}

export const pipelineMigrations: Record<string, Migration> = {
  '001-deals': {
    async up(db) {
      await sql`
        create table deals (
          id text primary key,
          tenant_id text not null,
          owner_id text not null,
          team_id text not null,
          version int not null,
          pipeline_id text not null,
          stage_id text not null,
          status text not null,
          rank text collate "C" not null,
          title text not null,
          amount_minor bigint not null,
          currency text not null,
          contact_id text not null,
          company_id text not null,
          expected_close_date date,
          forecast_date date,
          closed_at timestamptz,
          created_at timestamptz not null,
          updated_at timestamptz not null,
          deleted_at timestamptz,
          doc jsonb not null
        )`.execute(db);
      // Board columns in rank order: the whole tenant, one owner (reps), one team (managers' branches).
      await sql`create index deals_column on deals (tenant_id, pipeline_id, stage_id, rank, id)
        include (owner_id, team_id, currency, amount_minor) where deleted_at is null`.execute(db);
      await sql`create index deals_owner_column on deals (tenant_id, owner_id, pipeline_id, stage_id, rank, id)
        where deleted_at is null`.execute(db);
      await sql`create index deals_team_column on deals (tenant_id, team_id, pipeline_id, stage_id, rank, id)
        where deleted_at is null`.execute(db);
      // Lists in creation order (ids are UUIDv7), deleted deals included on request.
      await sql`create index deals_created on deals (tenant_id, id)`.execute(db);
      await sql`create index deals_owner_created on deals (tenant_id, owner_id, id)`.execute(db);
      await sql`create index deals_team_created on deals (tenant_id, team_id, id)`.execute(db);
      await sql`create index deals_contact on deals (tenant_id, contact_id) where contact_id <> ''`.execute(db);
      await sql`create index deals_company on deals (tenant_id, company_id) where company_id <> ''`.execute(db);
      await sql`create index deals_forecast on deals (tenant_id, forecast_date)
        include (owner_id, team_id, pipeline_id, stage_id, currency, amount_minor)
        where deleted_at is null and forecast_date is not null`.execute(db);

      await sql`
        create table contact_summaries (
          tenant_id text not null,
          id text not null,
          display_name text not null,
          email text not null,
          erased boolean not null,
          source_version int not null,
          primary key (tenant_id, id)
        )`.execute(db);
      await sql`
        create table company_summaries (
          tenant_id text not null,
          id text not null,
          name text not null,
          domain text not null,
          source_version int not null,
          primary key (tenant_id, id)
        )`.execute(db);
    },
  },
  '002-deal-imports': {
    async up(db) {
      await sql`
        create table deal_imports (
          id text primary key,
          tenant_id text not null,
          owner_id text not null,
          actor jsonb not null,
          file_name text not null,
          status text not null,
          mapping jsonb not null,
          match_by text not null,
          size_bytes int not null,
          file bytea not null,
          rows_total int not null default 0,
          rows_done int not null default 0,
          created_count int not null default 0,
          updated_count int not null default 0,
          unchanged_count int not null default 0,
          error_count int not null default 0,
          failure_message text not null default '',
          created_at timestamptz not null,
          started_at timestamptz,
          finished_at timestamptz,
          lease_until timestamptz
        )`.execute(db);
      await sql`create index deal_imports_listed on deal_imports (tenant_id, created_at desc, id desc)`.execute(db);
      // The workers' queue spans tenants: what is waiting or running, oldest first.
      await sql`create index deal_imports_pending on deal_imports (created_at)
        where status in ('queued', 'running')`.execute(db);
      await sql`
        create table deal_import_errors (
          job_id text not null references deal_imports (id) on delete cascade,
          row int not null,
          seq int not null,
          field text not null,
          message text not null,
          primary key (job_id, row, seq)
        )`.execute(db);
    },
  },
  '003-deal-totals': {
    async up(db) {
      await sql`
        create table deal_totals (
          tenant_id text not null,
          pipeline_id text not null,
          stage_id text not null,
          owner_id text not null,
          team_id text not null,
          currency text not null,
          deal_count bigint not null,
          amount_minor bigint not null,
          primary key (tenant_id, pipeline_id, stage_id, owner_id, team_id, currency)
        )`.execute(db);
      // Reps read their own groups, managers their own and their teams'.
      await sql`create index deal_totals_owner on deal_totals (tenant_id, owner_id, pipeline_id)`.execute(db);
      await sql`create index deal_totals_team on deal_totals (tenant_id, team_id, pipeline_id)`.execute(db);
      await totalsTrigger('deal_totals_inserted', 'new_deals', null).execute(db);
      await totalsTrigger('deal_totals_updated', 'new_deals', 'old_deals').execute(db);
      await totalsTrigger('deal_totals_deleted', null, 'old_deals').execute(db);
      await sql`
        create function deal_totals_truncated() returns trigger language plpgsql as $$
        begin
          truncate table deal_totals;
          return null;
        end $$`.execute(db);
      // Creating the triggers locks out writers until the migration commits, so the sums below miss no change.
      await sql`create trigger deal_totals_inserted after insert on deals referencing new table as new_deals
        for each statement execute function deal_totals_inserted()`.execute(db);
      await sql`create trigger deal_totals_updated after update on deals
        referencing old table as old_deals new table as new_deals
        for each statement execute function deal_totals_updated()`.execute(db);
      await sql`create trigger deal_totals_deleted after delete on deals referencing old table as old_deals
        for each statement execute function deal_totals_deleted()`.execute(db);
      await sql`create trigger deal_totals_truncated after truncate on deals
        for each statement execute function deal_totals_truncated()`.execute(db);
      await sql`
        insert into deal_totals (tenant_id, pipeline_id, stage_id, owner_id, team_id, currency, deal_count, amount_minor)
        select tenant_id, pipeline_id, stage_id, owner_id, team_id, currency, count(*), sum(amount_minor)
        from deals where deleted_at is null
        group by tenant_id, pipeline_id, stage_id, owner_id, team_id, currency`.execute(db);
    },
  },
};
