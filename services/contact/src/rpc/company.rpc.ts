import type { CompanyFilter, CompanyServiceService } from '@crm/proto/crm/contact/v1/company';
import type { ServiceHandlers } from '@crm/service-kit';
import type { CompanyService } from '../app/company.service';
import type { CompanyListFilter } from '../store/read-model/company-queries';
import { fromProtoCompanyInput, toProtoCompany, toProtoContact } from './mappers';

export function toCompanyListFilter(filter: CompanyFilter | undefined): CompanyListFilter {
  return {
    ownerId: filter?.ownerId || undefined,
    teamId: filter?.teamId || undefined,
    industry: filter?.industry || undefined,
    domain: filter?.domain || undefined,
    externalId: filter?.externalId || undefined,
    parentCompanyId: filter?.parentCompanyId || undefined,
    updatedSince: filter?.updatedSince,
    includeDeleted: filter?.includeDeleted ?? false,
    namePrefix: filter?.namePrefix || undefined,
  };
}

export function companyHandlers(companies: CompanyService): ServiceHandlers<typeof CompanyServiceService> {
  return {
    createCompany: async (req, ctx) => {
      const input = {
        ...fromProtoCompanyInput(req.company),
        ownerId: req.company?.ownerId ?? '',
        teamId: req.company?.teamId ?? '',
      };
      return { company: toProtoCompany(await companies.create(ctx.principal, input)) };
    },
    getCompany: async (req, ctx) => ({
      company: toProtoCompany(await companies.get(ctx.principal, req.id, req.includeDeleted)),
    }),
    batchGetCompanies: async (req, ctx) => {
      const { companies: found, missingIds } = await companies.batchGet(ctx.principal, req.ids);
      return { companies: found.map(toProtoCompany), missingIds };
    },
    updateCompany: async (req, ctx) => ({
      company: toProtoCompany(
        await companies.update(
          ctx.principal,
          req.id,
          req.expectedVersion,
          fromProtoCompanyInput(req.company),
          req.updateMask ?? [],
        ),
      ),
    }),
    deleteCompany: async (req, ctx) => ({
      company: toProtoCompany(await companies.delete(ctx.principal, req.id, req.expectedVersion)),
    }),
    restoreCompany: async (req, ctx) => ({
      company: toProtoCompany(await companies.restore(ctx.principal, req.id, req.expectedVersion)),
    }),
    listCompanies: async (req, ctx) => {
      const page = await companies.list(
        ctx.principal,
        toCompanyListFilter(req.filter),
        req.page?.limit ?? 0,
        req.page?.cursor ?? '',
      );
      return { companies: page.rows.map(toProtoCompany), page: { nextCursor: page.nextCursor } };
    },
    listCompanyContacts: async (req, ctx) => {
      const page = await companies.contactsOf(
        ctx.principal,
        req.companyId,
        req.page?.limit ?? 0,
        req.page?.cursor ?? '',
      );
      return { contacts: page.rows.map(toProtoContact), page: { nextCursor: page.nextCursor } };
    },
    getCompanyHistory: async (req, ctx) => ({ entries: await companies.history(ctx.principal, req.id) }),
  };
}
