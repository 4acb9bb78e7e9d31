import {
  ExportServiceService,
  ImportServiceService,
  type ExportCompaniesRequest,
  type ExportContactsRequest,
  type GetImportRequest,
  type ListImportErrorsRequest,
  type ListImportsRequest,
  type StartImportRequest,
} from '@crm/proto/crm/contact/v1/import';
import { invalidArgument, rejectUnknownFields, type CallContext } from '@crm/service-kit';
import { parseFormat, type ExportService } from '../app/export.service';
import type { ImportService } from '../app/import.service';
import { toCompanyListFilter } from './company.rpc';
import { toContactListFilter } from './contact.rpc';
import { toProtoImportJob } from './mappers';
import { addMixedService, clientStream, serverStream, unary, type StreamingDeps } from './streaming';

/** The first message is the header; every later one carries bytes. */
async function startImport(imports: ImportService, requests: AsyncIterable<StartImportRequest>, ctx: CallContext) {
  const iterator = requests[Symbol.asyncIterator]();
  const first = await iterator.next();
  if (!first.done) rejectUnknownFields(first.value);
  const header = first.done ? undefined : first.value.header;
  if (!header)
    throw invalidArgument([{ field: 'header', description: 'the first message must carry the import header' }]);
  async function* bytes(): AsyncGenerator<Buffer> {
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
      rejectUnknownFields(next.value);
      if (next.value.header) throw invalidArgument([{ field: 'header', description: 'may only be sent once, first' }]);
      if (next.value.data && next.value.data.length > 0) yield next.value.data;
    }
  }
  return { job: toProtoImportJob(await imports.start(ctx.principal, header, bytes())) };
}

export function registerImportExport(deps: StreamingDeps, imports: ImportService, exports: ExportService): void {
  addMixedService(
    deps,
    'crm.contact.v1.ImportService',
    deps.grpc.strictDefinition('crm.contact.v1.ImportService', ImportServiceService),
    {
      startImport: clientStream((requests: AsyncIterable<StartImportRequest>, ctx) =>
        startImport(imports, requests, ctx),
      ),
      getImport: unary(async (req: GetImportRequest, ctx) => {
        rejectUnknownFields(req);
        return { job: toProtoImportJob(await imports.get(ctx.principal, req.id)) };
      }),
      listImports: unary(async (req: ListImportsRequest, ctx) => {
        rejectUnknownFields(req);
        const page = await imports.list(ctx.principal, req.page?.limit ?? 0, req.page?.cursor ?? '');
        return { jobs: page.rows.map(toProtoImportJob), page: { nextCursor: page.nextCursor } };
      }),
      listImportErrors: unary(async (req: ListImportErrorsRequest, ctx) => {
        rejectUnknownFields(req);
        const page = await imports.errors(ctx.principal, req.id, req.page?.limit ?? 0, req.page?.cursor ?? '');
        return { errors: page.rows, page: { nextCursor: page.nextCursor } };
      }),
    },
  );
  addMixedService(
    deps,
    'crm.contact.v1.ExportService',
    deps.grpc.strictDefinition('crm.contact.v1.ExportService', ExportServiceService),
    {
      exportContacts: serverStream(async function* (req: ExportContactsRequest, ctx) {
        rejectUnknownFields(req);
        for await (const data of exports.contacts(
          ctx.principal,
          parseFormat(req.format),
          toContactListFilter(req.filter),
          ctx.signal,
        ))
          yield { data };
      }),
      exportCompanies: serverStream(async function* (req: ExportCompaniesRequest, ctx) {
        rejectUnknownFields(req);
        for await (const data of exports.companies(
          ctx.principal,
          parseFormat(req.format),
          toCompanyListFilter(req.filter),
          ctx.signal,
        ))
          yield { data };
      }),
    },
  );
}
