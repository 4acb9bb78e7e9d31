// The contact service as the ticket service sees it: the requester's contact by id, or by email (matched to the
// tenant's contact with that email, or created). The ticket service asks as itself for the ticket's tenant, since
// an agent need not own the requester's contact to file a ticket for them; what it keeps is the contact's id and
// owner (who may then read the ticket).
import type { CallOptions, Metadata, ServiceError as GrpcServiceError } from '@grpc/grpc-js';
import {
  asService,
  createGrpcClient,
  fromGrpcError,
  invalidArgument,
  isGrpcError,
  ServiceError,
  type TokenSource,
} from '@crm/service-kit';
import { ContactServiceClient, type Contact } from '@crm/proto/crm/contact/v1/contact';

export interface Requester {
  contactId: string;
  ownerId: string;
  email: string;
  companyId: string;
}

export interface ContactDirectory {
  byId(tenantId: string, contactId: string, deadline: Date): Promise<Requester>;
  byEmail(tenantId: string, email: string, name: string, deadline: Date): Promise<Requester>;
  close(): void;
}

type Unary<Req, Res> = (
  request: Req,
  metadata: Metadata,
  options: Partial<CallOptions>,
  callback: (error: GrpcServiceError | null, response: Res) => void,
) => unknown;

function requesterOf(contact: Contact): Requester {
  const primary = contact.emails.find((e) => e.primary) ?? contact.emails[0];
  return {
    contactId: contact.id,
    ownerId: contact.ownerId,
    email: primary?.address ?? '',
    companyId: contact.companyId,
  };
}

export function grpcContactDirectory(address: string, token: TokenSource): ContactDirectory {
  const client = createGrpcClient(ContactServiceClient, address);
  async function call<Req, Res>(method: Unary<Req, Res>, request: Req, tenantId: string, deadline: Date): Promise<Res> {
    const metadata = asService(await token.getToken(), tenantId);
    return new Promise((resolve, reject) => {
      method(request, metadata, { deadline }, (error, response) => {
        if (error) reject(isGrpcError(error) ? fromGrpcError(error) : error);
        else resolve(response);
      });
    });
  }
  const byId = async (tenantId: string, contactId: string, deadline: Date): Promise<Requester> => {
    try {
      const response = await call(
        client.getContact.bind(client),
        { id: contactId, includeDeleted: false },
        tenantId,
        deadline,
      );
      if (!response.contact) throw new ServiceError('NOT_FOUND', 'contact not found');
      return requesterOf(response.contact);
    } catch (error) {
      if (error instanceof ServiceError && error.code === 'NOT_FOUND')
        throw invalidArgument([{ field: 'requesterContactId', description: 'is not a contact of this tenant' }]);
      throw error;
    }
  };
  // The email's claim names a contact that cannot be read yet: its creation was cut short (the contact service died
  // between its event and its snapshot) and its sweeper will finish it. That is a moment to wait, not a bad request.
  const claimedContact = async (tenantId: string, contactId: string, deadline: Date): Promise<Requester> => {
    try {
      return await byId(tenantId, contactId, deadline);
    } catch (error) {
      if (error instanceof ServiceError && error.code === 'INVALID_ARGUMENT')
        throw new ServiceError('UNAVAILABLE', "The requester's contact is still being created; retry shortly");
      throw error;
    }
  };
  return {
    byId,
    async byEmail(tenantId, email, name, deadline) {
      const [first, ...rest] = (name.trim() || email.split('@')[0] || email).split(/\s+/);
      try {
        const response = await call(
          client.createContact.bind(client),
          {
            contact: {
              firstName: first ?? '',
              lastName: rest.join(' '),
              emails: [{ address: email, primary: true, label: '' }],
              phones: [],
              title: '',
              companyId: '',
              lifecycleStage: '',
              leadSource: 'support',
              tags: [],
              tier: '',
              address: undefined,
              ownerId: '',
              teamId: '',
              customFields: undefined,
              externalId: '',
            },
            allowDuplicates: false,
          },
          tenantId,
          deadline,
        );
        if (!response.contact) throw new Error('the contact service answered without a contact');
        return requesterOf(response.contact);
      } catch (error) {
        const existing = error instanceof ServiceError ? error.metadata.existingId : undefined;
        if (existing) return { ...(await claimedContact(tenantId, existing, deadline)), email };
        if (error instanceof ServiceError && error.code === 'INVALID_ARGUMENT')
          throw invalidArgument([
            { field: 'requesterEmail', description: error.violations[0]?.description ?? 'is invalid' },
          ]);
        throw error;
      }
    },
    close: () => client.close(),
  };
}
