// Merge of a source contact into a target, without locks or transactions: a merge record (an insert, so a source
// is merged at most once, into one target) and then steps that each recognise their own effect, so a retry, a
// concurrent duplicate request or a resume after a crash finishes the same merge and emits contact.merged once.
import { invalidArgument, ServiceError, systemPrincipal, type Principal } from '@crm/service-kit';
import { uniqueKeysOf } from '../domain/contact.model';
import { mergeContacts } from '../domain/merge';
import { contactMergedEntry } from '../events/contact.events';
import type { ContactStore } from '../store/contact-store';
import { MergeRecords, type MergeRecordDoc } from '../store/merge.repository';
import { activityIdsOfContact, type ContactDoc, type ContactView } from '../store/records';
import { forEachBounded } from './bounded';
import { assertLive } from './contact.service';

export interface MergeOutcome {
  contact: ContactView;
  activitiesMoved: number;
}

export class MergeService {
  constructor(private readonly store: ContactStore) {}

  async merge(
    principal: Principal,
    targetId: string,
    sourceId: string,
    expectedTargetVersion: number,
  ): Promise<MergeOutcome> {
    if (!targetId || !sourceId)
      throw invalidArgument([{ field: targetId ? 'sourceId' : 'targetId', description: 'is required' }]);
    if (targetId === sourceId) throw invalidArgument([{ field: 'sourceId', description: 'must differ from targetId' }]);
    const existing = await this.store.merges.find(principal.tenantId, sourceId);
    const record = existing ?? (await this.begin(principal, targetId, sourceId, expectedTargetVersion));
    if (record.targetId !== targetId)
      throw new ServiceError('FAILED_PRECONDITION', 'The source was already merged into another contact', {
        reason: 'MERGED',
        metadata: { mergedInto: record.targetId },
      });
    return this.finish(principal, record);
  }

  /**
   * Checks both sides, records the merge and writes the target (with the version the caller saw); a refused target
   * write forgets the record again, unless the target shows the merge happened (a concurrent request did it).
   */
  private async begin(
    principal: Principal,
    targetId: string,
    sourceId: string,
    expectedTargetVersion: number,
  ): Promise<MergeRecordDoc> {
    const [target, source] = await Promise.all([
      this.store.contacts.get(principal, targetId),
      this.store.contacts.get(principal, sourceId),
    ]);
    assertLive(target);
    assertLive(source);
    const ids = await activityIdsOfContact(this.store.activities.model, principal.tenantId, sourceId);
    const record = await this.store.merges.start({
      _id: MergeRecords.id(principal.tenantId, sourceId),
      tenantId: principal.tenantId,
      sourceId,
      targetId,
      activitiesMoved: ids.length,
      startedAt: new Date(),
    });
    if (record.targetId !== targetId) return record;
    try {
      await this.writeTarget(principal, targetId, source, record.activitiesMoved, expectedTargetVersion);
    } catch (error) {
      const now = await this.store.contacts.load(targetId);
      if (now?.mergedSources.includes(sourceId)) return record;
      await this.store.merges.forget(record);
      throw error;
    }
    return record;
  }

  /** The one write that emits contact.merged: the target remembers the source, so it never happens twice. */
  private async writeTarget(
    principal: Principal,
    targetId: string,
    source: ContactDoc,
    activitiesMoved: number,
    expectedVersion: number | undefined,
  ): Promise<ContactDoc> {
    return this.store.contacts.update(principal, targetId, expectedVersion, (target) => {
      if (target.mergedSources.includes(source._id)) return null;
      assertLive(target);
      const { merged } = mergeContacts(target, source);
      return {
        set: {
          firstName: merged.firstName,
          lastName: merged.lastName,
          title: merged.title,
          leadSource: merged.leadSource,
          externalId: merged.externalId,
          emails: merged.emails,
          phones: merged.phones,
          tags: merged.tags,
          companyId: merged.companyId,
          companyName: merged.companyName,
          companyDomain: merged.companyDomain,
          address: merged.address,
          customFields: merged.customFields,
          tier: merged.tier,
          mergedSources: [...target.mergedSources, source._id],
        },
        messages: (next) => [contactMergedEntry(next, source._id, activitiesMoved, principal, this.store.namespace)],
      };
    });
  }

  /** The steps after the target write; each is safe to repeat and does nothing when already done. */
  private async finish(principal: Principal, record: MergeRecordDoc): Promise<MergeOutcome> {
    const { tenantId } = principal;
    const source = await this.store.contacts.get(principal, record.sourceId, { includeDeleted: true });
    let target = await this.store.contacts.get(principal, record.targetId);
    // A crash (or a refused duplicate request) between the record and the target write: write it now.
    if (!target.mergedSources.includes(source._id))
      target = await this.writeTarget(principal, target._id, source, record.activitiesMoved, undefined);
    const system = systemPrincipal(tenantId, 'contact');
    const moving = await activityIdsOfContact(this.store.activities.model, tenantId, source._id);
    await forEachBounded(moving, 8, (activityId) =>
      this.store.activities.update(
        system,
        activityId,
        undefined,
        (activity) =>
          activity.contactId !== source._id
            ? null
            : {
                set: { contactId: target._id, ownerId: target.ownerId, teamId: target.teamId },
                messages: () => [],
              },
        { includeDeleted: true },
      ),
    );
    if (!source.mergedInto)
      await this.store.contacts.update(
        principal,
        source._id,
        undefined,
        (current) =>
          current.mergedInto
            ? null
            : { set: { mergedInto: target._id, deletedAt: current.deletedAt ?? new Date() }, messages: () => [] },
        { includeDeleted: true },
      );
    await this.store.keys.transfer(tenantId, source._id, target._id, uniqueKeysOf(source));
    const [view] = await this.store.read.contacts.withLastActivity([target]);
    return { contact: view as ContactView, activitiesMoved: record.activitiesMoved };
  }
}
