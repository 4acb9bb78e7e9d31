// Receiving an import: the file is streamed into chunk documents while its rows are counted, then the job is
// queued for the worker. The whole file is never in memory.
import { parse } from 'csv-parse';
import { ServiceError, visibilityFilter, type Principal } from '@crm/service-kit';
import { v7 as uuidv7 } from 'uuid';
import { parseImportEntity, parseMatchBy, validateMapping, type ColumnMapping } from '../domain/csv-mapping';
import { decodeCursor, pageSize } from '../domain/cursor';
import type { ContactStore } from '../store/contact-store';
import type { ImportJobDoc, ImportRowError } from '../store/import.repository';
import type { Page } from '../store/contact.repository';

export const CHUNK_BYTES = 256 * 1024;
export const MAX_IMPORT_BYTES = 512 * 1024 * 1024;

export interface ImportHeaderInput {
  entity: string;
  fileName: string;
  mapping: ColumnMapping[];
  matchBy: string;
}

export class ImportService {
  constructor(
    private readonly store: ContactStore,
    private readonly onQueued: () => void,
  ) {}

  async start(principal: Principal, header: ImportHeaderInput, data: AsyncIterable<Buffer>): Promise<ImportJobDoc> {
    const entity = parseImportEntity(header.entity);
    const matchBy = parseMatchBy(entity, header.matchBy);
    if (!visibilityFilter(principal, entity === 'contact' ? 'contacts' : 'companies', 'write'))
      throw new ServiceError('PERMISSION_DENIED', `not allowed to import ${entity} records`);
    const definitions = (await this.store.settings.getDefinitions(principal.tenantId, entity)).definitions;
    const mapping = validateMapping(entity, header.mapping, definitions);
    const now = new Date();
    const job: ImportJobDoc = {
      _id: uuidv7(),
      tenantId: principal.tenantId,
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
      failureMessage: '',
      leaseOwner: '',
      leaseUntil: null,
      createdAt: now,
      updatedAt: now,
      startedAt: null,
      finishedAt: null,
    };
    await this.store.imports.create(job);
    const received = await this.receive(job, data);
    const queued = await this.store.imports.change(job._id, () => ({
      status: received.failure ? 'failed' : 'queued',
      sizeBytes: received.size,
      chunkCount: received.chunks,
      rowsTotal: received.rows,
      failureMessage: received.failure,
      finishedAt: received.failure ? new Date() : null,
    }));
    if (!received.failure) this.onQueued();
    return queued ?? job;
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
      await this.store.imports.addChunk(job, seq++, Buffer.concat(pending));
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
    return this.store.imports.list(principal, pageSize(limit), decodeCursor(cursor));
  }

  /** Errors by row; the cursor is the last row number returned. */
  async errors(
    principal: Principal,
    id: string,
    limit: number,
    cursor: string,
  ): Promise<{ errors: ImportRowError[]; nextCursor: string }> {
    const size = pageSize(limit);
    const afterRow = cursor ? Number(Buffer.from(cursor, 'base64url').toString('utf8')) || 0 : 0;
    const errors = await this.store.imports.listErrors(principal, id, size + 1, afterRow);
    const page = errors.slice(0, size);
    const last = page[page.length - 1];
    return {
      errors: page,
      nextCursor: errors.length > size && last ? Buffer.from(String(last.row)).toString('base64url') : '',
    };
  }
}
