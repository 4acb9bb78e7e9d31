// Merge of a source contact into a target, without transactions: each step is idempotent and the merge record
// says how far it got, so a retry (or a resume after a crash) finishes the merge and emits contact.merged once.
import { invalidArgument, lockKey, ServiceError, versionMismatch, type Principal } from '@crm/service-kit';
import { uniqueKeysOf } from '../domain/contact.model';
import { deriveContactFields } from '../domain/contact-derived';
import { mergeContacts } from '../domain/merge';
import { contactMergedEntry } from '../events/contact.events';
import { keysOf } from '../store/contact-keys.repository';
import type { ContactStore } from '../store/contact-store';
import type { ContactDoc } from '../store/contact.schema';
import { MergeRecords, type MergeRecordDoc } from '../store/merge.repository';
import { assertLive } from './contact.service';

export interface MergeOutcome {
  contact: ContactDoc;
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
    const key = lockKey('contact_merges', MergeRecords.id(principal.tenantId, sourceId));
    return this.store.locks.withLock(key, async () => {
      const record = await this.store.merges.find(principal.tenantId, sourceId);
      if (record && record.targetId !== targetId)
        throw new ServiceError('FAILED_PRECONDITION', 'The source was already merged into another contact', {
          reason: 'MERGED',
          metadata: { mergedInto: record.targetId },
        });
      if (record?.status === 'completed')
        return {
          contact: await this.store.contacts.getById(principal, targetId),
          activitiesMoved: record.activitiesMoved,
        };
      return this.run(principal, record ?? (await this.begin(principal, targetId, sourceId, expectedTargetVersion)));
    });
  }

  /** Checks both sides and records the merge; the target's version is checked here and again by the write. */
  private async begin(
    principal: Principal,
    targetId: string,
    sourceId: string,
    expectedTargetVersion: number,
  ): Promise<MergeRecordDoc> {
    const [target, source] = await Promise.all([
      this.store.contacts.getById(principal, targetId),
      this.store.contacts.getById(principal, sourceId),
    ]);
    assertLive(target);
    assertLive(source);
    if (target.version !== expectedTargetVersion) throw versionMismatch(expectedTargetVersion, target.version);
    const record: MergeRecordDoc = {
      _id: MergeRecords.id(principal.tenantId, sourceId),
      tenantId: principal.tenantId,
      sourceId,
      targetId,
      status: 'started',
      activitiesMoved: await this.store.activities.countOfContact(principal.tenantId, sourceId),
      startedAt: new Date(),
      completedAt: null,
    };
    await this.store.merges.start(record);
    try {
      await this.updateTarget(principal, target, source, record.activitiesMoved);
    } catch (error) {
      // Nothing else happened yet: forget the merge so the caller can retry with a fresh version.
      await this.store.merges.remove(principal.tenantId, sourceId);
      throw error;
    }
    return record;
  }

  /** The one write that emits contact.merged; the target remembers the source so this never runs twice. */
  private async updateTarget(
    principal: Principal,
    target: ContactDoc,
    source: ContactDoc,
    activitiesMoved: number,
  ): Promise<void> {
    const { merged } = mergeContacts(target, source);
    const set: Partial<ContactDoc> = {
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
      lastActivityAt: merged.lastActivityAt,
      mergedSources: [...target.mergedSources, source._id],
      ...deriveContactFields(merged),
    };
    await this.store.contacts.updateVersioned(principal, target._id, target.version, {
      update: { $set: set },
      events: (version) => [
        contactMergedEntry(
          { ...target, ...set, version, updatedAt: new Date() },
          source._id,
          activitiesMoved,
          principal,
          this.store.namespace,
        ),
      ],
    });
  }

  /** The steps after the target write; each is safe to repeat. */
  private async run(principal: Principal, record: MergeRecordDoc): Promise<MergeOutcome> {
    const { tenantId } = principal;
    let target = await this.store.contacts.getById(principal, record.targetId);
    const source = await this.store.contacts.getById(principal, record.sourceId, { includeDeleted: true });
    if (!target.mergedSources.includes(source._id)) {
      // A crash between recording the merge and writing the target: write it now.
      await this.updateTarget(principal, target, source, record.activitiesMoved);
      target = await this.store.contacts.getById(principal, record.targetId);
    }
    await this.store.activities.repoint(tenantId, source._id, {
      contactId: target._id,
      ownerId: target.ownerId,
      teamId: target.teamId,
    });
    if (!source.mergedInto) {
      const at = new Date();
      await this.store.contacts.updateVersioned(principal, source._id, source.version, {
        includeDeleted: true,
        update: { $set: { mergedInto: target._id, deletedAt: source.deletedAt ?? at } },
        events: () => [],
      });
    }
    await this.store.keys.transfer(tenantId, source._id, target._id, keysOf(uniqueKeysOf(source)));
    await this.store.merges.update(tenantId, source._id, { status: 'completed', completedAt: new Date() });
    return { contact: target, activitiesMoved: record.activitiesMoved };
  }
}
