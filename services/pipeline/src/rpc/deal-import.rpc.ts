// DealImportService handlers: the streamed upload in, the job out; nothing else.
import type { ImportJob } from '@crm/proto/crm/common/v1/import_job';
import {
  DealImportServiceService,
  type GetDealImportRequest,
  type ListDealImportErrorsRequest,
  type ListDealImportsRequest,
  type StartDealImportRequest,
} from '@crm/proto/crm/pipeline/v1/import';
import {
  addMixedService,
  clientStream,
  invalidArgument,
  rejectUnknownFields,
  unary,
  type CallContext,
  type StreamingDeps,
} from '@crm/service-kit';
import {
  getDealImport,
  listDealImportErrors,
  listDealImports,
  startDealImport,
  type ImportDeps,
} from '../app/import-deals';
import type { ImportJobView } from '../store/deal-import.store';

/** How many row errors a job carries; ListDealImportErrors has them all. */
const FIRST_ERRORS = 20;
/** The gateway's upload limit is 20 MiB; a little more here for the framing. */
const MAX_FILE_BYTES = 25 * 1_048_576;

async function startImport(deps: ImportDeps, requests: AsyncIterable<StartDealImportRequest>, ctx: CallContext) {
  const pieces: Buffer[] = [];
  let header: StartDealImportRequest['header'];
  let size = 0;
  for await (const request of requests) {
    rejectUnknownFields(request);
    if (request.header) {
      if (header || pieces.length > 0)
        throw invalidArgument([{ field: 'header', description: 'comes once, in the first message' }]);
      header = request.header;
    } else if (request.data) {
      if (!header) throw invalidArgument([{ field: 'header', description: 'the first message must carry the header' }]);
      size += request.data.length;
      if (size > MAX_FILE_BYTES)
        throw invalidArgument([{ field: 'data', description: `the file may have at most ${MAX_FILE_BYTES} bytes` }]);
      pieces.push(Buffer.from(request.data));
    }
  }
  if (!header) throw invalidArgument([{ field: 'header', description: 'the first message must carry the header' }]);
  const job = await startDealImport(
    deps,
    ctx.principal,
    {
      entity: header.entity,
      fileName: header.fileName,
      mapping: header.mapping.map((m) => ({ column: m.column, field: m.field })),
      matchBy: header.matchBy,
    },
    Buffer.concat(pieces),
  );
  return { job: await toProtoJob(deps, job) };
}

async function toProtoJob(deps: ImportDeps, job: ImportJobView): Promise<ImportJob> {
  const errors = job.errorCount > 0 ? (await deps.jobs.errors(job.id, FIRST_ERRORS)).rows : [];
  return {
    id: job.id,
    entity: 'deal',
    fileName: job.fileName,
    status: job.status,
    rowsTotal: job.rowsTotal,
    rowsDone: job.rowsDone,
    createdCount: job.createdCount,
    updatedCount: job.updatedCount,
    errorCount: job.errorCount,
    errors,
    failureMessage: job.failureMessage,
    ownerId: job.ownerId,
    sizeBytes: job.sizeBytes,
    createdAt: job.createdAt,
    startedAt: job.startedAt ?? undefined,
    finishedAt: job.finishedAt ?? undefined,
    mapping: job.mapping,
    matchBy: job.matchBy,
    unchangedCount: job.unchangedCount,
  };
}

export function registerDealImports(deps: StreamingDeps, imports: ImportDeps, onStarted: () => void): void {
  const name = 'crm.pipeline.v1.DealImportService';
  addMixedService(deps, name, deps.grpc.strictDefinition(name, DealImportServiceService), {
    startDealImport: clientStream(async (requests: AsyncIterable<StartDealImportRequest>, ctx) => {
      const answer = await startImport(imports, requests, ctx);
      onStarted();
      return answer;
    }),
    getDealImport: unary(async (request: GetDealImportRequest, ctx) => {
      rejectUnknownFields(request);
      return { job: await toProtoJob(imports, await getDealImport(imports, ctx.principal, request.id)) };
    }),
    listDealImports: unary(async (request: ListDealImportsRequest, ctx) => {
      rejectUnknownFields(request);
      const page = await listDealImports(imports, ctx.principal, request.page?.limit ?? 0, request.page?.cursor ?? '');
      return {
        jobs: await Promise.all(page.rows.map((job) => toProtoJob(imports, job))),
        page: { nextCursor: page.nextCursor },
      };
    }),
    listDealImportErrors: unary(async (request: ListDealImportErrorsRequest, ctx) => {
      rejectUnknownFields(request);
      const page = await listDealImportErrors(
        imports,
        ctx.principal,
        request.id,
        request.page?.limit ?? 0,
        request.page?.cursor ?? '',
      );
      return { errors: page.rows, page: { nextCursor: page.nextCursor } };
    }),
  });
}
