// Company use cases; a rename or new domain is copied onto the company's contacts (they denormalise both).
import { invalidArgument, ServiceError, versionMismatch, type Principal } from '@crm/service-kit';
import { v7 as uuidv7 } from 'uuid';
import { EMPTY_COMPANY, validateCompany, type CompanyFields, type CompanyInputData } from '../domain/company.model';
import { deriveContactFields } from '../domain/contact-derived';
import { decodeCursor, pageSize } from '../domain/cursor';
import { companySearchTokens, queryTerms } from '../domain/search-tokens';
import { companyChangedEntry } from '../events/contact.events';
import type { CompanyDoc } from '../store/company.schema';
import type { CompanyListFilter } from '../store/company.repository';
import type { ContactStore } from '../store/contact-store';
import type { ContactDoc } from '../store/contact.schema';
import type { Page } from '../store/contact.repository';
import type { ContactService } from './contact.service';
import { resolveOwnership, systemPrincipal } from './ownership';
import { tenantContext } from './validation-context';

const SNAKE: Record<string, string> = {
  annualRevenue: 'annual_revenue',
  parentCompanyId: 'parent_company_id',
  customFields: 'custom_fields',
  externalId: 'external_id',
};

export class CompanyService {
  constructor(
    private readonly store: ContactStore,
    private readonly contacts: ContactService,
  ) {}

  async create(
    principal: Principal,
    input: CompanyInputData & { ownerId: string; teamId: string },
  ): Promise<CompanyDoc> {
    const ctx = await tenantContext(this.store, principal.tenantId);
    const fields = {
      ...EMPTY_COMPANY,
      ...validateCompany(input, 'all', EMPTY_COMPANY, {
        definitions: ctx.companyDefinitions,
        requiredFields: ctx.requiredCompanyFields,
      }),
    };
    await this.checkParent(principal.tenantId, '', fields.parentCompanyId);
    const ownership = resolveOwnership(principal, input.ownerId, input.teamId);
    const record = {
      _id: uuidv7(),
      ...ownership,
      ...fields,
      searchTokens: companySearchTokens(fields),
      importBatch: '',
    };
    return this.store.companies.insert(principal, record, (version) => {
      const now = new Date();
      return [
        companyChangedEntry(
          'company.created',
          { ...record, tenantId: principal.tenantId, version, createdAt: now, updatedAt: now, deletedAt: null },
          [],
          principal,
          this.store.namespace,
        ),
      ];
    });
  }

  get(principal: Principal, id: string, includeDeleted = false): Promise<CompanyDoc> {
    return this.store.companies.getById(principal, id, { includeDeleted });
  }

  async batchGet(
    principal: Principal,
    ids: readonly string[],
  ): Promise<{ companies: CompanyDoc[]; missingIds: string[] }> {
    if (ids.length > 100) throw invalidArgument([{ field: 'ids', description: 'must list at most 100 ids' }]);
    const found = await this.store.companies.findByIds(principal, ids);
    const byId = new Map(found.map((c) => [c._id, c]));
    return { companies: ids.flatMap((id) => byId.get(id) ?? []), missingIds: ids.filter((id) => !byId.has(id)) };
  }

  async update(
    principal: Principal,
    id: string,
    expectedVersion: number,
    input: CompanyInputData,
    paths: readonly string[],
  ): Promise<CompanyDoc> {
    const current = await this.get(principal, id);
    const ctx = await tenantContext(this.store, principal.tenantId);
    const patch = changedOnly(
      validateCompany(input, paths, current, {
        definitions: ctx.companyDefinitions,
        requiredFields: ctx.requiredCompanyFields,
      }),
      current,
    );
    if (current.version !== expectedVersion) throw versionMismatch(expectedVersion, current.version);
    if (Object.keys(patch).length === 0) return current;
    if (patch.parentCompanyId) await this.checkParent(principal.tenantId, id, patch.parentCompanyId);
    const next = { ...current, ...patch };
    const set = { ...patch, searchTokens: companySearchTokens(next) };
    const changed = Object.keys(patch).map((k) => SNAKE[k] ?? k);
    const updated = await this.store.companies.updateVersioned(principal, id, expectedVersion, {
      update: { $set: set },
      events: (version) => [
        companyChangedEntry(
          'company.updated',
          { ...next, ...set, version, updatedAt: new Date() },
          changed,
          principal,
          this.store.namespace,
        ),
      ],
    });
    if (patch.name !== undefined || patch.domain !== undefined) await this.copyToContacts(updated);
    return updated;
  }

