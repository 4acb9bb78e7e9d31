import type { ClientReadableStream } from '@grpc/grpc-js';
import type { Response } from 'express';
import { z } from 'zod';
import { ContactFilter } from '@crm/proto/crm/contact/v1/contact';
import { CompanyFilter } from '@crm/proto/crm/contact/v1/company';
import type { ImportJob as CommonImportJob } from '@crm/proto/crm/common/v1/import_job';
import type { ImportJob, StartImportRequest } from '@crm/proto/crm/contact/v1/import';
import type { StartDealImportRequest } from '@crm/proto/crm/pipeline/v1/import';
import { ACCESS } from '../auth/access-policy';
import { callClientStream, openServerStream } from '../grpc/streaming-call';
import { callUnary, toProblem } from '../grpc/unary-call';
import { HttpProblem } from '../http/problem';
import { readCsvUpload } from '../imports/csv-upload';
import { defineRoute, type Route } from '../http/route';
import { jsonOf, listBody } from '../mappers/json-of';
import { idParams, pageQuery } from '../schemas/common.schema';
import {
  exportQuery,
  importErrorListSchema,
  importJobSchema,
  importListQuery,
  importListSchema,
  importQuerySchema,
  importUploadSchema,
} from '../schemas/import-export.schema';
import { ok } from './common-responses';
import { dateOrUndefined, required } from './route-helpers';

const TAG = 'Imports and exports';
const PIECE_BYTES = 64 * 1024;
/** An export may take longer than an ordinary request; it still has a bound. */
const EXPORT_DEADLINE_MS = 10 * 60_000;

/** The job of either service: the contact service's crm.contact.v1 job and crm.common.v1's have the same fields. */
function jobBody(job: ImportJob | CommonImportJob | undefined): unknown {
  const value = required(job, 'an import job');
  return {
    ...(jsonOf(value) as object),
    progress: value.rowsTotal > 0 ? Math.min(1, value.rowsDone / value.rowsTotal) : 0,
  };
}

function* importMessages(
  header: StartImportRequest['header'] & StartDealImportRequest['header'],
  file: Buffer,
): Generator<StartImportRequest & StartDealImportRequest> {
  yield { header, data: undefined };
  for (let at = 0; at < file.length; at += PIECE_BYTES)
    yield { header: undefined, data: file.subarray(at, at + PIECE_BYTES) };
}

