// Applies decoded events to the fact tables, in one transaction per batch (one event live, hundreds in a rebuild).
// Idempotent and order-independent: a record's row only moves to a newer version; a deal's facts are recomputed
// from the stored ones under a per-deal lock, so concurrent events of one deal never interleave.
import { sql, type Kysely, type RawBuilder, type Transaction } from 'kysely';
import { upsertNewer } from '@crm/service-kit';
import {
  dealFactOf,
  linkStays,
  mergeDealFacts,
  stayChanged,
  stayOpenedBy,
  type DealChange,
  type DealFact,
  type StageStay,
} from '../domain/deal-facts';
import type { FactEvent } from '../domain/fact-events';
import type {
  ActivityFact,
  CompanyFact,
  ContactFact,
  PipelineFact,
  RunFact,
  SlaFact,
  TaskFact,
  TicketFact,
} from '../domain/record-facts';
import {
  DEAL_SELECT,
  STAY_COLUMNS,
  dealFactOfRow,
  dealRowOf,
  stayOfRow,
  stayRowOf,
  type DealRow,
  type StayRow,
} from './fact-rows';

type Db = Kysely<unknown>;
type Trx = Transaction<unknown>;

export class FactProjector {
  constructor(private readonly db: Db) {}

  async apply(events: readonly FactEvent[]): Promise<void> {
    const deals: DealChange[] = [];
    const pipelines: PipelineFact[] = [];
    const contacts: ContactFact[] = [];
    const companies: CompanyFact[] = [];
    const activities: ActivityFact[] = [];
    const tickets: TicketFact[] = [];
    const slas: SlaFact[] = [];
    const tasks: TaskFact[] = [];
    const runs: RunFact[] = [];
    for (const event of events) {
      if (event.kind === 'deal') deals.push(event.change);
      else if (event.kind === 'pipeline') pipelines.push(event.pipeline);
      else if (event.kind === 'contact') contacts.push(event.contact);
      else if (event.kind === 'company') companies.push(event.company);
      else if (event.kind === 'activity') activities.push(event.activity);
      else if (event.kind === 'ticket') {
        tickets.push(event.ticket);
        slas.push(...event.slas);
      } else if (event.kind === 'task') tasks.push(event.task);
      else if (event.kind === 'run') runs.push(event.run);
    }
    const rows = [deals, pipelines, contacts, companies, activities, tickets, tasks, runs];
    if (rows.every((list) => list.length === 0)) return;
    await this.db.transaction().execute(async (trx) => {
      if (deals.length) await applyDealChanges(trx, deals);
      for (const pipeline of newestOf(pipelines, (p) => `${p.tenantId}:${p.pipelineId}`))
        await applyPipeline(trx, pipeline);
      await upsertNewer(trx, 'contacts', contacts.map(contactRow), { key: ['tenant_id', 'contact_id'] });
      await upsertNewer(trx, 'companies', companies.map(companyRow), { key: ['tenant_id', 'company_id'] });
      await upsertNewer(trx, 'activities', activities.map(activityRow), { key: ['tenant_id', 'activity_id'] });
      if (tickets.length) await applyTickets(trx, tickets, slas);
      await upsertNewer(trx, 'tasks', tasks.map(taskRow), { key: ['tenant_id', 'task_id'] });
      await upsertNewer(trx, 'workflow_runs', runs.map(runRow), { key: ['tenant_id', 'run_id'] });
    });
  }
}

const keyOf = (tenantId: string, id: string) => `${tenantId}\u001f${id}`;

/**
 * Locks records of one kind (deal, ticket) for the transaction, in one order (by key) so that batches never
 * deadlock on each other; returns their tenants and ids as parallel arrays for `unnest`.
 */
async function lockRecords(trx: Trx, kind: string, keys: string[]): Promise<{ tenants: string[]; ids: string[] }> {
  const sorted = [...new Set(keys)].sort();
  const locks = sorted.map((k) => `${kind}\u001f${k}`);
  await sql`select pg_advisory_xact_lock(hashtextextended(k, 0))
            from unnest(${locks}::text[]) with ordinality as t(k, i) order by i`.execute(trx);
  return {
    tenants: sorted.map((k) => k.split('\u001f')[0] as string),
    ids: sorted.map((k) => k.split('\u001f')[1] as string),
  };
}

