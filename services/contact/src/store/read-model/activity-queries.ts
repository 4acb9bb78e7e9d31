// Timelines from the read model, newest first with keyset cursors.
import {
  decodeCursor,
  afterCursor,
  orderBy,
  pageOf,
  scopeOf,
  scopeSql,
  type Page,
  type Principal,
  type SortKey,
} from '@crm/service-kit';
import { sql, type Kysely, type RawBuilder, type SqlBool } from 'kysely';
import type { ActivityDoc } from '../records';
import { activityOf, type ActivityRow, type ContactReadModel } from './rows';
import { CONTACTS_POLICY } from './contact-queries';

const NEWEST_FIRST: SortKey[] = [
  { column: 'occurred_at', direction: 'desc', type: 'timestamp' },
  { column: 'id', direction: 'desc' },
];

export class ActivityQueries {
  constructor(private readonly db: Kysely<ContactReadModel>) {}

  /**
   * A contact's timeline. The caller has been shown the contact already, and seeing a contact means seeing its
   * whole history (whoever logged it), so the tenant and the contact narrow this query.
   */
  contactTimeline(
    tenantId: string,
    contactId: string,
    types: readonly string[],
    limit: number,
    cursor: string,
  ): Promise<Page<ActivityDoc>> {
    return this.page(
      [sql<SqlBool>`tenant_id = ${tenantId}`, sql<SqlBool>`contact_id = ${contactId}`],
      types,
      limit,
      cursor,
    );
  }

  /** A company's timeline: the activities the caller may see (they follow their contacts' owner and team). */
  companyTimeline(
    principal: Principal,
    companyId: string,
    types: readonly string[],
    limit: number,
    cursor: string,
  ): Promise<Page<ActivityDoc>> {
    const scope = scopeOf(principal, CONTACTS_POLICY, 'read');
    if (scope.kind === 'none') return Promise.resolve({ rows: [], nextCursor: '' });
    return this.page(
      [sql<SqlBool>`tenant_id = ${scope.tenantId}`, sql<SqlBool>`company_id = ${companyId}`, scopeSql(scope)],
      types,
      limit,
      cursor,
    );
  }

  /** Every activity of a contact, deleted ones too, newest first (GDPR export). */
  async allOfContact(tenantId: string, contactId: string): Promise<ActivityDoc[]> {
    const rows = await this.db
      .selectFrom('activities')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('contact_id', '=', contactId)
      .orderBy('occurred_at', 'desc')
      .orderBy('id', 'desc')
      .execute();
    return rows.map((row) => activityOf(row as ActivityRow));
  }

  private async page(
    where: Array<RawBuilder<SqlBool>>,
    types: readonly string[],
    limit: number,
    cursor: string,
  ): Promise<Page<ActivityDoc>> {
    const conditions = [...where, sql<SqlBool>`deleted_at is null`];
    if (types.length > 0) conditions.push(sql<SqlBool>`type = any(${[...types]}::text[])`);
    if (cursor) conditions.push(afterCursor(NEWEST_FIRST, decodeCursor(cursor, NEWEST_FIRST.length)));
    const { rows } = await sql<ActivityRow>`
      select * from activities where ${sql.join(conditions, sql` and `)}
      order by ${orderBy(NEWEST_FIRST)} limit ${limit + 1}
    `.execute(this.db);
    const page = pageOf(rows, limit, (row) => [row.occurred_at.toISOString(), row.id]);
    return { rows: page.rows.map(activityOf), nextCursor: page.nextCursor };
  }
}
