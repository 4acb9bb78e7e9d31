// Streams what the caller may see, batch by batch, as CSV or NDJSON: memory holds one batch at a time. The batches
// are keyset pages of the read model in list order, each an index range scan, with visibility in SQL.
import { stringify } from 'csv-stringify/sync';
import { csvSafeCell } from '../domain/csv-cell';
import { invalidArgument, type Principal } from '@crm/service-kit';
import { companyColumns, companyCsvRow, contactColumns, contactCsvRow, type ExportFormat } from '../domain/export-rows';
import { toProtoCompany, toProtoContact } from '../rpc/mappers';
import type { ContactStore } from '../store/contact-store';
import type { CompanyListFilter } from '../store/read-model/company-queries';
import type { ContactListFilter } from '../store/read-model/contact-queries';

export function parseFormat(raw: string): ExportFormat {
  if (raw === '' || raw === 'csv') return 'csv';
  if (raw === 'ndjson') return 'ndjson';
  throw invalidArgument([{ field: 'format', description: 'must be csv or ndjson' }]);
}

export class ExportService {
  constructor(private readonly store: ContactStore) {}

  async *contacts(
    principal: Principal,
    format: ExportFormat,
    filter: ContactListFilter,
    signal?: AbortSignal,
  ): AsyncGenerator<Buffer> {
    const definitions = (await this.store.read.settings.rules(principal.tenantId)).contactDefinitions;
    yield* render(
      untilAborted(this.store.read.contacts.scan(principal, filter), signal),
      format,
      contactColumns(definitions),
      (c) => contactCsvRow(c, definitions),
      (c) => toProtoContact(c),
    );
  }

  async *companies(
    principal: Principal,
    format: ExportFormat,
    filter: CompanyListFilter,
    signal?: AbortSignal,
  ): AsyncGenerator<Buffer> {
    const definitions = (await this.store.read.settings.rules(principal.tenantId)).companyDefinitions;
    yield* render(
      untilAborted(this.store.read.companies.scan(principal, filter), signal),
      format,
      companyColumns(definitions),
      (c) => companyCsvRow(c, definitions),
      (c) => toProtoCompany(c),
    );
  }
}

async function* untilAborted<T>(batches: AsyncGenerator<T[]>, signal?: AbortSignal): AsyncGenerator<T[]> {
  for await (const batch of batches) {
    if (signal?.aborted) return;
    yield batch;
  }
}

async function* render<T>(
  pages: AsyncIterable<T[]>,
  format: ExportFormat,
  columns: string[],
  csvRow: (row: T) => string[],
  jsonOf: (row: T) => object,
): AsyncGenerator<Buffer> {
  if (format === 'csv') yield Buffer.from(stringify([columns]));
  for await (const rows of pages) {
    if (format === 'csv') yield Buffer.from(stringify(rows.map((row) => csvRow(row).map(csvSafeCell))));
    else yield Buffer.from(rows.map((r) => JSON.stringify(jsonOf(r))).join('\n') + '\n');
  }
}