async function applyDealChanges(trx: Trx, changes: DealChange[]): Promise<void> {
  const { tenants, ids } = await lockRecords(
    trx,
    'deal',
    changes.map((c) => keyOf(c.tenantId, c.deal.id)),
  );
  const stored = await sql<DealRow>`
    select ${sql.raw(DEAL_SELECT)} from deals
    where (tenant_id, deal_id) in (select * from unnest(${tenants}::text[], ${ids}::text[]))`.execute(trx);
  const storedStays = await sql<StayRow>`
    select ${sql.raw(STAY_COLUMNS.join(', '))} from deal_stays
    where (tenant_id, deal_id) in (select * from unnest(${tenants}::text[], ${ids}::text[]))`.execute(trx);

  const facts = new Map<string, DealFact>(stored.rows.map((r) => [keyOf(r.tenant_id, r.deal_id), dealFactOfRow(r)]));
  const before = new Map(facts);
  const stays = new Map<string, StageStay[]>();
  for (const row of storedStays.rows) {
    const key = keyOf(row.tenant_id, row.deal_id);
    stays.set(key, [...(stays.get(key) ?? []), stayOfRow(row)]);
  }
  const storedByVersion = new Map([...stays.values()].flat().map((s) => [stayKey(s), s]));
  for (const change of changes) {
    const key = keyOf(change.tenantId, change.deal.id);
    facts.set(key, mergeDealFacts(facts.get(key), dealFactOf(change)));
    const opened = stayOpenedBy(change);
    if (opened) stays.set(key, [...(stays.get(key) ?? []), opened]);
  }

  const changedDeals = [...facts.entries()]
    .filter(([key, fact]) => {
      const old = before.get(key);
      return !old || old.version !== fact.version || old.createdAt.getTime() !== fact.createdAt.getTime();
    })
    .map(([, fact]) => dealRowOf(fact));
  const changedStays: StayRow[] = [];
  for (const [key, list] of stays) {
    const deleted = facts.get(key)?.deleted ?? false;
    for (const stay of linkStays(list, deleted))
      if (stayChanged(storedByVersion.get(stayKey(stay)), stay)) changedStays.push(stayRowOf(stay));
  }
  await upsert(trx, 'deals', ['tenant_id', 'deal_id'], changedDeals);
  await upsert(trx, 'deal_stays', ['tenant_id', 'deal_id', 'entered_version'], changedStays);
}

/**
 * Tickets: newest version of each row, SLA occurrences likewise, then every SLA row of the tickets takes the
 * ticket's current assignee, group, channel and state (a ticket counts for its current assignee), under a lock per
 * ticket so that the copy always reads the newest ticket row.
 */
async function applyTickets(trx: Trx, tickets: TicketFact[], slas: SlaFact[]): Promise<void> {
  const { tenants, ids } = await lockRecords(
    trx,
    'ticket',
    tickets.map((t) => keyOf(t.tenantId, t.ticketId)),
  );
  await upsertNewer(trx, 'tickets', tickets.map(ticketRow), { key: ['tenant_id', 'ticket_id'] });
  // The ticket's current assignee, group and channel are set below; placeholders until then.
  await upsertNewer(
    trx,
    'ticket_slas',
    slas.map((x) => ({
      tenant_id: x.tenantId,
      ticket_id: x.ticketId,
      metric: x.metric,
      cycle: x.cycle,
      version: x.version,
      outcome: x.outcome,
      outcome_at: x.outcomeAt,
      owner_id: '',
      team_id: '',
      channel: '',
      ticket_deleted: false,
    })),
    { key: ['tenant_id', 'ticket_id', 'metric', 'cycle'] },
  );
  await sql`
    update ticket_slas x
    set owner_id = t.owner_id, team_id = t.team_id, channel = t.channel, ticket_deleted = (t.deleted or t.merged)
    from tickets t
    where t.tenant_id = x.tenant_id and t.ticket_id = x.ticket_id
      and (x.tenant_id, x.ticket_id) in (select * from unnest(${tenants}::text[], ${ids}::text[]))
      and (x.owner_id, x.team_id, x.channel, x.ticket_deleted)
          is distinct from (t.owner_id, t.team_id, t.channel, (t.deleted or t.merged))`.execute(trx);
}

function stayKey(stay: StageStay): string {
  return `${stay.tenantId}\u001f${stay.dealId}\u001f${stay.enteredVersion}`;
}

async function applyPipeline(trx: Trx, pipeline: PipelineFact): Promise<void> {
  // The upsert holds the pipeline's row until commit, so two versions of it are never applied at once.
  const applied = await sql<{ pipeline_id: string }>`
    insert into pipelines (tenant_id, pipeline_id, name, version)
    values (${pipeline.tenantId}, ${pipeline.pipelineId}, ${pipeline.name}, ${pipeline.version})
    on conflict (tenant_id, pipeline_id) do update set name = excluded.name, version = excluded.version
    where pipelines.version < excluded.version
    returning pipeline_id`.execute(trx);
  if (!applied.rows.length) return;
  await sql`delete from pipeline_stages where tenant_id = ${pipeline.tenantId} and pipeline_id = ${pipeline.pipelineId}`.execute(
    trx,
  );
  await upsert(
    trx,
    'pipeline_stages',
    ['tenant_id', 'pipeline_id', 'stage_id'],
    pipeline.stages.map((s) => ({
      tenant_id: pipeline.tenantId,
      pipeline_id: pipeline.pipelineId,
      stage_id: s.stageId,
      name: s.name,
      position: s.position,
      kind: s.kind,
      probability: s.probability,
      forecast_category: s.forecastCategory,
      archived: s.archived,
    })),
  );
}

