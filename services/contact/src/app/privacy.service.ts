// Privacy requests: everything held about one contact, and erasure that keeps only a tombstone.
import type { Principal } from '@crm/service-kit';
import { uniqueKeysOf } from '../domain/contact.model';
import { contactErasedEntry } from '../events/contact.events';
import { toProtoActivity, toProtoContact } from '../rpc/mappers';
import { keysOf } from '../store/contact-keys.repository';
import type { ContactStore } from '../store/contact-store';
import type { ContactDoc } from '../store/contact.schema';

export class PrivacyService {
  constructor(private readonly store: ContactStore) {}

  /** A JSON document with the contact, its activities, its company link and where it was merged from. */
  async exportData(principal: Principal, id: string): Promise<string> {
    const contact = await this.store.contacts.getById(principal, id, { includeDeleted: true });
    const activities = await this.store.activities.allOfContact(principal.tenantId, id);
    const company = contact.companyId
      ? await this.store.companies.inTenant(principal.tenantId, contact.companyId)
      : undefined;
    const document = {
      exportedAt: new Date().toISOString(),
      contact: toProtoContact(contact),
      company: company ? { id: company._id, name: company.name, domain: company.domain } : null,
      mergedFrom: contact.mergedSources,
      activities: activities.map(toProtoActivity),
    };
    return JSON.stringify(document, null, 2);
  }

  /**
   * Removes names, emails, phones, address, title, custom fields and external id from the contact, and bodies,
   * subjects and addresses from its activities; the record stays as a deleted tombstone, its uniqueness claims
   * are released, and contact.erased tells every consumer to forget what it copied. Repeating it is harmless.
   */
  async erase(principal: Principal, id: string): Promise<{ id: string; erasedAt: Date }> {
    const current = await this.store.contacts.getById(principal, id, { includeDeleted: true });
    if (current.erasedAt) return { id, erasedAt: current.erasedAt };
    const erasedAt = new Date();
    const set: Partial<ContactDoc> = {
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
      searchTokens: [],
      emailKeys: [],
      phoneKeys: [],
      nameKey: '',
      erasedAt,
      deletedAt: current.deletedAt ?? erasedAt,
    };
    await this.store.contacts.updateVersioned(principal, id, current.version, {
      includeDeleted: true,
      update: { $set: set },
      events: (version) => [contactErasedEntry({ ...current, version }, erasedAt, principal, this.store.namespace)],
    });
    await this.store.activities.erasePersonalData(principal.tenantId, id);
    await this.store.keys.release(principal.tenantId, id, keysOf(uniqueKeysOf(current)));
    return { id, erasedAt };
  }
}
