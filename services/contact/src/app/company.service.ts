// Company use cases; a rename or new domain is copied onto the company's contacts (they denormalise both).
import {
  invalidArgument,
  pageSize,
  resolveOwnership,
  ServiceError,
  systemPrincipal,
  toProtoHistory,
  type Page,
  type Principal,
} from '@crm/service-kit';
import type { HistoryEntry as HistoryEntryProto } from '@crm/proto/crm/common/v1/history';
import { v7 as uuidv7 } from 'uuid';
import { EMPTY_COMPANY, validateCompany, type CompanyFields, type CompanyInputData } from '../domain/company.model';
import { companyChangedEntry, contactChangedEntry } from '../events/contact.events';
import type { ContactStore } from '../store/contact-store';
import type { CompanyListFilter } from '../store/read-model/company-queries';
import { contactIdsOfCompany, type CompanyDoc, type ContactView } from '../store/records';
import { forEachBounded } from './bounded';
import type { ContactService } from './contact.service';
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
    const ownership = resolveOwnership(principal, { ownerId: input.ownerId, teamId: input.teamId });
    return this.store.companies.create(principal, { _id: uuidv7(), ...ownership, ...fields }, (state) => [
      companyChangedEntry('company.created', state, [], principal, this.store.namespace),
    ]);
  }

  get(principal: Principal, id: string, includeDeleted = false): Promise<CompanyDoc> {
    return this.store.companies.get(principal, id, { includeDeleted });
  }

  async batchGet(
    principal: Principal,
    ids: readonly string[],
  ): Promise<{ companies: CompanyDoc[]; missingIds: string[] }> {
    if (ids.length > 100) throw invalidArgument([{ field: 'ids', description: 'must list at most 100 ids' }]);
    const found = await this.store.companies.getMany(principal, ids);
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
    const ctx = await tenantContext(this.store, principal.tenantId);
    const rules = { definitions: ctx.companyDefinitions, requiredFields: ctx.requiredCompanyFields };
    if (paths.includes('parent_company_id'))
      await this.checkParent(principal.tenantId, id, input.parentCompanyId.trim());
    let before: CompanyDoc | undefined;
    const updated = await this.store.companies.update(principal, id, expectedVersion, (current) => {
      before = current;
      const patch = changedOnly(validateCompany(input, paths, current, rules), current);
      if (Object.keys(patch).length === 0) return null;
      const changed = Object.keys(patch).map((k) => SNAKE[k] ?? k);
      return {
        set: patch,
        messages: (next) => [companyChangedEntry('company.updated', next, changed, principal, this.store.namespace)],
      };
    });
    if (before && (before.name !== updated.name || before.domain !== updated.domain))
      await this.copyToContacts(updated);
    return updated;
  }

  async delete(principal: Principal, id: string, expectedVersion: number): Promise<CompanyDoc> {
    return this.store.companies.update(principal, id, expectedVersion, () => ({
      set: { deletedAt: new Date() },
      messages: (next) => [
        companyChangedEntry('company.deleted', next, ['deleted_at'], principal, this.store.namespace),
      ],
    }));
  }

  async restore(principal: Principal, id: string, expectedVersion: number): Promise<CompanyDoc> {
    return this.store.companies.update(
      principal,
      id,
      expectedVersion,
      (current) => {
        if (!current.deletedAt)
          throw new ServiceError('FAILED_PRECONDITION', 'The company is not deleted', { reason: 'NOT_DELETED' });
        return {
          set: { deletedAt: null },
          messages: (next) => [
            companyChangedEntry('company.restored', next, ['deleted_at'], principal, this.store.namespace),
          ],
        };
      },
      { includeDeleted: true },
    );
  }

  list(principal: Principal, filter: CompanyListFilter, limit: number, cursor: string): Promise<Page<CompanyDoc>> {
    return this.store.read.companies.list(principal, filter, pageSize(limit), cursor);
  }

  /** The company's contacts the caller may see; the company itself must be visible. */
  async contactsOf(principal: Principal, companyId: string, limit: number, cursor: string): Promise<Page<ContactView>> {
    await this.get(principal, companyId);
    return this.contacts.list(principal, { companyId }, limit, cursor);
  }

  async history(principal: Principal, id: string): Promise<HistoryEntryProto[]> {
    return toProtoHistory(await this.store.companies.history(principal, id));
  }

  private async checkParent(tenantId: string, id: string, parentId: string): Promise<void> {
    if (!parentId) return;
    if (parentId === id)
      throw invalidArgument([{ field: 'parentCompanyId', description: 'must not be the company itself' }]);
    const parent = await this.store.companies.load(parentId);
    if (!parent || parent.tenantId !== tenantId || parent.deletedAt)
      throw invalidArgument([{ field: 'parentCompanyId', description: 'is not a company of this tenant' }]);
  }

  /**
   * Contacts show the company's name and are found by it: the service copies a rename onto them, each an
   * unconditional change re-decided on the newest version (a concurrent edit of a contact is never lost).
   */
  private async copyToContacts(company: CompanyDoc): Promise<void> {
    const system = systemPrincipal(company.tenantId, 'contact');
    const ids = await contactIdsOfCompany(this.store.contacts.model, company.tenantId, company._id);
    await forEachBounded(ids, 8, (contactId) =>
      this.store.contacts.update(
        system,
        contactId,
        undefined,
        (contact) =>
          contact.companyId !== company._id ||
          (contact.companyName === company.name && contact.companyDomain === company.domain)
            ? null
            : {
                set: { companyName: company.name, companyDomain: company.domain },
                messages: (next) => [
                  contactChangedEntry('contact.updated', next, ['company_name'], system, this.store.namespace),
                ],
              },
        { includeDeleted: true },
      ),
    );
  }
}

function changedOnly(patch: Partial<CompanyFields>, current: CompanyFields): Partial<CompanyFields> {
  return Object.fromEntries(
    Object.entries(patch).filter(
      ([key, value]) => JSON.stringify(value) !== JSON.stringify(current[key as keyof CompanyFields]),
    ),
  );
}
