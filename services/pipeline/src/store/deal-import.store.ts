// Deal import jobs and their row errors, in the service's PostgreSQL database: operational state that workers of
// any instance share (a job is claimed with SKIP LOCKED and held by a lease), not derived from the event log.
import { sql, type Kysely, type Selectable } from 'kysely';
import {
  afterCursor,
  decodeCursor,
  jsonb,
  orderBy,
  pageOf,
  type Page,
  type Principal,
  type SortKey,
} from '@crm/service-kit';
import type { DealImportsTable, PipelineReadModel } from './read-model.schema';

export interface ColumnMapping {
  column: string;
  field: string;
}

export type ImportStatus = DealImportsTable['status'];

export interface ImportJobView {
  id: string;
  tenantId: string;
  ownerId: string;
  fileName: string;
  status: ImportStatus;
  mapping: ColumnMapping[];
  matchBy: string;
  sizeBytes: number;
  rowsTotal: number;
  rowsDone: number;
  createdCount: number;
  updatedCount: number;
  unchangedCount: number;
  errorCount: number;
  failureMessage: string;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
}

/** A job a worker holds: what it needs to run it. */
export interface ClaimedJob extends ImportJobView {
  actor: Principal;
  file: Buffer;
}

export interface RowError {
  row: number;
  field: string;
  message: string;
}

export interface BatchProgress {
  rowsDone: number;
  created: number;
  updated: number;
  unchanged: number;
  errors: RowError[];
}

const LISTED: SortKey[] = [
  { column: 'created_at', direction: 'desc', type: 'timestamp' },
  { column: 'id', direction: 'desc' },
];
const BY_ROW: SortKey[] = [
  { column: 'row', direction: 'asc', type: 'number' },
  { column: 'seq', direction: 'asc', type: 'number' },
];

type JobRow = Omit<Selectable<DealImportsTable>, 'file' | 'actor'>;

const VIEW_COLUMNS = [
  'id',
  'tenant_id',
  'owner_id',
  'file_name',
  'status',
  'mapping',
  'match_by',
  'size_bytes',
  'rows_total',
  'rows_done',
  'created_count',
  'updated_count',
  'unchanged_count',
  'error_count',
  'failure_message',
  'created_at',
  'started_at',
  'finished_at',
  'lease_until',
] as const;

export class DealImportStore {
  constructor(private readonly db: Kysely<PipelineReadModel>) {}

  async insert(job: {
    id: string;
    actor: Principal;
    fileName: string;
    mapping: ColumnMapping[];
    matchBy: string;
    file: Buffer;
    now: Date;
  }): Promise<ImportJobView> {
    const row = await this.db
      .insertInto('deal_imports')
      .values({
        id: job.id,
        tenant_id: job.actor.tenantId,
        owner_id: job.actor.userId,
        actor: jsonb(job.actor),
        file_name: job.fileName,
        status: 'queued',
        mapping: jsonb(job.mapping),
        match_by: job.matchBy,
        size_bytes: job.file.length,
        file: job.file,
        created_at: job.now,
      })
      .returning(VIEW_COLUMNS)
      .executeTakeFirstOrThrow();
    return viewOf(row);
  }

  async get(tenantId: string, id: string): Promise<ImportJobView | undefined> {
    const row = await this.db
      .selectFrom('deal_imports')
      .select(VIEW_COLUMNS)
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .executeTakeFirst();
    return row ? viewOf(row) : undefined;
  }

  /** The tenant's jobs, newest first. */
  async list(tenantId: string, limit: number, cursor: string): Promise<Page<ImportJobView>> {
    let query = this.db.selectFrom('deal_imports').select(VIEW_COLUMNS).where('tenant_id', '=', tenantId);
    if (cursor) query = query.where(afterCursor(LISTED, decodeCursor(cursor, LISTED.length)));
    const rows = await query
      .orderBy(orderBy(LISTED))
      .limit(limit + 1)
      .execute();
    const page = pageOf(rows, limit, (r) => [r.created_at.toISOString(), r.id]);
    return { rows: page.rows.map(viewOf), nextCursor: page.nextCursor };
  }

