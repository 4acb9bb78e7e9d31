// Activities: logged on a visible contact, visible as the contact is. The contact's lastActivityAt is kept by the
// read model from the activities: logging a call does not change the contact's record, so its version (the
// client's ETag) stays valid.
import { hasRole, pageSize, ServiceError, type Page, type Principal } from '@crm/service-kit';
import { v7 as uuidv7 } from 'uuid';
import { validateActivity, type ActivityInputData } from '../domain/activity.model';
import { activityLoggedEntry } from '../events/contact.events';
import type { ContactStore } from '../store/contact-store';
import type { ActivityDoc } from '../store/records';
import { assertLive } from './contact.service';

export class ActivityService {
  constructor(private readonly store: ContactStore) {}

  async log(principal: Principal, input: ActivityInputData): Promise<ActivityDoc> {
    const fields = validateActivity(input, new Date());
    // Logging on a contact needs the contact to be visible; the activity then follows the contact's visibility.
    const [contact, last] = await Promise.all([
      this.store.contacts.get(principal, fields.contactId),
      this.store.read.contacts.lastActivity(principal.tenantId, [fields.contactId]),
    ]);
    assertLive(contact);
    if (!fields.companyId) fields.companyId = contact.companyId;
    const previous = last.get(contact._id) ?? null;
    const lastActivityAt = previous && previous > fields.occurredAt ? previous : fields.occurredAt;
    return this.store.activities.create(
      principal,
      { _id: uuidv7(), ownerId: contact.ownerId, teamId: contact.teamId, ...fields, loggedBy: principal.userId },
      (state) => [activityLoggedEntry(state, lastActivityAt, principal, this.store.namespace)],
    );
  }

  get(principal: Principal, id: string): Promise<ActivityDoc> {
    return this.store.activities.get(principal, id);
  }

  async delete(principal: Principal, id: string, expectedVersion: number): Promise<ActivityDoc> {
    return this.store.activities.update(principal, id, expectedVersion, (current) => {
      if (current.loggedBy !== principal.userId && !hasRole(principal, 'crm-admin', 'sales-manager', 'support-manager'))
        throw new ServiceError('PERMISSION_DENIED', 'Only its author, managers and admins may delete an activity');
      return { set: { deletedAt: new Date() }, messages: () => [] };
    });
  }

  async contactTimeline(
    principal: Principal,
    contactId: string,
    types: readonly string[],
    limit: number,
    cursor: string,
  ): Promise<Page<ActivityDoc>> {
    await this.store.contacts.get(principal, contactId);
    return this.store.read.activities.contactTimeline(principal.tenantId, contactId, types, pageSize(limit), cursor);
  }

  async companyTimeline(
    principal: Principal,
    companyId: string,
    types: readonly string[],
    limit: number,
    cursor: string,
  ): Promise<Page<ActivityDoc>> {
    await this.store.companies.get(principal, companyId);
    return this.store.read.activities.companyTimeline(principal, companyId, types, pageSize(limit), cursor);
  }
}
