// The import worker: claims queued jobs under a lease, streams their stored chunks through csv-parse, upserts
// rows in batches and checkpoints after each batch. A job whose worker died is resumed from its checkpoint
// when the lease runs out.
import { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Principal } from '@crm/service-kit';
import { FIRST_ERRORS_KEPT, type ImportJobDoc, type ImportRowError } from '../store/import.repository';
import type { ContactStore } from '../store/contact-store';
import { ContactBatchImporter } from './import-contacts';
import { CompanyBatchImporter } from './import-companies';
import type { ContactService } from './contact.service';
import type { CompanyService } from './company.service';

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
  /** resuming: the batch may have been half written by a worker that died, so look for what it left. */
  run(
    job: ImportJobDoc,
    principal: Principal,
    batchKey: string,
    rows: ImportRow[],
    resuming: boolean,
  ): Promise<BatchResult>;
}

export interface ImportWorkerOptions {
  pollMs?: number;
  leaseMs?: number;
  batchSize?: number;
}

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
    this.batchSize = options.batchSize ?? 500;
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
      const candidates = await this.store.imports.claimable(new Date());
      let job: ImportJobDoc | undefined;
      let takeover = false;
      for (const candidate of candidates) {
        takeover = candidate.status === 'running';
        if ((job = await this.claim(candidate._id))) break;
      }
      if (!job) return;
      await this.process(job, takeover);
    }
  }

  private claim(id: string): Promise<ImportJobDoc | undefined> {
    const now = new Date();
    return this.store.imports.change(id, (job) => {
      const takeable =
        job.status === 'queued' || (job.status === 'running' && (job.leaseUntil?.getTime() ?? 0) < now.getTime());
      if (!takeable) return undefined;
      return {
        status: 'running',
        leaseOwner: this.id,
        leaseUntil: new Date(now.getTime() + this.leaseMs),
        startedAt: job.startedAt ?? now,
      };
    });
  }

  private async process(job: ImportJobDoc, takeover: boolean): Promise<void> {
    const log = this.log.child({ importId: job._id });
    log.info(
      { rowsDone: job.rowsDone, rowsTotal: job.rowsTotal },
      job.rowsDone > 0 ? 'import resumed' : 'import started',
    );
    try {
      let batch: ImportRow[] = [];
      let batchNo = job.batchesDone;
      // Only the first batch after taking over a dead worker's job can hold rows written before a crash.
      let resuming = takeover;
      for await (const row of this.rows(job)) {
        if (row.row <= job.rowsDone) continue;
        batch.push(row);
        if (batch.length < this.batchSize) continue;
        job = await this.runBatch(job, batchNo++, batch, resuming);
        resuming = false;
        batch = [];
        if (this.stopped) return;
      }
      if (batch.length > 0) job = await this.runBatch(job, batchNo, batch, resuming);
      await this.store.imports.change(job._id, () => ({
        status: 'completed',
        finishedAt: new Date(),
        leaseOwner: '',
        leaseUntil: null,
      }));
      await this.store.imports.deleteChunks(job);
      log.info({ created: job.createdCount, updated: job.updatedCount, errors: job.errorCount }, 'import completed');
    } catch (error) {
      if (error instanceof LeaseLost) return log.warn('import lease lost to another worker');
      // Shutting down: the store may already be closing. The lease runs out and a worker resumes from the checkpoint.
      if (this.stopped)
        return log.warn({ err: error }, 'import interrupted by shutdown; it resumes from its checkpoint');
      log.error({ err: error }, 'import failed');
      await this.store.imports.change(job._id, () => ({
        status: 'failed',
        failureMessage: error instanceof Error ? error.message.slice(0, 500) : 'import failed',
        finishedAt: new Date(),
        leaseOwner: '',
        leaseUntil: null,
      }));
    }
  }

  private async runBatch(
    job: ImportJobDoc,
    batchNo: number,
    rows: ImportRow[],
    resuming: boolean,
  ): Promise<ImportJobDoc> {
    const result = await this.importers[job.entity].run(job, job.actor, `${job._id}:${batchNo}`, rows, resuming);
    await this.store.imports.addErrors(job, result.errors);
    const last = rows[rows.length - 1]?.row ?? job.rowsDone;
    const next = await this.store.imports.change(job._id, (current) => {
      if (current.leaseOwner !== this.id) return undefined;
      return {
        rowsDone: last,
        batchesDone: batchNo + 1,
        createdCount: current.createdCount + result.created,
        updatedCount: current.updatedCount + result.updated,
        unchangedCount: current.unchangedCount + result.unchanged,
        errorCount: current.errorCount + result.errors.length,
        firstErrors: [...current.firstErrors, ...result.errors].slice(0, FIRST_ERRORS_KEPT),
        leaseUntil: new Date(Date.now() + this.leaseMs),
      };
    });
    if (!next) throw new LeaseLost();
    return next;
  }

  /** Data rows of the stored file, numbered from 1, read chunk by chunk. */
  private rows(job: ImportJobDoc): AsyncIterable<ImportRow> {
    const store = this.store;
    async function* chunks(): AsyncGenerator<Buffer> {
      for (let seq = 0; seq < job.chunkCount; seq++) {
        const chunk = await store.imports.chunk(job._id, seq);
        if (!chunk) throw new Error(`chunk ${seq} of the file is missing`);
        yield chunk;
      }
    }
    const parser = Readable.from(chunks()).pipe(
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

class LeaseLost extends Error {}
