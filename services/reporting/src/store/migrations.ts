// The facts' schema. Every fact row has tenant_id, owner_id, team_id (the visibility columns scopeSql reads) and
// the version it is as of; every index starts with tenant_id. The dashboard's range scans are served by partial,
// covering indexes on the time each metric counts by (closed_at, expected_close_date, created_at, entered_at,
// left_at, occurred_at), so an aggregate reads the index alone. A name once applied never changes.
import { sql, type Kysely, type Migration } from 'kysely';

async function run(db: Kysely<unknown>, statements: string[]): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}

const salesFacts: Migration = {
  up: (db) =>
    run(db, [
      `create table tenant_settings (
        tenant_id text primary key,
        time_zone text not null,
        version bigint not null,
        updated_at timestamptz not null
      )`,
      // Newest event applied per tenant and stream: the "as of" of a dashboard.
      `create table stream_positions (
        tenant_id text not null,
        stream text not null,
        last_event_at timestamptz not null,
        primary key (tenant_id, stream)
      )`,
      `create table pipelines (
        tenant_id text not null,
        pipeline_id text not null,
        name text not null,
        version bigint not null,
        primary key (tenant_id, pipeline_id)
      )`,
      `create table pipeline_stages (
        tenant_id text not null,
        pipeline_id text not null,
        stage_id text not null,
        name text not null,
        position int not null,
        kind text not null,
        probability int not null,
        forecast_category text not null,
        archived boolean not null,
        primary key (tenant_id, pipeline_id, stage_id)
      )`,
      `create table deals (
        tenant_id text not null,
        deal_id text not null,
        version bigint not null,
        pipeline_id text not null,
        stage_id text not null,
        status text not null,
        amount_minor bigint not null,
        currency text not null,
        probability int not null,
        forecast_category text not null,
        owner_id text not null,
        team_id text not null,
        contact_id text not null,
        company_id text not null,
        expected_close_date date,
        created_at timestamptz not null,
        closed_at timestamptz,
        lost_reason text not null,
        deleted boolean not null,
        updated_at timestamptz not null,
        primary key (tenant_id, deal_id)
      )`,
      `create index deals_closed on deals (tenant_id, closed_at)
        include (status, owner_id, team_id, pipeline_id, currency, amount_minor, created_at, contact_id)
        where not deleted and status <> 'open'`,
      `create index deals_open_by_close_date on deals (tenant_id, expected_close_date)
        include (owner_id, team_id, pipeline_id, stage_id, currency, amount_minor, probability, forecast_category,
                 contact_id)
        where not deleted and status = 'open'`,
      `create index deals_created on deals (tenant_id, created_at)
        include (status, closed_at, owner_id, team_id, pipeline_id, currency, contact_id)
        where not deleted`,
      `create index deals_open_created on deals (tenant_id, created_at)
        include (owner_id, team_id, pipeline_id, currency, contact_id) where not deleted and status = 'open'`,
      `create index deals_contact on deals (tenant_id, contact_id) where contact_id <> ''`,
      `create table deal_stays (
        tenant_id text not null,
        deal_id text not null,
        entered_version bigint not null,
        pipeline_id text not null,
        stage_id text not null,
        status text not null,
        entered_at timestamptz not null,
        amount_minor bigint not null,
        currency text not null,
        owner_id text not null,
        team_id text not null,
        left_at timestamptz,
        left_version bigint,
        next_stage_id text,
        next_status text,
        deal_deleted boolean not null,
        primary key (tenant_id, deal_id, entered_version)
      )`,
      `create index deal_stays_entered on deal_stays (tenant_id, entered_at)
        include (pipeline_id, stage_id, owner_id, team_id, currency, next_stage_id, next_status)
        where not deal_deleted`,
      `create index deal_stays_left on deal_stays (tenant_id, left_at)
        include (pipeline_id, stage_id, owner_id, team_id, currency, entered_at)
        where not deal_deleted and left_at is not null`,
      `create table contacts (
        tenant_id text not null,
        contact_id text not null,
        version bigint not null,
        created_at timestamptz not null,
        lead_source text not null,
        lifecycle_stage text not null,
        owner_id text not null,
        team_id text not null,
        deleted boolean not null,
        merged boolean not null,
        primary key (tenant_id, contact_id)
      )`,
      `create index contacts_created on contacts (tenant_id, created_at)
        include (lead_source, owner_id, team_id) where not deleted and not merged`,
      `create table companies (
        tenant_id text not null,
        company_id text not null,
        version bigint not null,
        created_at timestamptz not null,
        owner_id text not null,
        team_id text not null,
        deleted boolean not null,
        primary key (tenant_id, company_id)
      )`,
      `create index companies_created on companies (tenant_id, created_at) include (owner_id, team_id)
        where not deleted`,
      `create table activities (
        tenant_id text not null,
        activity_id text not null,
        version bigint not null,
        type text not null,
        occurred_at timestamptz not null,
        owner_id text not null,
        team_id text not null,
        contact_id text not null,
        deal_id text not null,
        ticket_id text not null,
        deleted boolean not null,
        primary key (tenant_id, activity_id)
      )`,
      `create index activities_occurred on activities (tenant_id, occurred_at)
        include (type, owner_id, team_id, contact_id) where not deleted`,
    ]),
};

