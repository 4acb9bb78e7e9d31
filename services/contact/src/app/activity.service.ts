// Activities: logging moves the contact's lastActivityAt; timelines are newest first.
import { ServiceError, type Principal } from '@crm/service-kit';
import { v7 as uuidv7 } from 'uuid';
import { validateActivity, type ActivityInputData } from '../domain/activity.model';
import { decodeCursor, pageSize } from '../domain/cursor';
import { activityLoggedEntry } from '../events/contact.events';
import type { ActivityDoc } from '../store/activity.schema';
import type { ContactStore } from '../store/contact-store';
import type { Page } from '../store/contact.repository';
import { assertLive } from './contact.service';

export class ActivityService {
  constructor(private readonly store: ContactStore) {}

  async log(principal: Principal, input: ActivityInputData): Promise<ActivityDoc> {
    const now = new Date();
    const fields = validateActivity(input, now);
    // Logging on a contact needs the contact to be visible; the activity then follows the contact's visibility.
    const contact = await this.store.contacts.getById(principal, fields.contactId);
    assertLive(contact);
    if (!fields.companyId) fields.companyId = contact.companyId;
    const lastActivityAt =
      contact.lastActivityAt && contact.lastActivityAt > fields.occurredAt ? contact.lastActivityAt : fields.occurredAt;
    const record = {
      _id: uuidv7(),
      ownerId: contact.ownerId,
      teamId: contact.teamId,
      ...fields,
      loggedBy: principal.userId,
    };
    const activity = await this.store.activities.insert(principal, record, (version) => [
      activityLoggedEntry(
        { ...record, tenantId: principal.tenantId, version, createdAt: now, updatedAt: now, deletedAt: null },
        lastActivityAt,
        principal,
        this.store.namespace,
      ),
    ]);
    await this.store.contacts.touchLastActivity(principal.tenantId, contact._id, fields.occurredAt);
    return activity;
  }

  get(principal: Principal, id: string): Promise<ActivityDoc> {
    return this.store.activities.getById(principal, id);
  }

  async delete(principal: Principal, id: string, expectedVersion: number): Promise<ActivityDoc> {
    const current = await this.get(principal, id);
    if (
      current.loggedBy !== principal.userId &&
      !principal.roles.some((r) => r === 'crm-admin' || r === 'sales-manager' || r === 'support-manager')
    ) {
      throw new ServiceError('PERMISSION_DENIED', 'Only its author, managers and admins may delete an activity');
    }
    return this.store.activities.updateVersioned(principal, id, expectedVersion, {
      update: { $set: { deletedAt: new Date() } },
      events: () => [],
    });
  }

  async contactTimeline(
    principal: Principal,
    contactId: string,
    types: readonly string[],
    limit: number,
    cursor: string,
  ): Promise<Page<ActivityDoc>> {
    await this.store.contacts.getById(principal, contactId);
    return this.store.activities.contactTimeline(
      principal.tenantId,
      contactId,
      types,
      pageSize(limit),
      decodeCursor(cursor),
    );
  }

  async companyTimeline(
    principal: Principal,
    companyId: string,
    types: readonly string[],
    limit: number,
    cursor: string,
  ): Promise<Page<ActivityDoc>> {
    await this.store.companies.getById(principal, companyId);
    return this.store.activities.companyTimeline(principal, companyId, types, pageSize(limit), decodeCursor(cursor));
  }
}
