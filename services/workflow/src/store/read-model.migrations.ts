import { sql, type Migration } from 'kysely';
import { timerMigrations } from '@crm/service-kit';

// Every table has tenant_id, owner_id, team_id and version; every index starts with tenant_id.
export const workflowMigrations: Record<string, Migration> = {
  ...timerMigrations,
  '001-workflow': {
    async up(db) {
      await sql`create table rules (
        id text primary key, tenant_id text not null, owner_id text not null, team_id text not null,
        version int not null, key text not null, name text not null, enabled boolean not null,
        trigger_type text not null, definition jsonb not null, deleted boolean not null,
        created_at timestamptz not null, updated_at timestamptz not null)`.execute(db);
      await sql`create index rules_tenant on rules (tenant_id, id) where not deleted`.execute(db);
      await sql`create table runs (
        id text primary key, tenant_id text not null, owner_id text not null, team_id text not null,
        version int not null, rule_id text not null, rule_name text not null, trigger_type text not null,
        event_id text not null, event_type text not null, subject_type text not null, subject_id text not null,
        status text not null, error text not null, failed_step text not null,
        created_at timestamptz not null, updated_at timestamptz not null, finished_at timestamptz)`.execute(db);
      await sql`create index runs_tenant_created on runs (tenant_id, created_at desc, id desc)`.execute(db);
      await sql`create index runs_tenant_rule on runs (tenant_id, rule_id, created_at desc)`.execute(db);
      await sql`create index runs_tenant_status on runs (tenant_id, status, created_at desc)`.execute(db);
      await sql`create index runs_tenant_subject on runs (tenant_id, subject_id)`.execute(db);
      await sql`create table tasks (
        id text primary key, tenant_id text not null, owner_id text not null, team_id text not null,
        version int not null, title text not null, priority text not null, status text not null,
        due_at timestamptz, due_sort timestamptz not null, reminder_at timestamptz,
        contact_id text not null, company_id text not null, deal_id text not null, ticket_id text not null,
        run_id text not null, rule_id text not null, deleted boolean not null,
        created_at timestamptz not null, updated_at timestamptz not null)`.execute(db);
      await sql`create index tasks_tenant_owner_open on tasks (tenant_id, owner_id, due_sort, id)
        where status = 'open' and not deleted`.execute(db);
      await sql`create index tasks_tenant_created on tasks (tenant_id, created_at desc, id desc)`.execute(db);
      await sql`create index tasks_tenant_contact on tasks (tenant_id, contact_id) where contact_id <> ''`.execute(db);
      await sql`create table webhook_endpoints (
        id text primary key, tenant_id text not null, owner_id text not null, team_id text not null,
        version int not null, url text not null, status text not null, event_types text[] not null,
        deleted boolean not null, created_at timestamptz not null)`.execute(db);
      await sql`create index webhook_endpoints_tenant on webhook_endpoints (tenant_id, id)`.execute(db);
      await sql`create table webhook_deliveries (
        id text primary key, tenant_id text not null, owner_id text not null, team_id text not null,
        version int not null, endpoint_id text not null, event_type text not null, event_id text not null,
        run_id text not null, status text not null, attempts int not null, last_status_code int not null,
        last_latency_ms int not null, next_attempt_at timestamptz,
        created_at timestamptz not null, updated_at timestamptz not null)`.execute(db);
      await sql`create index webhook_deliveries_endpoint on webhook_deliveries
        (tenant_id, endpoint_id, created_at desc, id desc)`.execute(db);
      await sql`create index webhook_deliveries_status on webhook_deliveries
        (tenant_id, endpoint_id, status, created_at desc)`.execute(db);
      await sql`create table forms (
        id text primary key, tenant_id text not null, owner_id text not null, team_id text not null,
        version int not null, name text not null, enabled boolean not null, deleted boolean not null,
        created_at timestamptz not null)`.execute(db);
      await sql`create index forms_tenant on forms (tenant_id, id)`.execute(db);
      await sql`create table assignment_teams (
        id text primary key, tenant_id text not null, owner_id text not null, team_id text not null,
        version int not null, members jsonb not null, updated_at timestamptz not null)`.execute(db);
      await sql`create index assignment_teams_tenant on assignment_teams (tenant_id, team_id)`.execute(db);
      // Trigger state kept from the events of other services.
      await sql`create table record_states (
        tenant_id text not null, entity text not null, id text not null, version int not null,
        state jsonb not null, primary key (tenant_id, entity, id))`.execute(db);
      await sql`create table threshold_members (
        tenant_id text not null, rule_id text not null, member_id text not null, group_key text not null,
        version int not null, value double precision not null, primary key (tenant_id, rule_id, member_id))`.execute(
        db,
      );
      await sql`create table threshold_groups (
        tenant_id text not null, rule_id text not null, group_key text not null, total double precision not null,
        above boolean not null, crossings int not null, fired int not null,
        primary key (tenant_id, rule_id, group_key))`.execute(db);
    },
  },
  '002-record-state-previous': {
    async up(db) {
      // The state before the kept one, so a redelivered event sees the same "before" again.
      await sql`alter table record_states add column previous jsonb`.execute(db);
    },
  },
};
