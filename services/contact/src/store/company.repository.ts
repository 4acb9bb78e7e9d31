import {
  allOf,
  lookupEach,
  ScopedRepository,
  type DocumentLocks,
  type OutboxRelay,
  type Principal,
} from '@crm/service-kit';
import type { Model } from 'mongoose';
import type { CursorKey } from '../domain/cursor';
import type { CompanyDoc } from './company.schema';
import type { ListSlots } from './list-slots.repository';
import { newestFirstPage, stampSlot } from './slot-pages';
import type { Page } from './contact.repository';

export interface CompanyListFilter {
  ownerId?: string;
  teamId?: string;
  industry?: string;
  domain?: string;
  parentCompanyId?: string;
  updatedSince?: Date;
  includeDeleted?: boolean;
  nameToken?: string;
}

export class CompanyRepository extends ScopedRepository<CompanyDoc> {
  constructor(
    model: Model<CompanyDoc>,
    relay: OutboxRelay,
    locks: DocumentLocks,
    readonly slots: ListSlots,
  ) {
    super(model, 'companies', 'company', relay, locks);
  }

  /** Marks the write's slot before the write, so no stored company is ever missing from the slot walk. */
  protected override beforeWrite(tenantId: string, updatedAt: Date): Promise<Record<string, unknown>> {
    return stampSlot(this.slots, tenantId, updatedAt);
  }

  /** One page, newest change first: by time slots when nothing narrows it, else one indexed query (store/slot-pages). */
  async list(
    principal: Principal,
    filter: CompanyListFilter,
    limit: number,
    cursor: CursorKey | undefined,
  ): Promise<Page<CompanyDoc>> {
    return newestFirstPage(this, this.slots, principal, 'companies', {
      clauses: listClauses(filter),
      narrowing: listClauses({ ...filter, updatedSince: undefined }),
      updatedSince: filter.updatedSince,
      includeDeleted: filter.includeDeleted,
      limit,
      cursor,
    });
  }

  /** Everything `list` would page through, in one pass and no particular order (exports). */
  scanList(principal: Principal, filter: CompanyListFilter): AsyncGenerator<CompanyDoc[]> {
    return this.scan(principal, allOf(...listClauses(filter)), { includeDeleted: filter.includeDeleted });
  }

  /** A company of the tenant by id, whatever the caller sees: contacts denormalise its name and domain. */
  async inTenant(tenantId: string, id: string): Promise<CompanyDoc | undefined> {
    return (
      (await this.model.findOne({ _id: id, tenantId, deletedAt: null }, { outbox: 0 }).lean<CompanyDoc>()) ?? undefined
    );
  }

  /** Live companies of the tenant by domain or external id (imports match on them). */
  byKeys(tenantId: string, field: 'domain' | 'externalId', values: readonly string[]): Promise<CompanyDoc[]> {
    if (values.length === 0) return Promise.resolve([]);
    return lookupEach(values, (value) =>
      this.model.find({ tenantId, [field]: value, deletedAt: null }, { outbox: 0 }).lean<CompanyDoc[]>(),
    );
  }

  async insertManyRaw(docs: CompanyDoc[]): Promise<void> {
    if (docs.length > 0) await this.model.insertMany(docs, { ordered: false, lean: true });
  }

  findByImportBatch(tenantId: string, batch: string): Promise<CompanyDoc[]> {
    return this.model.find({ tenantId, importBatch: batch }, { outbox: 0 }).lean<CompanyDoc[]>();
  }
}

function listClauses(filter: CompanyListFilter): Array<Record<string, unknown>> {
  const clauses: Array<Record<string, unknown>> = [];
  if (filter.ownerId) clauses.push({ ownerId: filter.ownerId });
  if (filter.teamId) clauses.push({ teamId: filter.teamId });
  if (filter.industry) clauses.push({ industry: filter.industry });
  if (filter.domain) clauses.push({ domain: filter.domain });
  if (filter.parentCompanyId) clauses.push({ parentCompanyId: filter.parentCompanyId });
  if (filter.updatedSince) clauses.push({ updatedAt: { $gte: filter.updatedSince } });
  if (filter.nameToken) clauses.push({ searchTokens: filter.nameToken });
  return clauses;
}
