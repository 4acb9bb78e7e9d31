// The import worker: takes queued jobs under a lease, streams their stored chunks through csv-parse, writes rows
// in batches and checkpoints after each batch. No locks: the job is a record and its version is the lease's
// compare-and-set (taking a job and every checkpoint name the version read; a worker whose job moved on stops).
// A job whose worker died is taken over when its lease runs out and resumed from its checkpoint.
import { Readable } from 'node:stream';
import { randomUUID } from 'node:crypto';
import { parse } from 'csv-parse';
import type { Logger } from 'pino';
import { ServiceError, systemPrincipal, type Principal } from '@crm/service-kit';
import type { ContactStore } from '../store/contact-store';
import type { ImportJobDoc, ImportRowError } from '../store/records';
import { CompanyBatchImporter } from './import-companies';
import { ContactBatchImporter } from './import-contacts';
import { FIRST_ERRORS_KEPT } from './import.service';
import type { CompanyService } from './company.service';
import type { ContactService } from './contact.service';

export interface ImportRow {
  row: number;
  record: Record<string, string>;
}

export interface BatchResult {
  created: number;
  updated: number;
  unchanged: number;
  errors: ImportRowError[];
}

export interface BatchImporter {
  run(job: ImportJobDoc, principal: Principal, rows: ImportRow[]): Promise<BatchResult>;
}

export interface ImportWorkerOptions {
  pollMs?: number;
  leaseMs?: number;
  batchSize?: number;
}

class LeaseLost extends Error {}

/** Jobs considered per look: the oldest waiting ones. */
const CANDIDATES = 10;

export class ImportWorker {
  private readonly id = randomUUID();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  private readonly pollMs: number;
  private readonly leaseMs: number;
  private readonly batchSize: number;
  private readonly importers: Record<ImportJobDoc['entity'], BatchImporter>;

  constructor(
    private readonly store: ContactStore,
    contacts: ContactService,
    companies: CompanyService,
    private readonly log: Logger,
    options: ImportWorkerOptions = {},
  ) {
    this.pollMs = options.pollMs ?? 1000;
    this.leaseMs = options.leaseMs ?? 60_000;
    this.batchSize = options.batchSize ?? 1000;
    this.importers = {
      contact: new ContactBatchImporter(store, contacts),
      company: new CompanyBatchImporter(store, companies),
    };
  }

  start(): void {
    this.timer = setInterval(() => this.nudge(), this.pollMs);
    this.timer.unref();
    this.nudge();
  }

  /** Looks for work now (a job was just queued). Never runs twice at once. */
  nudge(): void {
    if (this.stopped || this.running) return;
    this.running = this.drain()
      .catch((error: unknown) => this.log.error({ err: error }, 'import worker failed'))
      .finally(() => (this.running = undefined));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.running;
  }

  private async drain(): Promise<void> {
    for (;;) {
      if (this.stopped) return;
      let job: ImportJobDoc | undefined;
      let takeover = false;
      for (const candidate of await this.claimable(new Date())) {
        takeover = candidate.status === 'running';
        if ((job = await this.claim(candidate))) break;
      }
      if (!job) return;
      await this.process(job, takeover);
    }
  }

