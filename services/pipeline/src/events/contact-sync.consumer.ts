// Keeps the contact and company summaries on deals current from the contact service's events. It acts as the
// service itself: it writes its own store and never calls back, since the events carry the data. Summaries
// remember the version they were taken from, so a late or repeated event never overwrites a newer one.
import type { Logger } from 'pino';
import { ServiceError, type ConsumerSpec, type EventHandler, type Principal } from '@crm/service-kit';
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

export interface ContactSyncOptions {
  /** The service's own identity, as the actor of the events a merge causes. */
  service: Pick<Principal, 'userId' | 'clientId'>;
  log: Logger;
}

export function contactSyncConsumer(deps: AppDeps, options: ContactSyncOptions): ConsumerSpec {
  return {
    stream: 'CONTACT',
    durable: CONTACT_SYNC_CONSUMER,
    filterSubjects: CONTACT_SYNC_SUBJECTS,
    handler: contactSyncHandler(deps, options),
  };
}

export function contactSyncHandler(deps: AppDeps, options: ContactSyncOptions): EventHandler {
  return async (event) => {
    const payload = event.payload?.value;
    if (!payload) throw new Error(`event ${event.id} has no payload`);
    switch (event.type) {
      case 'contact.updated': {
        const { contact } = ContactChanged.decode(payload);
        if (contact)
          await refreshContact(deps, event.tenantId, contact.id, {
            ...contactSummaryOf(contact),
            sourceVersion: event.aggregateVersion,
          });
        return;
      }
      case 'contact.erased': {
        const { contactId } = ContactErased.decode(payload);
        await refreshContact(
          deps,
          event.tenantId,
          contactId,
          { id: contactId, displayName: '', email: '', erased: true, sourceVersion: event.aggregateVersion },
          true,
        );
        return;
      }
      case 'contact.merged':
        await repointMergedContact(deps, options, event, ContactMerged.decode(payload));
        return;
      case 'company.updated': {
        const { company } = CompanyChanged.decode(payload);
        if (!company) return;
        const summary = { ...companySummaryOf(company), sourceVersion: event.aggregateVersion };
        for (const id of await deps.deals.idsReferencing(event.tenantId, 'companyId', company.id)) {
          await deps.deals.patchUnversioned(event.tenantId, id, (deal) =>
            (deal.company?.sourceVersion ?? 0) >= summary.sourceVersion ? undefined : { $set: { company: summary } },
          );
        }
        return;
      }
      default:
        options.log.debug({ type: event.type }, 'contact event ignored');
    }
  };
}

/** Erasure wins over any version: personal data must go even if an older event arrives after it. */
async function refreshContact(
  deps: AppDeps,
  tenantId: string,
  contactId: string,
  summary: ContactSummary,
  erasure = false,
): Promise<void> {
  for (const id of await deps.deals.idsReferencing(tenantId, 'contactId', contactId)) {
    await deps.deals.patchUnversioned(tenantId, id, (deal) => {
      if (deal.contactId !== contactId) return undefined;
      if (!erasure && (deal.contact?.erased || (deal.contact?.sourceVersion ?? 0) >= summary.sourceVersion))
        return undefined;
      return {
        $set: {
          contact: erasure
            ? { ...summary, sourceVersion: Math.max(summary.sourceVersion, deal.contact?.sourceVersion ?? 0) }
            : summary,
        },
      };
    });
  }
}

const MAX_ATTEMPTS = 5;

/**
 * Deals of the merged-away contact now point at the surviving one. That changes the deal (its contact id), so it
 * is a versioned update with a deal.updated event, retried when a user's edit gets in between.
 */
async function repointMergedContact(
  deps: AppDeps,
  options: ContactSyncOptions,
  event: Envelope,
  merged: ContactMerged,
): Promise<void> {
  const { sourceId, targetId, target } = merged;
  const summary: ContactSummary = target
    ? { ...contactSummaryOf(target), sourceVersion: event.aggregateVersion }
    : { id: targetId, displayName: '', email: '', erased: false, sourceVersion: 0 };
  const service: Principal = {
    tenantId: event.tenantId,
    userId: options.service.userId,
    clientId: options.service.clientId,
    roles: ['crm-service'],
    teamIds: [],
    scopes: [],
  };
  const stageOf = await tenantStageLookup(deps, event.tenantId);
  for (const id of await deps.deals.idsReferencing(event.tenantId, 'contactId', sourceId)) {
    for (let attempt = 1; ; attempt++) {
      const current = await deps.deals.findById(service, id, { includeDeleted: true });
      if (!current || current.contactId !== sourceId) break;
      const next = { ...current, contactId: targetId, contact: summary };
      const events = dealEvents({
        state: 'deal.updated',
        previous: current,
        next,
        changedFields: ['contact_id'],
        stageOf,
        actor: options.service,
        namespace: deps.namespace,
      });
      try {
        await deps.deals.updateVersioned(service, id, current.version, {
          update: { $set: { contactId: targetId, contact: summary } },
          events,
          includeDeleted: true,
        });
        break;
      } catch (error) {
        if (!(error instanceof ServiceError && error.code === 'FAILED_PRECONDITION') || attempt >= MAX_ATTEMPTS)
          throw error;
      }
    }
  }
  if (target) await refreshContact(deps, event.tenantId, targetId, summary);
}