export const importRoutes: Route[] = [
  defineRoute({
    method: 'post',
    path: '/api/v1/imports',
    operationId: 'startImport',
    summary: 'Import contacts, companies or deals from CSV',
    description:
      'multipart/form-data with a "file" part and the fields entity, matchBy and mapping (JSON), or a text/csv body with those in the query. Rows are upserted by matchBy, so importing a file again creates no duplicates. Answers 202 with the job; poll /api/v1/imports/{id}. Deals (entity=deal, admins only) are matched by external_id; their columns: external_id, title, pipeline, stage, amount (or amount_minor), currency, owner (email or username), team, company (or company_external_id, company_domain, company_name), created, expected_close, closed, lost_reason, next_step, custom_fields.<key>. A deal closed in the past keeps its close date as its history; rows naming unknown stages, owners or companies (a near miss says which name it likely meant), or naming products (deals here have none), are listed in the job\'s errors and write nothing.',
    tag: TAG,
    access: ACCESS.privacyAndBulk,
    bodyKind: 'csv-upload',
    query: importQuerySchema,
    body: importUploadSchema,
    responses: [{ status: 202, description: 'The queued import job', schema: importJobSchema, location: true }],
    handler: async ({ req, clients, downstream }) => {
      const upload = await readCsvUpload(req, req.rawBody ?? Buffer.alloc(0));
      const header = {
        entity: upload.options.entity,
        fileName: upload.options.fileName ?? 'upload.csv',
        mapping: upload.options.mapping ?? [],
        matchBy: upload.options.matchBy ?? '',
      };
      const response = await callClientStream(
        downstream,
        header.entity === 'deal'
          ? clients.dealImports.startDealImport.bind(clients.dealImports)
          : clients.imports.startImport.bind(clients.imports),
        importMessages(header, upload.file),
      );
      const job = required(response.job, 'an import job');
      return { status: 202, body: jobBody(job), location: `/api/v1/imports/${job.id}` };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/api/v1/imports',
    operationId: 'listImports',
    summary: 'Import jobs, newest first',
    tag: TAG,
    access: ACCESS.privacyAndBulk,
    query: importListQuery,
    responses: [ok(importListSchema, 'A page of import jobs')],
    handler: async ({ query, clients, downstream }) => {
      const page = { limit: query.limit ?? 0, cursor: query.cursor ?? '' };
      const response =
        query.entity === 'deal'
          ? await callUnary(downstream, clients.dealImports.listDealImports.bind(clients.dealImports), { page })
          : await callUnary(downstream, clients.imports.listImports.bind(clients.imports), { page });
      return {
        status: 200,
        body: { data: response.jobs.map((job) => jobBody(job)), nextCursor: response.page?.nextCursor || null },
      };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/api/v1/imports/{id}',
    operationId: 'getImport',
    summary: 'An import job: status, progress and the first row errors',
    tag: TAG,
    access: ACCESS.privacyAndBulk,
    params: idParams,
    responses: [ok(importJobSchema, 'The import job')],
    handler: async ({ params, clients, downstream }) => {
      const response = await eitherService(
        () => callUnary(downstream, clients.imports.getImport.bind(clients.imports), { id: params.id }),
        () => callUnary(downstream, clients.dealImports.getDealImport.bind(clients.dealImports), { id: params.id }),
      );
      return { status: 200, body: jobBody(response.job) };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/api/v1/imports/{id}/errors',
    operationId: 'listImportErrors',
    summary: 'All row errors of an import, by row',
    tag: TAG,
    access: ACCESS.privacyAndBulk,
    params: idParams,
    query: z.strictObject({ ...pageQuery }),
    responses: [ok(importErrorListSchema, 'A page of row errors')],
    handler: async ({ params, query, clients, downstream }) => {
      const request = { id: params.id, page: { limit: query.limit ?? 0, cursor: query.cursor ?? '' } };
      const response = await eitherService(
        () => callUnary(downstream, clients.imports.listImportErrors.bind(clients.imports), request),
        () => callUnary(downstream, clients.dealImports.listDealImportErrors.bind(clients.dealImports), request),
      );
      return { status: 200, body: listBody(response.errors, response.page) };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/api/v1/exports',
    operationId: 'exportRecords',
    summary: 'Export the contacts or companies the caller may see, as CSV or NDJSON',
    description: 'Streamed as it is produced.',
    tag: TAG,
    access: ACCESS.privacyAndBulk,
    streaming: true,
    query: exportQuery,
    responses: [
      {
        status: 200,
        description: 'CSV with a header row, or NDJSON',
        schema: z.string(),
        contentType: ['text/csv', 'application/x-ndjson'],
      },
    ],
    handler: async ({ query, clients, downstream, res }) => {
      const exportDownstream = { ...downstream, deadline: new Date(Date.now() + EXPORT_DEADLINE_MS) };
      const filter = {
        ownerId: query.ownerId,
        teamId: query.teamId,
        updatedSince: dateOrUndefined(query.updatedSince),
      };
      const stream: ClientReadableStream<{ data: Buffer }> =
        query.entity === 'contact'
          ? openServerStream(exportDownstream, clients.exports.exportContacts.bind(clients.exports), {
              format: query.format,
              filter: ContactFilter.fromPartial(filter),
            })
          : openServerStream(exportDownstream, clients.exports.exportCompanies.bind(clients.exports), {
              format: query.format,
              filter: CompanyFilter.fromPartial(filter),
            });
      await pipeExport(
        stream,
        res,
        query.format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson',
        `${query.entity}s.${query.format}`,
      );
      return undefined;
    },
  }),
];

/**
 * An import job lives in the service that runs it (contact and company imports in the contact service, deal imports
 * in the pipeline service); an id the first does not know is asked of the second.
 */
async function eitherService<T>(first: () => Promise<T>, second: () => Promise<T>): Promise<T> {
  try {
    return await first();
  } catch (notFound) {
    if (!(notFound instanceof HttpProblem && notFound.status === 404)) throw notFound;
    try {
      return await second();
    } catch (error) {
      // Deal imports are for admins: to anyone else an id neither service shows them is not found (404, not 403).
      throw error instanceof HttpProblem && error.status === 403 ? notFound : error;
    }
  }
}

/**
 * Until the answer starts it can still be a problem; after that, a failure can only cut the download short. The first
 * piece (the CSV header row) is held until a second one or the end arrives, so a failure the service finds right
 * after starting (a filter it refuses, a store it cannot reach) is still a whole problem response, not a cut stream.
 */
function pipeExport(
  stream: ClientReadableStream<{ data: Buffer }>,
  res: Response,
  contentType: string,
  fileName: string,
): Promise<void> {
  return new Promise((resolve, reject) => {
    let held: Buffer | undefined;
    let pieces = 0;
    const write = (data: Buffer) => {
      if (!res.headersSent) {
        res
          .status(200)
          .set({ 'content-type': contentType, 'content-disposition': `attachment; filename="${fileName}"` });
      }
      if (!res.write(data)) {
        stream.pause();
        res.once('drain', () => stream.resume());
      }
    };
    stream.on('data', (piece: { data: Buffer }) => {
      pieces += 1;
      if (pieces === 1) {
        held = piece.data;
        return;
      }
      if (held) write(held);
      held = undefined;
      write(piece.data);
    });
    stream.on('end', () => {
      write(held ?? Buffer.alloc(0));
      res.end();
      resolve();
    });
    stream.on('error', (error) => {
      if (!res.headersSent) return reject(toProblem(error));
      res.destroy();
      resolve();
    });
    res.once('close', () => stream.cancel());
  });
}