function ticketRow(t: TicketFact): Record<string, unknown> {
  return {
    tenant_id: t.tenantId,
    ticket_id: t.ticketId,
    version: t.version,
    created_at: t.createdAt,
    channel: t.channel,
    priority: t.priority,
    status: t.status,
    owner_id: t.ownerId,
    team_id: t.teamId,
    first_reply_at: t.firstReplyAt,
    first_reply_seconds: t.firstReplySeconds,
    solved_at: t.solvedAt,
    resolution_seconds: t.resolutionSeconds,
    csat_rating: t.csatRating,
    csat_at: t.csatAt,
    deleted: t.deleted,
    merged: t.merged,
  };
}

function taskRow(t: TaskFact): Record<string, unknown> {
  return {
    tenant_id: t.tenantId,
    task_id: t.taskId,
    version: t.version,
    status: t.status,
    owner_id: t.ownerId,
    team_id: t.teamId,
    created_at: t.createdAt,
    due_at: t.dueAt,
    completed_at: t.completedAt,
    deleted: t.deleted,
  };
}

function runRow(r: RunFact): Record<string, unknown> {
  return {
    tenant_id: r.tenantId,
    run_id: r.runId,
    version: r.version,
    rule_id: r.ruleId,
    rule_name: r.ruleName,
    trigger_type: r.triggerType,
    subject_type: r.subjectType,
    status: r.status,
    owner_id: r.ownerId,
    team_id: r.teamId,
    created_at: r.createdAt,
    finished_at: r.finishedAt,
  };
}

function contactRow(c: ContactFact): Record<string, unknown> {
  return {
    tenant_id: c.tenantId,
    contact_id: c.contactId,
    version: c.version,
    created_at: c.createdAt,
    lead_source: c.leadSource,
    lifecycle_stage: c.lifecycleStage,
    owner_id: c.ownerId,
    team_id: c.teamId,
    deleted: c.deleted,
    merged: c.merged,
  };
}

function companyRow(c: CompanyFact): Record<string, unknown> {
  return {
    tenant_id: c.tenantId,
    company_id: c.companyId,
    version: c.version,
    created_at: c.createdAt,
    owner_id: c.ownerId,
    team_id: c.teamId,
    deleted: c.deleted,
  };
}

function activityRow(a: ActivityFact): Record<string, unknown> {
  return {
    tenant_id: a.tenantId,
    activity_id: a.activityId,
    version: a.version,
    type: a.type,
    occurred_at: a.occurredAt,
    owner_id: a.ownerId,
    team_id: a.teamId,
    contact_id: a.contactId,
    deal_id: a.dealId,
    ticket_id: a.ticketId,
    deleted: a.deleted,
  };
}

/** The newest version of each record in a batch (a batch may hold several versions of one). */
function newestOf<T extends { version: number }>(items: T[], keyOf: (item: T) => string): T[] {
  const newest = new Map<string, T>();
  for (const item of items) {
    const seen = newest.get(keyOf(item));
    if (!seen || seen.version < item.version) newest.set(keyOf(item), item);
  }
  // In key order, so that concurrent batches take row locks in one order.
  return [...newest.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, item]) => item);
}

type Row = object;

function insertSql(table: string, rows: readonly Row[]): { columns: string[]; statement: RawBuilder<unknown> } {
  const columns = Object.keys(rows[0] as Row);
  const values = rows.map((row) => sql`(${sql.join(columns.map((c) => (row as Record<string, unknown>)[c]))})`);
  return {
    columns,
    statement: sql`insert into ${sql.table(table)} (${sql.join(columns.map((c) => sql.ref(c)))}) values ${sql.join(values)}`,
  };
}

/** Inserts or overwrites (the caller decided under a lock that these rows are the new truth). */
async function upsert(trx: Trx, table: string, key: string[], rows: readonly Row[]): Promise<void> {
  for (const chunk of chunks(rows)) {
    const { columns, statement } = insertSql(table, chunk);
    const updates = columns.filter((c) => !key.includes(c)).map((c) => sql`${sql.ref(c)} = excluded.${sql.ref(c)}`);
    await sql`${statement} on conflict (${sql.join(key.map((k) => sql.ref(k)))}) do update set ${sql.join(updates)}`.execute(
      trx,
    );
  }
}

/** Rows per statement, well under PostgreSQL's 65535 parameters. */
function chunks<T>(rows: readonly T[], size = 1000): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += size) out.push(rows.slice(i, i + size));
  return out;
}
