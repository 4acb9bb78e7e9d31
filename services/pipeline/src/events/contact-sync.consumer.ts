// Keeps what deals show of their contacts and companies current from the contact service's events, as the service
// itself: it never calls back, since the events carry the data. Summaries live in the read model and remember the
// version they were taken from, so a late or repeated event never overwrites a newer one; a merge re-points the
// deals of the merged-away contact, which is a change of those deals (a new version and a deal.updated event).
import type { Logger } from 'pino';
import { STREAMS, systemPrincipal, type ConsumerSpec, type EventHandler } from '@crm/service-kit';
import type { Envelope } from '@crm/proto/crm/events/v1/envelope';
import { CompanyChanged, ContactChanged, ContactErased, ContactMerged } from '@crm/proto/crm/contact/v1/events';
import { companySummaryOf, contactSummaryOf } from '../clients/contact-directory';
import type { ContactSummary } from '../domain/deal';
import type { AppDeps } from '../app/app-deps';
import { tenantStageLookup } from '../app/pipelines';
import { dealEvents } from './deal-events';

export const CONTACT_SYNC_CONSUMER = 'pipeline-contact-sync';
export const CONTACT_SYNC_SUBJECTS = [
  'crm.contact.updated',
  'crm.contact.merged',
  'crm.contact.erased',
  'crm.company.updated',
];

export function contactSyncConsumer(deps: AppDeps, log: Logger): ConsumerSpec {
  return {
    stream: STREAMS.CONTACT.name,
    durable: CONTACT_SYNC_CONSUMER,
    filterSubjects: CONTACT_SYNC_SUBJECTS,
    handler: contactSyncHandler(deps, log),
  };
}

export function contactSyncHandler(deps: AppDeps, log: Logger): EventHandler {
  return async (event) => {
    const payload = event.payload?.value;
    if (!payload) throw new Error(`event ${event.id} has no payload`);
    switch (event.type) {
      case 'contact.updated': {
        const { contact } = ContactChanged.decode(payload);
        if (contact)
          await deps.summaries.putContact(event.tenantId, {
            ...contactSummaryOf(contact),
            sourceVersion: event.aggregateVersion,
          });
        return;
      }
      case 'contact.erased': {
        const { contactId } = ContactErased.decode(payload);
        await deps.summaries.eraseContact(event.tenantId, contactId, event.aggregateVersion);
        return;
      }
      case 'contact.merged':
        await repointMergedContact(deps, event, ContactMerged.decode(payload));
        return;
      case 'company.updated': {
        const { company } = CompanyChanged.decode(payload);
        if (company)
          await deps.summaries.putCompany(event.tenantId, {
            ...companySummaryOf(company),
            sourceVersion: event.aggregateVersion,
          });
        return;
      }
      default:
        log.debug({ type: event.type }, 'contact event ignored');
    }
  };
}

/**
 * Deals of the merged-away contact now point at the surviving one: an unconditional update of each (re-decided on
 * the newest version if a user's edit gets in between), found through the read model.
 */
async function repointMergedContact(deps: AppDeps, event: Envelope, merged: ContactMerged): Promise<void> {
  const { sourceId, targetId, target } = merged;
  if (target) {
    const summary: ContactSummary = { ...contactSummaryOf(target), sourceVersion: event.aggregateVersion };
    await deps.summaries.putContact(event.tenantId, summary);
  }
  const service = systemPrincipal(event.tenantId, deps.serviceName);
  const stageOf = await tenantStageLookup(deps, event.tenantId);
  for (const id of await deps.dealsView.idsReferencingContact(event.tenantId, sourceId)) {
    await deps.deals.update(
      service,
      id,
      undefined,
      (current) =>
        current.contactId !== sourceId
          ? null
          : {
              set: { contactId: targetId },
              messages: dealEvents({
                state: 'deal.updated',
                previous: current,
                changedFields: ['contact_id'],
                stageOf,
                actor: service,
                namespace: deps.namespace,
              }),
            },
      { includeDeleted: true },
    );
  }
}
