// Contacts as people browse them: lists with every filter the API offers, type-ahead search, duplicate
// candidates, exports and lastActivityAt, all from the read model with the caller's visibility in SQL.
import { scopeOf, scopeSql, type Page, type Principal, type Scope, type SortKey } from '@crm/service-kit';
import { sql, type Kysely, type RawBuilder, type SqlBool } from 'kysely';
import type { SearchQuery } from '../../domain/search-query';
import type { ContactDoc, ContactView } from '../records';
import { orderedPage } from './ordered-page';
import { contactOf, type ContactReadModel, type ContactRow } from './rows';

export interface ContactListFilter {
  ownerId?: string;
  teamId?: string;
  lifecycleStage?: string;
  tag?: string;
  companyId?: string;
  updatedSince?: Date;
  includeDeleted?: boolean;
}

export const CONTACTS_POLICY = { resource: 'contacts' };

/** Newest change first; the id breaks ties. */
const NEWEST_FIRST: SortKey[] = [
  { column: 'updated_at', direction: 'desc', type: 'timestamp' },
  { column: 'id', direction: 'desc' },
];

/** What a contact is read as (the search vector and name key stay in the database). */
const COLUMNS = [
  'id',
  'tenant_id',
  'owner_id',
  'team_id',
  'version',
  'created_at',
  'updated_at',
  'deleted_at',
  'erased_at',
  'last_activity_at',
  'data',
] as const;
const SELECT = sql.join(COLUMNS.map((c) => sql.ref(`c.${c}`)));

/** Candidates of one term, read in word order: exact matches first, then the nearest completions. */
const CANDIDATES_ONE_TERM = 200;
/** Candidates of a query of several terms, newest change first, that ranking looks at. */
const CANDIDATES_MULTI_TERM = 200;

export class ContactQueries {
  constructor(private readonly db: Kysely<ContactReadModel>) {}

  scope(principal: Principal): Scope {
    return scopeOf(principal, CONTACTS_POLICY, 'read');
  }

  async list(
    principal: Principal,
    filter: ContactListFilter,
    limit: number,
    cursor: string,
  ): Promise<Page<ContactView>> {
    const page = await orderedPage<ContactRow>(
      this.db as Kysely<unknown>,
      {
        table: 'contacts',
        columns: COLUMNS,
        scope: this.scope(principal),
        filters: listFilters(filter),
        keys: NEWEST_FIRST,
        cursor,
        limit,
      },
      (row) => [row.updated_at.toISOString(), row.id],
    );
    return { rows: page.rows.map(contactOf), nextCursor: page.nextCursor };
  }

  /** Everything `list` would page through, a page of `batch` at a time (exports). */
  async *scan(principal: Principal, filter: ContactListFilter, batch = 1000): AsyncGenerator<ContactView[]> {
    let cursor = '';
    do {
      const page = await this.list(principal, filter, batch, cursor);
      if (page.rows.length > 0) yield page.rows;
      cursor = page.nextCursor;
    } while (cursor);
  }

  /**
   * Live contacts matching the query, for ranking by the caller. One term: a bounded read of the word index per
   * field, exact words first; several terms: the GIN intersection of their prefixes, newest first, bounded.
   */
  async searchCandidates(principal: Principal, query: SearchQuery): Promise<ContactView[]> {
    const scope = this.scope(principal);
    if (scope.kind === 'none') return [];
    const rows =
      query.terms.length === 1
        ? await this.oneTermCandidates(scope, query)
        : await this.manyTermCandidates(scope, query.terms);
    return rows.map(contactOf);
  }

  private async oneTermCandidates(scope: Exclude<Scope, { kind: 'none' }>, query: SearchQuery): Promise<ContactRow[]> {
    const term = query.terms[0] as string;
    // Phone digits are stored as they are; anything else is folded as the stored words were.
    const folded = query.kind === 'phone' ? sql`${term}` : sql`crm_fold(${term})`;
    // An immutable function of a constant: folded once, at planning, so the range is an index range.
    const low = sql`(${folded}) collate "C"`;
    const { rows } = await sql<ContactRow>`
      select ${SELECT} from contacts c
      where c.id in (
        select w.contact_id from contact_search_words w
        where w.tenant_id = ${scope.tenantId} and w.word >= ${low} and w.word < ${low} || chr(1114111)
          and ${scopeSql(scope, { table: 'w' })}
        order by w.word, w.contact_id desc
        limit ${CANDIDATES_ONE_TERM}
      )
        and c.tenant_id = ${scope.tenantId} and c.deleted_at is null and ${scopeSql(scope, { table: 'c' })}
    `.execute(this.db);
    return rows;
  }