  async errors(jobId: string, limit: number, cursor = ''): Promise<Page<RowError>> {
    let query = this.db
      .selectFrom('deal_import_errors')
      .select(['row', 'seq', 'field', 'message'])
      .where('job_id', '=', jobId);
    if (cursor) query = query.where(afterCursor(BY_ROW, decodeCursor(cursor, BY_ROW.length)));
    const rows = await query
      .orderBy(orderBy(BY_ROW))
      .limit(limit + 1)
      .execute();
    const page = pageOf(rows, limit, (r) => [r.row, r.seq]);
    return { rows: page.rows.map(({ row, field, message }) => ({ row, field, message })), nextCursor: page.nextCursor };
  }

  /** The oldest job waiting, or running under a lease that ran out (its worker died), now held by the caller. */
  async claim(leaseMs: number, now: Date): Promise<ClaimedJob | undefined> {
    const leaseUntil = new Date(now.getTime() + leaseMs);
    const { rows } = await sql<Selectable<DealImportsTable>>`
      update deal_imports set status = 'running', started_at = coalesce(started_at, ${now}), lease_until = ${leaseUntil}
      where id = (
        select id from deal_imports
        where status = 'queued' or (status = 'running' and lease_until < ${now})
        order by created_at
        limit 1
        for update skip locked
      )
      returning *`.execute(this.db);
    const row = rows[0];
    return row ? { ...viewOf(row), actor: row.actor as Principal, file: row.file } : undefined;
  }

  async setTotal(jobId: string, rowsTotal: number): Promise<void> {
    await this.db.updateTable('deal_imports').set({ rows_total: rowsTotal }).where('id', '=', jobId).execute();
  }

  /** One batch's outcome and a renewed lease, in one transaction. */
  async progress(jobId: string, batch: BatchProgress, leaseUntil: Date): Promise<void> {
    await this.db.transaction().execute(async (tx) => {
      if (batch.errors.length > 0) {
        const seqs = new Map<number, number>();
        await tx
          .insertInto('deal_import_errors')
          .values(
            batch.errors.map((e) => {
              const seq = (seqs.get(e.row) ?? 0) + 1;
              seqs.set(e.row, seq);
              return { job_id: jobId, row: e.row, seq, field: e.field, message: e.message };
            }),
          )
          // A batch repeated after a worker died reports the same errors again: keep the first.
          .onConflict((oc) => oc.columns(['job_id', 'row', 'seq']).doNothing())
          .execute();
      }
      await tx
        .updateTable('deal_imports')
        .set((eb) => ({
          rows_done: batch.rowsDone,
          created_count: eb('created_count', '+', batch.created),
          updated_count: eb('updated_count', '+', batch.updated),
          unchanged_count: eb('unchanged_count', '+', batch.unchanged),
          error_count: sql`(select count(distinct row) from deal_import_errors where job_id = ${jobId})`,
          lease_until: leaseUntil,
        }))
        .where('id', '=', jobId)
        .execute();
    });
  }

  async finish(jobId: string, status: 'completed' | 'failed', failureMessage: string, now: Date): Promise<void> {
    await this.db
      .updateTable('deal_imports')
      .set({ status, failure_message: failureMessage, finished_at: now, lease_until: null, file: Buffer.alloc(0) })
      .where('id', '=', jobId)
      .execute();
  }
}

function viewOf(row: JobRow): ImportJobView {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    ownerId: row.owner_id,
    fileName: row.file_name,
    status: row.status,
    mapping: row.mapping as ColumnMapping[],
    matchBy: row.match_by,
    sizeBytes: row.size_bytes,
    rowsTotal: row.rows_total,
    rowsDone: row.rows_done,
    createdCount: row.created_count,
    updatedCount: row.updated_count,
    unchangedCount: row.unchanged_count,
    errorCount: row.error_count,
    failureMessage: row.failure_message,
    createdAt: row.created_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
  };
}
