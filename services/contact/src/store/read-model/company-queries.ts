// Companies as people browse them, from the read model with the caller's visibility in SQL.
import { scopeOf, type Page, type Principal, type SortKey } from '@crm/service-kit';
import { sql, type Kysely, type RawBuilder, type SqlBool } from 'kysely';
import type { CompanyDoc } from '../records';
import { orderedPage, startsWithPattern } from './ordered-page';
import { companyOf, type CompanyRow, type ContactReadModel } from './rows';

export interface CompanyListFilter {
  ownerId?: string;
  teamId?: string;
  industry?: string;
  domain?: string;
  /** Exact external id: other services' imports (deals) find a company by it. */
  externalId?: string;
  parentCompanyId?: string;
  updatedSince?: Date;
  includeDeleted?: boolean;
  /** A word of the name, or the domain, starts with it; case- and accent-insensitive. */
  namePrefix?: string;
}

export const COMPANIES_POLICY = { resource: 'companies' };

const NEWEST_FIRST: SortKey[] = [
  { column: 'updated_at', direction: 'desc', type: 'timestamp' },
  { column: 'id', direction: 'desc' },
];

const COLUMNS = ['id', 'tenant_id', 'owner_id', 'team_id', 'version', 'created_at', 'updated_at', 'deleted_at', 'data'];

export interface CompanyMatch {
  id: string;
  name: string;
  domain: string;
}

export class CompanyQueries {
  constructor(private readonly db: Kysely<ContactReadModel>) {}

  async list(
    principal: Principal,
    filter: CompanyListFilter,
    limit: number,
    cursor: string,
  ): Promise<Page<CompanyDoc>> {
    const page = await orderedPage<CompanyRow>(
      this.db as Kysely<unknown>,
      {
        table: 'companies',
        columns: COLUMNS,
        scope: scopeOf(principal, COMPANIES_POLICY, 'read'),
        filters: listFilters(filter),
        keys: NEWEST_FIRST,
        cursor,
        limit,
      },
      (row) => [row.updated_at.toISOString(), row.id],
    );
    return { rows: page.rows.map(companyOf), nextCursor: page.nextCursor };
  }

  async *scan(principal: Principal, filter: CompanyListFilter, batch = 1000): AsyncGenerator<CompanyDoc[]> {
    let cursor = '';
    do {
      const page = await this.list(principal, filter, batch, cursor);
      if (page.rows.length > 0) yield page.rows;
      cursor = page.nextCursor;
    } while (cursor);
  }

  /** Live companies of the tenant by domain, whoever owns them (imports link contacts to them). */
  async byDomains(tenantId: string, domains: readonly string[]): Promise<Map<string, CompanyMatch>> {
    if (domains.length === 0) return new Map();
    const rows = await this.db
      .selectFrom('companies')
      .select(['id', 'name', 'domain'])
      .where('tenant_id', '=', tenantId)
      .where('domain', 'in', [...new Set(domains)])
      .where('deleted_at', 'is', null)
      .orderBy('created_at')
      .execute();
    const byDomain = new Map<string, CompanyMatch>();
    for (const row of rows) if (!byDomain.has(row.domain)) byDomain.set(row.domain, row);
    return byDomain;
  }

  /** Live companies of the tenant by a key imports match on: domain or external id; oldest first. */
  async byKeys(
    tenantId: string,
    field: 'domain' | 'externalId',
    values: readonly string[],
  ): Promise<Map<string, string>> {
    if (values.length === 0) return new Map();
    const column = field === 'domain' ? 'domain' : 'external_id';
    const rows = await this.db
      .selectFrom('companies')
      .select(['id', column])
      .where('tenant_id', '=', tenantId)
      .where(column, 'in', [...new Set(values)])
      .where('deleted_at', 'is', null)
      .orderBy('created_at')
      .execute();
    const byKey = new Map<string, string>();
    for (const row of rows) {
      const key = (row as Record<string, string>)[column] as string;
      if (!byKey.has(key)) byKey.set(key, row.id);
    }
    return byKey;
  }
}

function listFilters(filter: CompanyListFilter): Array<RawBuilder<SqlBool>> {
  const where: Array<RawBuilder<SqlBool>> = [];
  if (filter.ownerId) where.push(sql<SqlBool>`owner_id = ${filter.ownerId}`);
  if (filter.teamId) where.push(sql<SqlBool>`team_id = ${filter.teamId}`);
  if (filter.industry) where.push(sql<SqlBool>`industry = ${filter.industry}`);
  if (filter.domain) where.push(sql<SqlBool>`domain = ${filter.domain}`);
  if (filter.externalId) where.push(sql<SqlBool>`external_id = ${filter.externalId}`);
  if (filter.parentCompanyId) where.push(sql<SqlBool>`parent_company_id = ${filter.parentCompanyId}`);
  if (filter.updatedSince) where.push(sql<SqlBool>`updated_at >= ${filter.updatedSince}`);
  if (!filter.includeDeleted) where.push(sql<SqlBool>`deleted_at is null`);
  if (filter.namePrefix?.trim())
    where.push(sql<SqlBool>`(
      name_words like '% ' || array_to_string(crm_words(${filter.namePrefix}), ' ') || '%'
      or domain like ${startsWithPattern(filter.namePrefix.trim().toLowerCase())}
    )`);
  return where;
}