  async delete(principal: Principal, id: string, expectedVersion: number): Promise<CompanyDoc> {
    const current = await this.get(principal, id);
    const deletedAt = new Date();
    return this.store.companies.updateVersioned(principal, id, expectedVersion, {
      update: { $set: { deletedAt } },
      events: (version) => [
        companyChangedEntry(
          'company.deleted',
          { ...current, deletedAt, version, updatedAt: deletedAt },
          ['deleted_at'],
          principal,
          this.store.namespace,
        ),
      ],
    });
  }

  async restore(principal: Principal, id: string, expectedVersion: number): Promise<CompanyDoc> {
    const current = await this.get(principal, id, true);
    if (!current.deletedAt)
      throw new ServiceError('FAILED_PRECONDITION', 'The company is not deleted', { reason: 'NOT_DELETED' });
    return this.store.companies.updateVersioned(principal, id, expectedVersion, {
      includeDeleted: true,
      update: { $set: { deletedAt: null } },
      events: (version) => [
        companyChangedEntry(
          'company.restored',
          { ...current, deletedAt: null, version, updatedAt: new Date() },
          ['deleted_at'],
          principal,
          this.store.namespace,
        ),
      ],
    });
  }

  list(
    principal: Principal,
    filter: CompanyListFilter & { namePrefix?: string },
    limit: number,
    cursor: string,
  ): Promise<Page<CompanyDoc>> {
    const nameToken = filter.namePrefix ? queryTerms(filter.namePrefix)[0] : undefined;
    return this.store.companies.list(principal, { ...filter, nameToken }, pageSize(limit), decodeCursor(cursor));
  }

  /** The company's contacts the caller may see; the company itself must be visible. */
  async contactsOf(principal: Principal, companyId: string, limit: number, cursor: string): Promise<Page<ContactDoc>> {
    await this.get(principal, companyId);
    return this.contacts.list(principal, { companyId }, limit, cursor);
  }

  private async checkParent(tenantId: string, id: string, parentId: string): Promise<void> {
    if (!parentId) return;
    if (parentId === id)
      throw invalidArgument([{ field: 'parentCompanyId', description: 'must not be the company itself' }]);
    if (!(await this.store.companies.inTenant(tenantId, parentId)))
      throw invalidArgument([{ field: 'parentCompanyId', description: 'is not a company of this tenant' }]);
  }

  /** Contacts show the company's name and are found by it: copy a rename onto them, as the service itself. */
  private async copyToContacts(company: CompanyDoc): Promise<void> {
    const system = systemPrincipal(company.tenantId);
    for (const { _id } of await this.store.contacts.idsByCompany(company.tenantId, company._id)) {
      for (let attempt = 0; attempt < 3; attempt++) {
        const contact = await this.store.contacts.findById(system, _id);
        if (!contact || contact.companyId !== company._id) break;
        const set = {
          companyName: company.name,
          companyDomain: company.domain,
          ...deriveContactFields({ ...contact, companyName: company.name }),
        };
        try {
          await this.contacts.applyChange(system, contact, contact.version, set, ['company_name']);
          break;
        } catch (error) {
          if (!(error instanceof ServiceError && error.code === 'FAILED_PRECONDITION')) throw error;
        }
      }
    }
  }
}

function changedOnly(patch: Partial<CompanyFields>, current: CompanyFields): Partial<CompanyFields> {
  return Object.fromEntries(
    Object.entries(patch).filter(
      ([key, value]) => JSON.stringify(value) !== JSON.stringify(current[key as keyof CompanyFields]),
    ),
  );
}