  private async manyTermCandidates(scope: Exclude<Scope, { kind: 'none' }>, terms: string[]): Promise<ContactRow[]> {
    // Words terms are letters and digits only, so quoting them as tsquery lexemes needs no escaping.
    const { rows } = await sql<ContactRow>`
      select ${SELECT} from contacts c
      where c.tenant_id = ${scope.tenantId} and c.deleted_at is null and ${scopeSql(scope, { table: 'c' })}
        and c.search @@ (
          select string_agg('''' || crm_fold(t) || ''':*', ' & ')::tsquery from unnest(${terms}::text[]) t
        )
      order by c.updated_at desc
      limit ${CANDIDATES_MULTI_TERM}
    `.execute(this.db);
    return rows;
  }

  /** Visible live contacts sharing an email, a phone or the name with the subject, or with a similar name. */
  async duplicateCandidates(principal: Principal, subject: ContactDoc, limit: number): Promise<ContactView[]> {
    const scope = this.scope(principal);
    if (scope.kind === 'none') return [];
    const emails = subject.emails.map((e) => e.address);
    const phones = subject.phones.map((p) => p.number);
    const { rows } = await sql<ContactRow>`
      with subject as (select crm_name_key(${subject.firstName}, ${subject.lastName}) as name_key)
      select ${SELECT} from contacts c, subject s
      where c.tenant_id = ${scope.tenantId} and c.deleted_at is null and c.id <> ${subject._id}
        and ${scopeSql(scope, { table: 'c' })}
        and (
          c.emails && ${emails}::text[] or c.phones && ${phones}::text[]
          or (s.name_key <> '' and (c.name_key = s.name_key or c.name_key % s.name_key))
        )
      order by similarity(c.name_key, s.name_key) desc, c.updated_at desc
      limit ${limit}
    `.execute(this.db);
    return rows.map(contactOf);
  }

  /**
   * Which of these emails and phones contacts have (deleted and merged ones too), in one query: a hint for an
   * import's bulk claims (UniqueClaims.claimMany), which stay the authority on who holds a key.
   */
  async keysInUse(
    tenantId: string,
    emails: readonly string[],
    phones: readonly string[],
  ): Promise<Array<{ kind: 'email' | 'phone'; value: string }>> {
    if (emails.length === 0 && phones.length === 0) return [];
    // The tenant is a filter, not an index key: the indexes' tenant entry lists every row of the tenant, so only
    // the email and phone entries are looked up.
    const { rows } = await sql<{ emails: string[]; phones: string[] }>`
      select c.emails, c.phones from contacts c
      where (c.emails && ${[...emails]}::text[] or c.phones && ${[...phones]}::text[])
        and c.tenant_id || '' = ${tenantId}
    `.execute(this.db);
    const wanted = { email: new Set(emails), phone: new Set(phones) };
    const found = new Map<string, { kind: 'email' | 'phone'; value: string }>();
    for (const row of rows) {
      for (const value of row.emails) if (wanted.email.has(value)) found.set(`e:${value}`, { kind: 'email', value });
      for (const value of row.phones) if (wanted.phone.has(value)) found.set(`p:${value}`, { kind: 'phone', value });
    }
    return [...found.values()];
  }

  /** lastActivityAt of contacts, which the read model keeps from their activities. */
  async lastActivity(tenantId: string, ids: readonly string[]): Promise<Map<string, Date | null>> {
    if (ids.length === 0) return new Map();
    const rows = await this.db
      .selectFrom('contacts')
      .select(['id', 'last_activity_at'])
      .where('tenant_id', '=', tenantId)
      .where('id', 'in', [...ids])
      .execute();
    return new Map(rows.map((r) => [r.id, r.last_activity_at]));
  }

  /** The contacts' views: the records with lastActivityAt from the read model. */
  async withLastActivity<T extends ContactDoc>(contacts: readonly T[]): Promise<Array<T & ContactView>> {
    const tenantId = contacts[0]?.tenantId;
    const last = tenantId
      ? await this.lastActivity(
          tenantId,
          contacts.map((c) => c._id),
        )
      : new Map();
    return contacts.map((c) => ({ ...c, lastActivityAt: (last.get(c._id) as Date | null | undefined) ?? null }));
  }
}

function listFilters(filter: ContactListFilter): Array<RawBuilder<SqlBool>> {
  const where: Array<RawBuilder<SqlBool>> = [];
  if (filter.ownerId) where.push(sql<SqlBool>`owner_id = ${filter.ownerId}`);
  if (filter.teamId) where.push(sql<SqlBool>`team_id = ${filter.teamId}`);
  if (filter.lifecycleStage) where.push(sql<SqlBool>`lifecycle_stage = ${filter.lifecycleStage}`);
  if (filter.tag) where.push(sql<SqlBool>`tags @> array[${filter.tag.trim().toLowerCase()}]::text[]`);
  if (filter.companyId) where.push(sql<SqlBool>`company_id = ${filter.companyId}`);
  if (filter.updatedSince) where.push(sql<SqlBool>`updated_at >= ${filter.updatedSince}`);
  if (!filter.includeDeleted) where.push(sql<SqlBool>`deleted_at is null`);
  return where;
}
