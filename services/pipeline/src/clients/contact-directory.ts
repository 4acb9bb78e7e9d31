// The contact service as the pipeline sees it: which contacts and companies a caller may attach to a deal, and
// what a deal shows of them. Every call carries the caller's own token, so the contact service applies the
// caller's visibility, and what remains of the caller's deadline.
import type { CallOptions, Metadata, ServiceError as GrpcServiceError } from '@grpc/grpc-js';
import {
  asService,
  createGrpcClient,
  fromGrpcError,
  isGrpcError,
  onBehalfOf,
  type CallContext,
  type TokenSource,
} from '@crm/service-kit';
import {
  CompanyFilter,
  CompanyServiceClient,
  type BatchGetCompaniesResponse,
  type Company,
  type ListCompaniesRequest,
  type ListCompaniesResponse,
} from '@crm/proto/crm/contact/v1/company';
import { ContactServiceClient, type BatchGetContactsResponse, type Contact } from '@crm/proto/crm/contact/v1/contact';
import type { CompanySummary, ContactSummary } from '../domain/deal';

export type Caller = Pick<CallContext, 'token' | 'deadline'>;

export interface ContactDirectory {
  /** The contact as the caller sees it, or undefined when it does not exist or is not visible to them. */
  findContact(caller: Caller, id: string): Promise<Contact | undefined>;
  findCompany(caller: Caller, id: string): Promise<Company | undefined>;
  /**
   * The tenant's live companies with this domain or external id, or whose name starts with `namePrefix` (the first
   * 50), asked by the service itself (imports run after their caller's request).
   */
  companiesMatching(
    tenantId: string,
    filter: { domain?: string; externalId?: string; namePrefix?: string },
    deadline: Date,
  ): Promise<Company[]>;
  close(): void;
}

type Unary<Req, Res> = (
  request: Req,
  metadata: Metadata,
  options: Partial<CallOptions>,
  callback: (error: GrpcServiceError | null, response: Res) => void,
) => unknown;

function call<Req, Res>(method: Unary<Req, Res>, request: Req, caller: Caller): Promise<Res> {
  const { metadata, options } = onBehalfOf(caller);
  return send(method, request, metadata, options);
}

function send<Req, Res>(
  method: Unary<Req, Res>,
  request: Req,
  metadata: Metadata,
  options: Partial<CallOptions>,
): Promise<Res> {
  return new Promise((resolve, reject) => {
    method(request, metadata, options, (error, response) => {
      if (error) reject(isGrpcError(error) ? fromGrpcError(error) : error);
      else resolve(response);
    });
  });
}

export function grpcContactDirectory(address: string, serviceToken: TokenSource): ContactDirectory {
  const contacts = createGrpcClient(ContactServiceClient, address);
  const companies = createGrpcClient(CompanyServiceClient, address);
  return {
    async findContact(caller, id) {
      const response = await call<{ ids: string[] }, BatchGetContactsResponse>(
        contacts.batchGetContacts.bind(contacts),
        { ids: [id] },
        caller,
      );
      return response.contacts.find((c) => c.id === id);
    },
    async findCompany(caller, id) {
      const response = await call<{ ids: string[] }, BatchGetCompaniesResponse>(
        companies.batchGetCompanies.bind(companies),
        { ids: [id] },
        caller,
      );
      return response.companies.find((c) => c.id === id);
    },
    async companiesMatching(tenantId, filter, deadline) {
      const response = await send<ListCompaniesRequest, ListCompaniesResponse>(
        companies.listCompanies.bind(companies),
        { filter: CompanyFilter.fromPartial(filter), page: { limit: 50, cursor: '' } },
        asService(await serviceToken.getToken(), tenantId),
        { deadline },
      );
      return response.companies;
    },
    close() {
      contacts.close();
      companies.close();
    },
  };
}

export function contactSummaryOf(contact: Contact): ContactSummary {
  const erased = Boolean(contact.erasedAt);
  return {
    id: contact.id,
    displayName: erased ? '' : displayNameOf(contact),
    email: erased ? '' : ((contact.emails.find((e) => e.primary) ?? contact.emails[0])?.address ?? ''),
    erased,
    sourceVersion: contact.version,
  };
}

export function companySummaryOf(company: Company): CompanySummary {
  return { id: company.id, name: company.name, domain: company.domain, sourceVersion: company.version };
}

function displayNameOf(contact: Contact): string {
  return [contact.firstName, contact.lastName]
    .map((part) => part.trim())
    .filter(Boolean)
    .join(' ');
}
