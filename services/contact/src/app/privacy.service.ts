// Privacy requests: everything held about one contact, and erasure that keeps only a tombstone and the versions.
import { systemPrincipal, type Principal } from '@crm/service-kit';
import { uniqueKeysOf } from '../domain/contact.model';
import { contactErasedEntry } from '../events/contact.events';
import { toProtoActivity, toProtoContact } from '../rpc/mappers';
import type { ContactStore } from '../store/contact-store';
import { activityIdsOfContact, type ActivityDoc, type ContactDoc } from '../store/records';
import { forEachBounded } from './bounded';

/** A contact's fields that describe the person: emptied on erasure, in the record and in every version of it. */
export const CONTACT_PERSONAL_FIELDS = [
  'firstName',
  'lastName',
  'emails',
  'phones',
  'title',
  'address',
  'customFields',
  'externalId',
  'leadSource',
  'tags',
] as const;

/** What an activity says about people: bodies, subjects and addresses; type, time and links stay for reporting. */
export const ACTIVITY_PERSONAL_FIELDS = ['subject', 'body', 'email', 'meeting'] as const;

function erasedContact<T extends ContactDoc>(contact: T): T {
  return {
    ...contact,
    firstName: '',
    lastName: '',
    emails: [],
    phones: [],
    title: '',
    address: null,
    customFields: {},
    externalId: '',
    leadSource: '',
    tags: [],
  };
}

function erasedActivity(activity: ActivityDoc): ActivityDoc {
  return {
    ...activity,
    subject: '',
    body: '',
    email: activity.email ? { ...activity.email, from: '', to: [], cc: [] } : null,
    meeting: activity.meeting ? { ...activity.meeting, attendees: [], location: '' } : null,
  };
}

function pick(activity: ActivityDoc): Pick<ActivityDoc, 'subject' | 'body' | 'email' | 'meeting'> {
  return { subject: activity.subject, body: activity.body, email: activity.email, meeting: activity.meeting };
}

export class PrivacyService {
  constructor(private readonly store: ContactStore) {}

  /** A JSON document with the contact, its activities, its company link and where it was merged from. */
  async exportData(principal: Principal, id: string): Promise<string> {
    const contact = await this.store.contacts.get(principal, id, { includeDeleted: true });
    const [activities, last, company] = await Promise.all([
      this.store.read.activities.allOfContact(principal.tenantId, id),
      this.store.read.contacts.lastActivity(principal.tenantId, [id]),
      contact.companyId ? this.store.companies.load(contact.companyId) : Promise.resolve(undefined),
    ]);
    const document = {
      exportedAt: new Date().toISOString(),
      contact: toProtoContact({ ...contact, lastActivityAt: last.get(id) ?? null }),
      company:
        company && company.tenantId === principal.tenantId
          ? { id: company._id, name: company.name, domain: company.domain }
          : null,
      mergedFrom: contact.mergedSources,
      activities: activities.map(toProtoActivity),
    };
    return JSON.stringify(document, null, 2);
  }

  /**
   * Removes the personal data from the contact and its activities, and from every version of both in the event
   * log (the versions stay: who changed what when, without the values); the record stays as a deleted tombstone,
   * its uniqueness claims are released, and contact.erased tells every consumer to forget what it copied.
   * Repeating it is harmless.
   */
  async erase(principal: Principal, id: string): Promise<{ id: string; erasedAt: Date }> {
    let before: ContactDoc | undefined;
    const erasedAt = new Date();
    const erased = await this.store.contacts.update(
      principal,
      id,
      undefined,
      (current) => {
        before = current;
        if (current.erasedAt) return null;
        return {
          set: { ...erasedContact(current), erasedAt, deletedAt: current.deletedAt ?? erasedAt },
          messages: (next) => [contactErasedEntry(next, erasedAt, principal, this.store.namespace)],
        };
      },
      { includeDeleted: true },
    );
    await this.store.contacts.redactHistory(id, erasedContact, CONTACT_PERSONAL_FIELDS);
    const system = systemPrincipal(principal.tenantId, 'contact');
    const activities = await activityIdsOfContact(this.store.activities.model, principal.tenantId, id);
    await forEachBounded(activities, 8, async (activityId) => {
      await this.store.activities.update(
        system,
        activityId,
        undefined,
        (activity) => {
          const { subject, body, email, meeting } = erasedActivity(activity);
          const set = { subject, body, email, meeting };
          const unchanged = JSON.stringify(set) === JSON.stringify({ ...set, ...pick(activity) });
          return unchanged ? null : { set, messages: () => [] };
        },
        { includeDeleted: true },
      );
      await this.store.activities.redactHistory(activityId, erasedActivity, ACTIVITY_PERSONAL_FIELDS);
    });
    if (before) await this.store.keys.release(principal.tenantId, id, uniqueKeysOf(before));
    return { id, erasedAt: erased.erasedAt ?? erasedAt };
  }
}