  /** Queued jobs and running ones whose lease ran out: two small equality sets on the status index. */
  private async claimable(now: Date): Promise<ImportJobDoc[]> {
    const jobs = this.store.imports.model.collection;
    const [queued, running] = (await Promise.all([
      jobs.find({ status: 'queued' }).toArray(),
      jobs.find({ status: 'running' }).toArray(),
    ])) as unknown as [ImportJobDoc[], ImportJobDoc[]];
    const expired = running.filter((job) => job.leaseUntil !== null && job.leaseUntil < now);
    return [...queued, ...expired].sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime()).slice(0, CANDIDATES);
  }

  /** Takes the job at the version it was seen in; another worker that took it first moved the version. */
  private async claim(candidate: ImportJobDoc): Promise<ImportJobDoc | undefined> {
    const now = new Date();
    try {
      const job = await this.store.imports.update(
        this.system(candidate),
        candidate._id,
        candidate.version,
        (current) => {
          const takeable =
            current.status === 'queued' ||
            (current.status === 'running' && (current.leaseUntil?.getTime() ?? 0) < now.getTime());
          if (!takeable) return null;
          return {
            set: {
              status: 'running',
              leaseOwner: this.id,
              leaseUntil: new Date(now.getTime() + this.leaseMs),
              startedAt: current.startedAt ?? now,
            },
            messages: () => [],
          };
        },
      );
      return job.leaseOwner === this.id && job.version > candidate.version ? job : undefined;
    } catch (error) {
      if (error instanceof ServiceError && error.code === 'FAILED_PRECONDITION') return undefined;
      throw error;
    }
  }

  private async process(job: ImportJobDoc, takeover: boolean): Promise<void> {
    const log = this.log.child({ importId: job._id });
    log.info(
      { rowsDone: job.rowsDone, rowsTotal: job.rowsTotal, takeover },
      job.rowsDone > 0 ? 'import resumed' : 'import started',
    );
    try {
      let batch: ImportRow[] = [];
      for await (const row of this.rows(job)) {
        if (row.row <= job.rowsDone) continue;
        batch.push(row);
        if (batch.length < this.batchSize) continue;
        job = await this.runBatch(job, batch);
        batch = [];
        if (this.stopped) return;
      }
      if (batch.length > 0) job = await this.runBatch(job, batch);
      job = await this.change(job, () => ({
        status: 'completed',
        finishedAt: new Date(),
        leaseOwner: '',
        leaseUntil: null,
        batchErrors: [],
      }));
      await this.store.chunks.remove(job._id);
      log.info({ created: job.createdCount, updated: job.updatedCount, errors: job.errorCount }, 'import completed');
    } catch (error) {
      if (error instanceof LeaseLost) return log.warn('import lease lost to another worker');
      // Shutting down: the store may be closing already. The lease runs out and a worker resumes from the checkpoint.
      if (this.stopped)
        return log.warn({ err: error }, 'import interrupted by shutdown; it resumes from its checkpoint');
      log.error({ err: error }, 'import failed');
      await this.change(job, () => ({
        status: 'failed',
        failureMessage: error instanceof Error ? error.message.slice(0, 500) : 'import failed',
        finishedAt: new Date(),
        leaseOwner: '',
        leaseUntil: null,
        batchErrors: [],
      })).catch((err: unknown) => log.warn({ err }, 'could not record the failure'));
    }
  }

  /** One batch, then its checkpoint: rows done, counts, and the batch's row errors (kept in the job's log). */
  private async runBatch(job: ImportJobDoc, rows: ImportRow[]): Promise<ImportJobDoc> {
    const result = await this.importers[job.entity].run(job, job.actor, rows);
    const last = rows[rows.length - 1]?.row ?? job.rowsDone;
    return this.change(job, (current) => ({
      rowsDone: last,
      batchesDone: current.batchesDone + 1,
      createdCount: current.createdCount + result.created,
      updatedCount: current.updatedCount + result.updated,
      unchangedCount: current.unchangedCount + result.unchanged,
      errorCount: current.errorCount + result.errors.length,
      firstErrors: [...current.firstErrors, ...result.errors].slice(0, FIRST_ERRORS_KEPT),
      batchErrors: result.errors,
      leaseUntil: new Date(Date.now() + this.leaseMs),
    }));
  }

  /** A change of a job this worker holds, at the version it holds: if the version moved, the lease was lost. */
  private async change(
    job: ImportJobDoc,
    set: (current: ImportJobDoc) => Partial<ImportJobDoc>,
  ): Promise<ImportJobDoc> {
    try {
      return await this.store.imports.update(this.system(job), job._id, job.version, (current) => {
        if (current.leaseOwner !== this.id) throw new LeaseLost();
        return { set: set(current), messages: () => [] };
      });
    } catch (error) {
      if (error instanceof ServiceError && error.code === 'FAILED_PRECONDITION') throw new LeaseLost();
      throw error;
    }
  }

  private system(job: Pick<ImportJobDoc, 'tenantId'>): Principal {
    return systemPrincipal(job.tenantId, 'contact');
  }

  /** Data rows of the stored file, numbered from 1, read chunk by chunk. */
  private rows(job: ImportJobDoc): AsyncIterable<ImportRow> {
    const chunks = this.store.chunks;
    async function* read(): AsyncGenerator<Buffer> {
      for (let seq = 0; seq < job.chunkCount; seq++) {
        const chunk = await chunks.get(job._id, seq);
        if (!chunk) throw new Error(`chunk ${seq} of the file is missing`);
        yield chunk;
      }
    }
    const parser = Readable.from(read()).pipe(
      parse({
        columns: (header: string[]) => header.map((h) => h.trim()),
        bom: true,
        skip_empty_lines: true,
        relax_column_count: true,
      }),
    );
    async function* numbered(): AsyncGenerator<ImportRow> {
      let row = 0;
      for await (const record of parser as AsyncIterable<Record<string, string>>) yield { row: ++row, record };
    }
    return numbered();
  }
}
