// Receiving an import: the file is streamed into chunk documents while its rows are counted, then the job (a
// record, versioned like every other) is queued for the worker. The whole file is never in memory.
import { createHash } from 'node:crypto';
import { parse } from 'csv-parse';
import { pageSize, scopeOf, ServiceError, type Page, type Principal } from '@crm/service-kit';
import { v7 as uuidv7 } from 'uuid';
import { parseImportEntity, parseMatchBy, validateMapping, type ColumnMapping } from '../domain/csv-mapping';
import type { ContactStore } from '../store/contact-store';
import type { ImportJobDoc, ImportRowError } from '../store/records';

export const CHUNK_BYTES = 256 * 1024;
export const MAX_IMPORT_BYTES = 512 * 1024 * 1024;
/** Errors the job keeps itself (its first ones); ListImportErrors pages through all of them. */
export const FIRST_ERRORS_KEPT = 20;

export interface ImportHeaderInput {
  entity: string;
  fileName: string;
  mapping: ColumnMapping[];
  matchBy: string;
}

/**
 * The id of the record an import creates from a row: the same on every attempt at the row's batch, so a batch
 * resumed after its worker died recognises what the dead worker stored (its claims, its events) as its own. A
 * UUIDv7 of the job's creation time, its random part from the job and the row.
 */
export function importRecordId(job: Pick<ImportJobDoc, '_id' | 'createdAt'>, row: number): string {
  const random = createHash('sha256').update(`${job._id}:${row}`).digest().subarray(0, 16);
  return uuidv7({ msecs: job.createdAt.getTime(), random });
}

export class ImportService {
  constructor(
    private readonly store: ContactStore,
    private readonly onQueued: () => void,
  ) {}

  async start(principal: Principal, header: ImportHeaderInput, data: AsyncIterable<Buffer>): Promise<ImportJobDoc> {
    const entity = parseImportEntity(header.entity);
    const matchBy = parseMatchBy(entity, header.matchBy);
    if (scopeOf(principal, entity === 'contact' ? 'contacts' : 'companies', 'write').kind === 'none')
      throw new ServiceError('PERMISSION_DENIED', `not allowed to import ${entity} records`);
    const rules = await this.store.read.settings.rules(principal.tenantId);
    const mapping = validateMapping(
      entity,
      header.mapping,
      entity === 'contact' ? rules.contactDefinitions : rules.companyDefinitions,
    );
    const job = await this.store.imports.create(
      principal,
      {
        _id: uuidv7(),
        ownerId: principal.userId,
        teamId: principal.teamIds[0] ?? '',
        actor: principal,
        entity,
        fileName: header.fileName.slice(0, 255),
        mapping,
        matchBy,
        status: 'receiving',
        sizeBytes: 0,
        chunkCount: 0,
        rowsTotal: 0,
        rowsDone: 0,
        batchesDone: 0,
        createdCount: 0,
        updatedCount: 0,
        unchangedCount: 0,
        errorCount: 0,
        firstErrors: [],
        batchErrors: [],
        failureMessage: '',
        leaseOwner: '',
        leaseUntil: null,
        startedAt: null,
        finishedAt: null,
      },
      () => [],
    );
    const received = await this.receive(job, data);
    const queued = await this.store.imports.update(principal, job._id, job.version, () => ({
      set: {
        status: received.failure ? 'failed' : 'queued',
        sizeBytes: received.size,
        chunkCount: received.chunks,
        rowsTotal: received.rows,
        failureMessage: received.failure,
        finishedAt: received.failure ? new Date() : null,
      },
      messages: () => [],
    }));
    if (!received.failure) this.onQueued();
    return queued;
  }

  /** Stores the bytes in chunks and counts data rows with a streaming parser that keeps no rows. */
  private async receive(
    job: ImportJobDoc,
    data: AsyncIterable<Buffer>,
  ): Promise<{ size: number; chunks: number; rows: number; failure: string }> {
    const counter = parse({ bom: true, skip_empty_lines: true, relax_column_count: true });
    let records = 0;
    let failure = '';
    counter.on('readable', () => {
      while (counter.read() !== null) records++;
    });
    counter.on('error', (error: Error) => (failure ||= `The file is not valid CSV: ${error.message}`));
    const ended = new Promise<void>((resolve) => {
      counter.on('end', resolve);
      counter.on('error', () => resolve());
    });
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    let size = 0;
    let seq = 0;
    const flush = async () => {
      if (pendingBytes === 0) return;
      await this.store.chunks.add(job, seq++, Buffer.concat(pending));
      pending = [];
      pendingBytes = 0;
    };
    for await (const piece of data) {
      size += piece.length;
      if (size > MAX_IMPORT_BYTES)
        throw new ServiceError(
          'RESOURCE_EXHAUSTED',
          `An import file may be at most ${MAX_IMPORT_BYTES / 1024 / 1024} MB`,
        );
      if (!failure) counter.write(piece);
      pending.push(piece);
      pendingBytes += piece.length;
      if (pendingBytes >= CHUNK_BYTES) await flush();
    }
    await flush();
    counter.end();
    await ended;
    if (size === 0) failure ||= 'The file is empty';
    return { size, chunks: seq, rows: Math.max(0, records - 1), failure };
  }

  get(principal: Principal, id: string): Promise<ImportJobDoc> {
    return this.store.imports.get(principal, id);
  }

  list(principal: Principal, limit: number, cursor: string): Promise<Page<ImportJobDoc>> {
    return this.store.read.imports.list(principal, pageSize(limit), cursor);
  }

  /** Errors by row, from the read model (every checkpoint's errors, kept in the job's event log). */
  async errors(principal: Principal, id: string, limit: number, cursor: string): Promise<Page<ImportRowError>> {
    const job = await this.get(principal, id);
    return this.store.read.imports.errors(job.tenantId, job._id, pageSize(limit), cursor);
  }
}
