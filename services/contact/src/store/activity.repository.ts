import { allOf, ScopedRepository, type DocumentLocks, type OutboxRelay, type Principal } from '@crm/service-kit';
import type { Model } from 'mongoose';
import { afterCursor, pageOf, type CursorKey } from '../domain/cursor';
import type { ActivityDoc } from './activity.schema';
import type { Page } from './contact.repository';

export class ActivityRepository extends ScopedRepository<ActivityDoc> {
  constructor(model: Model<ActivityDoc>, relay: OutboxRelay, locks: DocumentLocks) {
    // Activities are part of a contact's record: the same resource name for partner scopes.
    super(model, 'contacts', 'activity', relay, locks);
  }

  /**
   * A contact's timeline. The caller has already been shown the contact, and seeing a contact means seeing its
   * whole history (whoever logged it), so only the tenant and the contact narrow this query.
   */
  async contactTimeline(
    tenantId: string,
    contactId: string,
    types: readonly string[],
    limit: number,
    cursor: CursorKey | undefined,
  ): Promise<Page<ActivityDoc>> {
    const clauses: Array<Record<string, unknown>> = [{ tenantId, contactId, deletedAt: null }];
    if (types.length > 0) clauses.push({ type: { $in: types } });
    if (cursor) clauses.push(afterCursor('occurredAt', cursor));
    const rows = await this.model
      .find(allOf(...clauses), { outbox: 0 })
      .sort({ occurredAt: -1, _id: -1 })
      .limit(limit + 1)
      .lean<ActivityDoc[]>();
    return pageOf(rows, limit, (row) => row.occurredAt);
  }

  /** A company's timeline: activities the caller may see (they follow their contacts' visibility). */
  async companyTimeline(
    principal: Principal,
    companyId: string,
    types: readonly string[],
    limit: number,
    cursor: CursorKey | undefined,
  ): Promise<Page<ActivityDoc>> {
    const clauses: Array<Record<string, unknown>> = [{ companyId }];
    if (types.length > 0) clauses.push({ type: { $in: types } });
    if (cursor) clauses.push(afterCursor('occurredAt', cursor));
    const rows = await this.find(principal, allOf(...clauses), { sort: { occurredAt: -1, _id: -1 }, limit: limit + 1 });
    return pageOf(rows, limit, (row) => row.occurredAt);
  }

  allOfContact(tenantId: string, contactId: string): Promise<ActivityDoc[]> {
    return this.model
      .find({ tenantId, contactId }, { outbox: 0 })
      .sort({ occurredAt: -1, _id: -1 })
      .lean<ActivityDoc[]>();
  }

  countOfContact(tenantId: string, contactId: string): Promise<number> {
    return this.model.countDocuments({ tenantId, contactId });
  }

  /**
   * Re-points a merged source's activities at the target. Activities are append-only apart from this and
   * erasure, both of which run under the contacts' merge/erase flow, so a plain multi-update is safe here.
   */
  async repoint(
    tenantId: string,
    fromContactId: string,
    to: { contactId: string; ownerId: string; teamId: string },
  ): Promise<number> {
    const result = await this.model.updateMany(
      { tenantId, contactId: fromContactId },
      { $set: { contactId: to.contactId, ownerId: to.ownerId, teamId: to.teamId } },
    );
    return result.modifiedCount;
  }

  /** Visibility follows the contact: a transfer hands its history to the new owner and team. */
  async reassign(tenantId: string, contactId: string, ownerId: string, teamId: string): Promise<void> {
    await this.model.updateMany({ tenantId, contactId }, { $set: { ownerId, teamId } });
  }

  /** Erasure: bodies, subjects and addresses of people go; type, time and links stay for reporting. */
  async erasePersonalData(tenantId: string, contactId: string): Promise<number> {
    const result = await this.model.updateMany(
      { tenantId, contactId },
      { $set: { subject: '', body: '', email: null } },
    );
    await this.model.updateMany(
      { tenantId, contactId, type: 'meeting' },
      { $set: { 'meeting.attendees': [], 'meeting.location': '' } },
    );
    return result.modifiedCount;
  }
}