const supportFacts: Migration = {
  up: (db) =>
    run(db, [
      // owner_id is the assignee, team_id the support group, channel the ticket's source. Durations are business
      // seconds in the ticket's own calendar, as the ticket service measured them.
      `create table tickets (
        tenant_id text not null,
        ticket_id text not null,
        version bigint not null,
        created_at timestamptz not null,
        channel text not null,
        priority text not null,
        status text not null,
        owner_id text not null,
        team_id text not null,
        first_reply_at timestamptz,
        first_reply_seconds bigint,
        solved_at timestamptz,
        resolution_seconds bigint,
        csat_rating text not null,
        csat_at timestamptz,
        deleted boolean not null,
        merged boolean not null,
        primary key (tenant_id, ticket_id)
      )`,
      `create index tickets_created on tickets (tenant_id, created_at) include (owner_id, team_id, channel)
        where not deleted and not merged`,
      `create index tickets_first_reply on tickets (tenant_id, first_reply_at)
        include (owner_id, team_id, channel, first_reply_seconds) where not deleted and not merged`,
      `create index tickets_solved on tickets (tenant_id, solved_at)
        include (owner_id, team_id, channel, resolution_seconds) where not deleted and not merged`,
      `create index tickets_csat on tickets (tenant_id, csat_at) include (owner_id, team_id, channel, csat_rating)
        where not deleted and not merged and csat_rating in ('good', 'bad')`,
      // One row per SLA target occurrence (next reply restarts: cycle 2, 3...), with its outcome once it has one.
      `create table ticket_slas (
        tenant_id text not null,
        ticket_id text not null,
        metric text not null,
        cycle int not null,
        outcome text not null,
        outcome_at timestamptz,
        owner_id text not null,
        team_id text not null,
        channel text not null,
        ticket_deleted boolean not null,
        primary key (tenant_id, ticket_id, metric, cycle)
      )`,
      `create index ticket_slas_outcome on ticket_slas (tenant_id, outcome_at)
        include (metric, outcome, owner_id, team_id, channel) where not ticket_deleted and outcome <> 'open'`,
    ]),
};

const workflowFacts: Migration = {
  up: (db) =>
    run(db, [
      // An SLA row is as of a ticket version; newer versions replace it (the ticket service may recompute a target).
      `alter table ticket_slas add column version bigint not null default 0`,
      `create table tasks (
        tenant_id text not null,
        task_id text not null,
        version bigint not null,
        status text not null,
        owner_id text not null,
        team_id text not null,
        created_at timestamptz not null,
        due_at timestamptz,
        completed_at timestamptz,
        deleted boolean not null,
        primary key (tenant_id, task_id)
      )`,
      `create index tasks_completed on tasks (tenant_id, completed_at) include (owner_id, team_id)
        where not deleted and completed_at is not null`,
      `create index tasks_due on tasks (tenant_id, due_at) include (owner_id, team_id, status, completed_at)
        where not deleted and status <> 'cancelled' and due_at is not null`,
      `create table workflow_runs (
        tenant_id text not null,
        run_id text not null,
        version bigint not null,
        rule_id text not null,
        rule_name text not null,
        trigger_type text not null,
        subject_type text not null,
        status text not null,
        owner_id text not null,
        team_id text not null,
        created_at timestamptz not null,
        finished_at timestamptz,
        primary key (tenant_id, run_id)
      )`,
      `create index workflow_runs_finished on workflow_runs (tenant_id, finished_at)
        include (rule_id, rule_name, subject_type, status, owner_id, team_id) where finished_at is not null`,
    ]),
};

// The stays' indexes cover every column their fact sets' joins name (deal_id for the deal and its contact, the next
// stage for its position): the planner removes a join whose columns a query does not use, but still counts its keys
// as needed, so without them the stage table read the whole table (5M stays of a tenant at 1M deals: bench/).
const staysCoverDeal: Migration = {
  up: (db) =>
    run(db, [
      `create index deal_stays_entered_by_deal on deal_stays (tenant_id, entered_at)
        include (deal_id, pipeline_id, stage_id, owner_id, team_id, currency, next_stage_id, next_status)
        where not deal_deleted`,
      `drop index deal_stays_entered`,
      `create index deal_stays_left_by_deal on deal_stays (tenant_id, left_at)
        include (deal_id, pipeline_id, stage_id, owner_id, team_id, currency, entered_at, next_stage_id)
        where not deal_deleted and left_at is not null`,
      `drop index deal_stays_left`,
    ]),
};

export const REPORTING_MIGRATIONS: Record<string, Migration> = {
  '0001_sales_facts': salesFacts,
  '0002_support_facts': supportFacts,
  '0003_workflow_facts': workflowFacts,
  '0004_stays_cover_deal': staysCoverDeal,
};

/** The fact tables a rebuild empties (settings stay). */
export const FACT_TABLES = [
  'stream_positions',
  'pipelines',
  'pipeline_stages',
  'deals',
  'deal_stays',
  'contacts',
  'companies',
  'activities',
  'tickets',
  'ticket_slas',
  'tasks',
  'workflow_runs',
] as const;
