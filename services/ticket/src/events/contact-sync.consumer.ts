// Keeps the requester's contact owner on tickets (who may read them) from the CONTACT stream: a contact that
// changes owner, or is merged into another (the tickets move to the surviving contact).
import { ContactChanged, ContactMerged } from '@crm/proto/crm/contact/v1/events';
import { STREAMS, type ConsumerSpec } from '@crm/service-kit';
import type { TicketService } from '../app/ticket.service';

export function contactSyncConsumer(tickets: TicketService): ConsumerSpec {
  return {
    stream: STREAMS.CONTACT.name,
    durable: 'ticket-contact-sync',
    filterSubjects: ['crm.contact.updated', 'crm.contact.restored', 'crm.contact.merged'],
    // Order-independent: the owner applied is the one of the event, and events of one contact come in order.
    concurrency: 1,
    handler: async (envelope) => {
      const type = envelope.payload?.typeUrl.split('/').pop();
      if (!envelope.payload) return;
      if (type === 'crm.contact.v1.ContactChanged') {
        const { contact } = ContactChanged.decode(envelope.payload.value);
        if (contact) await tickets.syncContactOwner(envelope.tenantId, contact.id, contact.ownerId);
      } else if (type === 'crm.contact.v1.ContactMerged') {
        const merged = ContactMerged.decode(envelope.payload.value);
        await tickets.repointRequester(
          envelope.tenantId,
          merged.sourceId,
          merged.targetId,
          merged.target?.ownerId ?? '',
        );
      }
    },
  };
}
