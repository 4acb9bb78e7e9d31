import {
  allOf,
  lockKey,
  notFound,
  visibilityFilter,
  type DocumentLocks,
  type OutboxEntry,
  type Principal,
} from '@crm/service-kit';
import type { Collection, Connection } from 'mongoose';
import type { ColumnMapping, ImportEntity, MatchBy } from '../domain/csv-mapping';
import { afterCursor, pageOf, type CursorKey } from '../domain/cursor';
import type { Page } from './contact.repository';

export type ImportStatus = 'receiving' | 'queued' | 'running' | 'completed' | 'failed';

export interface ImportRowError {
  row: number;
  field: string;
  message: string;
}

export interface ImportJobDoc {
  _id: string;
  tenantId: string;
  ownerId: string;
  teamId: string;
  /** Who started it: the worker acts with this principal's rights. */
  actor: Principal;
  entity: ImportEntity;
  fileName: string;
  mapping: ColumnMapping[];
  matchBy: MatchBy;
  status: ImportStatus;
  sizeBytes: number;
  chunkCount: number;
  rowsTotal: number;
  /** Checkpoint: rows fully processed; a resumed worker skips them. */
  rowsDone: number;
  batchesDone: number;
  createdCount: number;
  updatedCount: number;
  unchangedCount: number;
  errorCount: number;
  firstErrors: ImportRowError[];
  failureMessage: string;
  leaseOwner: string;
  leaseUntil: Date | null;
  createdAt: Date;
  updatedAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
}

interface ChunkDoc {
  _id: string;
  tenantId: string;
  jobId: string;
  seq: number;
  data: Buffer;
}

interface ErrorDoc extends ImportRowError {
  _id: string;
  tenantId: string;
  jobId: string;
}

export interface BatchOutboxDoc {
  _id: string;
  tenantId: string;
  outbox: OutboxEntry[];
  outboxPending: boolean;
}

export const FIRST_ERRORS_KEPT = 20;
const JOBS = 'import_jobs';

/** Import jobs, their stored file chunks, their row errors and their batch outboxes. */
export class ImportRepository {
  readonly jobs: Collection<ImportJobDoc>;
  private readonly chunks: Collection<ChunkDoc>;
  private readonly errors: Collection<ErrorDoc>;

  constructor(
    mongo: Connection,
    private readonly locks: DocumentLocks,
  ) {
    this.jobs = mongo.collection<ImportJobDoc>(JOBS);
    this.chunks = mongo.collection<ChunkDoc>('import_chunks');
    this.errors = mongo.collection<ErrorDoc>('import_errors');
  }

  async ensureIndexes(): Promise<void> {
    await this.jobs.createIndex({ tenantId: 1, createdAt: -1, _id: -1 });
    await this.jobs.createIndex({ status: 1 });
    await this.chunks.createIndex({ tenantId: 1, jobId: 1, seq: 1 });
    await this.errors.createIndex({ tenantId: 1, jobId: 1, row: 1 });
  }

  async create(job: ImportJobDoc): Promise<void> {
    await this.jobs.insertOne(job);
  }

  async addChunk(job: Pick<ImportJobDoc, '_id' | 'tenantId'>, seq: number, data: Buffer): Promise<void> {
    await this.chunks.insertOne({ _id: chunkId(job._id, seq), tenantId: job.tenantId, jobId: job._id, seq, data });
  }

  async chunk(jobId: string, seq: number): Promise<Buffer | undefined> {
    const doc = await this.chunks.findOne({ _id: chunkId(jobId, seq) });
    if (!doc) return undefined;
    const data = doc.data as unknown;
    return Buffer.isBuffer(data) ? data : Buffer.from((data as { buffer: Uint8Array }).buffer);
  }

  async deleteChunks(job: Pick<ImportJobDoc, '_id' | 'tenantId'>): Promise<void> {
    await this.chunks.deleteMany({ tenantId: job.tenantId, jobId: job._id });
  }

  async get(principal: Principal, id: string): Promise<ImportJobDoc> {
    const doc = await this.jobs.findOne({ ...this.scope(principal), _id: id });
    if (!doc) throw notFound('import');
    return doc;
  }

  async list(principal: Principal, limit: number, cursor: CursorKey | undefined): Promise<Page<ImportJobDoc>> {
    const clauses: Array<Record<string, unknown>> = [this.scope(principal)];
    if (cursor) clauses.push(afterCursor('createdAt', cursor));
    const rows = await this.jobs
      .find(allOf(...clauses))
      .sort({ createdAt: -1, _id: -1 })
      .limit(limit + 1)
      .toArray();
    return pageOf(rows, limit, (row) => row.createdAt);
  }

  async listErrors(principal: Principal, jobId: string, limit: number, afterRow: number): Promise<ImportRowError[]> {
    const job = await this.get(principal, jobId);
    return this.errors
      .find({ tenantId: job.tenantId, jobId, row: { $gt: afterRow } })
      .sort({ row: 1 })
      .limit(limit)
      .toArray();
  }

  async addErrors(job: Pick<ImportJobDoc, '_id' | 'tenantId'>, errors: readonly ImportRowError[]): Promise<void> {
    if (errors.length === 0) return;
    // Keyed by job and row (and field), so a resumed batch that reports the same error again adds nothing.
    const docs = errors.map((e) => ({
      ...e,
      _id: `${job._id}:${e.row}:${e.field}`,
      tenantId: job.tenantId,
      jobId: job._id,
    }));
    await this.errors.insertMany(docs, { ordered: false }).catch((error: unknown) => {
      if ((error as { code?: number }).code !== 11000 && !String(error).includes('E11000')) throw error;
    });
  }

  /** Applies a change to a job under its lock (the store's updates are not atomic); returns the job after it. */
  async change(
    id: string,
    apply: (job: ImportJobDoc) => Partial<ImportJobDoc> | undefined,
  ): Promise<ImportJobDoc | undefined> {
    return this.locks.withLock(lockKey(JOBS, id), async () => {
      const job = await this.jobs.findOne({ _id: id });
      if (!job) return undefined;
      const patch = apply(job);
      if (!patch) return undefined;
      const next = { ...job, ...patch, updatedAt: new Date() };
      await this.jobs.updateOne({ _id: id }, { $set: { ...patch, updatedAt: next.updatedAt } });
      return next;
    });
  }

  /**
   * Jobs a worker may take: queued, or running under a lease that ran out (its worker died). Two equality
   * queries on the status index rather than one $or, which FerretDB would answer by reading every job.
   */
  async claimable(now: Date): Promise<ImportJobDoc[]> {
    const [queued, running] = await Promise.all([
      this.jobs.find({ status: 'queued' }).toArray(),
      this.jobs.find({ status: 'running' }).toArray(),
    ]);
    const expired = running.filter((job) => job.leaseUntil !== null && job.leaseUntil < now);
    return [...queued, ...expired].sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime()).slice(0, 10);
  }

  private scope(principal: Principal): Record<string, unknown> {
    return visibilityFilter(principal, 'contacts', 'read') ?? { tenantId: principal.tenantId, _id: { $in: [] } };
  }
}

function chunkId(jobId: string, seq: number): string {
  return `${jobId}:${String(seq).padStart(8, '0')}`;
}
