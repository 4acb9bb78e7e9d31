// Streams what the caller may see, page by page, as CSV or NDJSON: memory holds one page at a time.
import { stringify } from 'csv-stringify/sync';
import { invalidArgument, type Principal } from '@crm/service-kit';
import { MAX_PAGE_SIZE } from '../domain/cursor';
import { companyColumns, companyCsvRow, contactColumns, contactCsvRow, type ExportFormat } from '../domain/export-rows';
import { toProtoCompany, toProtoContact } from '../rpc/mappers';
import type { CompanyListFilter } from '../store/company.repository';
import type { ContactStore } from '../store/contact-store';
import type { ContactListFilter, Page } from '../store/contact.repository';
import type { CompanyDoc } from '../store/company.schema';
import type { ContactDoc } from '../store/contact.schema';
import type { CursorKey } from '../domain/cursor';

export function parseFormat(raw: string): ExportFormat {
  if (raw === '' || raw === 'csv') return 'csv';
  if (raw === 'ndjson') return 'ndjson';
  throw invalidArgument([{ field: 'format', description: 'must be csv or ndjson' }]);
}

export class ExportService {
  constructor(private readonly store: ContactStore) {}

  async *contacts(principal: Principal, format: ExportFormat, filter: ContactListFilter, signal?: AbortSignal): AsyncGenerator<Buffer> {
    const definitions = (await this.store.settings.getDefinitions(principal.tenantId, 'contact')).definitions;
    const pages = this.pages<ContactDoc>((cursor) => this.store.contacts.list(principal, filter, MAX_PAGE_SIZE, cursor), signal);
    yield* render(pages, format, contactColumns(definitions), (c) => contactCsvRow(c, definitions), (c) => toProtoContact(c));
  }

  async *companies(principal: Principal, format: ExportFormat, filter: CompanyListFilter, signal?: AbortSignal): AsyncGenerator<Buffer> {
    const definitions = (await this.store.settings.getDefinitions(principal.tenantId, 'company')).definitions;
    const pages = this.pages<CompanyDoc>((cursor) => this.store.companies.list(principal, filter, MAX_PAGE_SIZE, cursor), signal);
    yield* render(pages, format, companyColumns(definitions), (c) => companyCsvRow(c, definitions), (c) => toProtoCompany(c));
  }

  private async *pages<T extends { _id: string; updatedAt: Date }>(fetch: (cursor: CursorKey | undefined) => Promise<Page<T>>, signal?: AbortSignal): AsyncGenerator<T[]> {
    let cursor: CursorKey | undefined;
    for (;;) {
      if (signal?.aborted) return;
      const page = await fetch(cursor);
      if (page.rows.length > 0) yield page.rows;
      const last = page.rows[page.rows.length - 1];
      if (!page.nextCursor || !last) return;
      cursor = { at: last.updatedAt, id: last._id };
    }
  }
}

async function* render<T>(pages: AsyncIterable<T[]>, format: ExportFormat, columns: string[], csvRow: (row: T) => string[], jsonOf: (row: T) => object): AsyncGenerator<Buffer> {
  if (format === 'csv') yield Buffer.from(stringify([columns]));
  for await (const rows of pages) {
    if (format === 'csv') yield Buffer.from(stringify(rows.map(csvRow)));
    else yield Buffer.from(rows.map((r) => JSON.stringify(jsonOf(r))).join('\n') + '\n');
  }
}

