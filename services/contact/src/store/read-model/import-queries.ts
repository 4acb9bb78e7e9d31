// Import jobs and their row errors, from the read model.
import { afterCursor, decodeCursor, pageOf, scopeOf, type Page, type Principal, type SortKey } from '@crm/service-kit';
import { sql, type Kysely, type SqlBool } from 'kysely';
import type { ImportJobDoc, ImportRowError } from '../records';
import { CONTACTS_POLICY } from './contact-queries';
import { orderedPage } from './ordered-page';
import { importJobOf, type ContactReadModel, type ImportJobRow } from './rows';

const NEWEST_FIRST: SortKey[] = [
  { column: 'created_at', direction: 'desc', type: 'timestamp' },
  { column: 'id', direction: 'desc' },
];
const BY_ROW: SortKey[] = [
  { column: 'row', direction: 'asc', type: 'number' },
  { column: 'field', direction: 'asc' },
];

export class ImportQueries {
  constructor(private readonly db: Kysely<ContactReadModel>) {}

  async list(principal: Principal, limit: number, cursor: string): Promise<Page<ImportJobDoc>> {
    const page = await orderedPage<ImportJobRow>(
      this.db as Kysely<unknown>,
      {
        table: 'import_jobs',
        columns: ['id', 'tenant_id', 'owner_id', 'team_id', 'version', 'created_at', 'data'],
        scope: scopeOf(principal, CONTACTS_POLICY, 'read'),
        filters: [],
        keys: NEWEST_FIRST,
        cursor,
        limit,
      },
      (row) => [row.created_at.toISOString(), row.id],
    );
    return { rows: page.rows.map(importJobOf), nextCursor: page.nextCursor };
  }

  /** A job's row errors in row order; the caller has been shown the job. */
  async errors(tenantId: string, jobId: string, limit: number, cursor: string): Promise<Page<ImportRowError>> {
    const after = cursor ? afterCursor(BY_ROW, decodeCursor(cursor, BY_ROW.length)) : sql<SqlBool>`true`;
    const { rows } = await sql<ImportRowError>`
      select row, field, message from import_errors
      where tenant_id = ${tenantId} and job_id = ${jobId} and ${after}
      order by row, field limit ${limit + 1}
    `.execute(this.db);
    return pageOf(rows, limit, (row) => [row.row, row.field]);
  }
}
