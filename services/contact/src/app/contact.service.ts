// Contact use cases: the rules that need the store (uniqueness, ownership, versions, events) around the pure domain.
import { invalidArgument, ServiceError, versionMismatch, type Principal } from '@crm/service-kit';
import { v7 as uuidv7 } from 'uuid';
import { EMPTY_CONTACT, uniqueKeysOf } from '../domain/contact.model';
import { deriveContactFields, inputNames } from '../domain/contact-derived';
import { validateContactPatch, validateNewContact, type ContactInputData } from '../domain/contact.validation';
import { decodeCursor, pageSize } from '../domain/cursor';
import { scoreDuplicate, type DuplicateReason } from '../domain/duplicates';
import { queryTerms, scoreContact } from '../domain/search-tokens';
import { contactChangedEntry } from '../events/contact.events';
import { keysOf, type Conflict, type UniqueKey } from '../store/contact-keys.repository';
import type { ContactStore } from '../store/contact-store';
import type { ContactDoc } from '../store/contact.schema';
import type { ContactListFilter, Page } from '../store/contact.repository';
import { resolveOwnership, resolveTransfer } from './ownership';
import { tenantContext } from './validation-context';

export const MAX_BATCH_GET = 100;
const MAX_SEARCH_LIMIT = 50;

export interface ScoredContact {
  contact: ContactDoc;
  score: number;
}

export interface DuplicateCandidate extends ScoredContact {
  reasons: DuplicateReason[];
}

export class ContactService {
  constructor(private readonly store: ContactStore) {}

  async create(
    principal: Principal,
    input: ContactInputData & { ownerId: string; teamId: string },
    allowDuplicates: boolean,
  ): Promise<ContactDoc> {
    const ctx = await tenantContext(this.store, principal.tenantId);
    const fields = validateNewContact(input, ctx, EMPTY_CONTACT);
    const ownership = resolveOwnership(principal, input.ownerId, input.teamId);
    const company = await this.companyOf(principal.tenantId, fields.companyId);
    const id = uuidv7();
    const keys = keysOf(uniqueKeysOf(fields));
    await this.claimOrThrow(principal.tenantId, id, keys, allowDuplicates);
    const record = {
      _id: id,
      ...ownership,
      ...fields,
      ...company,
      ...deriveContactFields({ ...fields, ...company }),
      lastActivityAt: null,
      mergedInto: '',
      mergedSources: [],
      erasedAt: null,
      importBatch: '',
    };
    try {
      return await this.store.contacts.insert(principal, record, (version) => {
        const now = new Date();
        const snapshot: ContactDoc = {
          ...record,
          tenantId: principal.tenantId,
          version,
          createdAt: now,
          updatedAt: now,
          deletedAt: null,
        };
        return [contactChangedEntry('contact.created', snapshot, [], principal, this.store.namespace)];
      });
    } catch (error) {
      await this.store.keys.release(principal.tenantId, id, keys);
      throw error;
    }
  }

  get(principal: Principal, id: string, includeDeleted = false): Promise<ContactDoc> {
    return this.store.contacts.getById(principal, id, { includeDeleted });
  }

  async batchGet(
    principal: Principal,
    ids: readonly string[],
  ): Promise<{ contacts: ContactDoc[]; missingIds: string[] }> {
    if (ids.length > MAX_BATCH_GET)
      throw invalidArgument([{ field: 'ids', description: `must list at most ${MAX_BATCH_GET} ids` }]);
    const found = await this.store.contacts.findByIds(principal, ids);
    const byId = new Map(found.map((c) => [c._id, c]));
    return { contacts: ids.flatMap((id) => byId.get(id) ?? []), missingIds: ids.filter((id) => !byId.has(id)) };
  }

  async update(
    principal: Principal,
    id: string,
    expectedVersion: number,
    input: ContactInputData,
    paths: readonly string[],
    allowDuplicates: boolean,
  ): Promise<ContactDoc> {
    const current = await this.get(principal, id);
    assertLive(current);
    const ctx = await tenantContext(this.store, principal.tenantId);
    const patch = validateContactPatch(input, paths, current, ctx);
    if (current.version !== expectedVersion) throw versionMismatch(expectedVersion, current.version);
    if (Object.keys(patch).length === 0) return current;
    const company = patch.companyId !== undefined ? await this.companyOf(principal.tenantId, patch.companyId) : {};
    const next = { ...current, ...patch, ...company };
    const derived = deriveContactFields(next);
    return this.applyChange(
      principal,
      current,
      expectedVersion,
      { ...patch, ...company, ...derived },
      inputNames(Object.keys({ ...patch, ...company })),
      allowDuplicates,
    );
  }

  /**
   * Writes a change to a live contact with its contact.updated event, moving uniqueness claims: new keys are
   * claimed before the write (and given back if it fails), dropped keys are released after it.
   */
  async applyChange(
    principal: Principal,
    current: ContactDoc,
    expectedVersion: number,
    set: Partial<ContactDoc>,
    changedFields: string[],
    allowDuplicates = false,
  ): Promise<ContactDoc> {
    const before = keysOf(uniqueKeysOf(current));
    const after = keysOf(uniqueKeysOf({ ...current, ...set }));
    const added = after.filter((k) => !before.some((b) => sameKey(b, k)));
    const removed = before.filter((k) => !after.some((a) => sameKey(a, k)));
    await this.claimOrThrow(principal.tenantId, current._id, added, allowDuplicates);
    let updated: ContactDoc;
    try {
      updated = await this.store.contacts.updateVersioned(principal, current._id, expectedVersion, {
        update: { $set: set },
        events: (version) => [
          contactChangedEntry(
            'contact.updated',
            { ...current, ...set, version, updatedAt: new Date() },
            changedFields,
            principal,
            this.store.namespace,
          ),
        ],
      });
    } catch (error) {
      await this.store.keys.release(principal.tenantId, current._id, added);
      throw error;
    }
    await this.store.keys.release(principal.tenantId, current._id, removed);
    return updated;
  }

  async delete(principal: Principal, id: string, expectedVersion: number): Promise<ContactDoc> {
    const current = await this.get(principal, id);
    const deletedAt = new Date();
    return this.store.contacts.updateVersioned(principal, id, expectedVersion, {
      update: { $set: { deletedAt } },
      events: (version) => [
        contactChangedEntry(
          'contact.deleted',
          { ...current, deletedAt, version, updatedAt: deletedAt },
          ['deleted_at'],
          principal,
          this.store.namespace,
        ),
      ],
    });
  }

  async restore(principal: Principal, id: string, expectedVersion: number): Promise<ContactDoc> {
    const current = await this.get(principal, id, true);
    if (!current.deletedAt)
      throw new ServiceError('FAILED_PRECONDITION', 'The contact is not deleted', { reason: 'NOT_DELETED' });
    if (current.mergedInto || current.erasedAt)
      throw new ServiceError('FAILED_PRECONDITION', 'A merged or erased contact cannot be restored', {
        reason: current.mergedInto ? 'MERGED' : 'ERASED',
      });
    return this.store.contacts.updateVersioned(principal, id, expectedVersion, {
      includeDeleted: true,
      update: { $set: { deletedAt: null } },
      events: (version) => [
        contactChangedEntry(
          'contact.restored',
          { ...current, deletedAt: null, version, updatedAt: new Date() },
          ['deleted_at'],
          principal,
          this.store.namespace,
        ),
      ],
    });
  }

  async transfer(
    principal: Principal,
    id: string,
    expectedVersion: number,
    newOwnerId: string,
    newTeamId: string,
  ): Promise<ContactDoc> {
    const current = await this.get(principal, id);
    const ownership = resolveTransfer(principal, newOwnerId, newTeamId, current.teamId);
    const updated = await this.applyChange(principal, current, expectedVersion, ownership, ['owner_id', 'team_id']);
    await this.store.activities.reassign(principal.tenantId, id, ownership.ownerId, ownership.teamId);
    return updated;
  }

  async list(
    principal: Principal,
    filter: ContactListFilter,
    limit: number,
    cursor: string,
  ): Promise<Page<ContactDoc>> {
    return this.store.contacts.list(principal, filter, pageSize(limit), decodeCursor(cursor));
  }

  /** Type-ahead: every term must prefix some word; ranked by where and how well they match, then recency. */
  async search(principal: Principal, query: string, limit: number): Promise<ScoredContact[]> {
    if (limit < 0 || limit > MAX_SEARCH_LIMIT)
      throw invalidArgument([{ field: 'limit', description: `must be between 1 and ${MAX_SEARCH_LIMIT}` }]);
    const terms = queryTerms(query);
    if (terms.length === 0) return [];
    const candidates = await this.store.contacts.searchCandidates(principal, terms);
    return candidates
      .map((contact) => ({ contact, score: scoreContact(contact, terms) }))
      .sort((a, b) => b.score - a.score || b.contact.updatedAt.getTime() - a.contact.updatedAt.getTime())
      .slice(0, limit || 10);
  }

  async duplicates(principal: Principal, id: string, limit: number): Promise<DuplicateCandidate[]> {
    const subject = await this.get(principal, id);
    const candidates = await this.store.contacts.duplicateCandidates(principal, subject, 200);
    return candidates
      .map((contact) => ({ contact, ...scoreDuplicate(toSubject(subject), toSubject(contact)) }))
      .filter((c) => c.score > 0)
      .sort((a, b) => b.score - a.score)
      .slice(0, limit > 0 ? Math.min(limit, 50) : 10);
  }

  /** The denormalised company fields of a contact; the company must exist in the tenant. */
  async companyOf(tenantId: string, companyId: string): Promise<{ companyName: string; companyDomain: string }> {
    if (!companyId) return { companyName: '', companyDomain: '' };
    const company = await this.store.companies.inTenant(tenantId, companyId);
    if (!company) throw invalidArgument([{ field: 'companyId', description: 'is not a company of this tenant' }]);
    return { companyName: company.name, companyDomain: company.domain };
  }

  private async claimOrThrow(
    tenantId: string,
    contactId: string,
    keys: readonly UniqueKey[],
    allowDuplicates: boolean,
  ): Promise<void> {
    if (keys.length === 0) return;
    const conflicts = await this.store.keys.claim(tenantId, contactId, keys);
    // With allow_duplicates an email or phone may be shared (the first contact keeps the claim); an external id never.
    const blocking = conflicts.filter((c) => !allowDuplicates || c.kind === 'ext');
    if (blocking.length === 0) return;
    const claimed = keys.filter((k) => !conflicts.some((c) => sameKey(c, k)));
    await this.store.keys.release(tenantId, contactId, claimed);
    throw duplicateError(blocking[0] as Conflict);
  }
}

export function duplicateError(conflict: Conflict): ServiceError {
  const what = conflict.kind === 'ext' ? 'external id' : conflict.kind;
  return new ServiceError('ALREADY_EXISTS', `A contact with this ${what} already exists`, {
    reason: 'DUPLICATE',
    metadata: {
      existingId: conflict.contactId,
      field: conflict.kind === 'ext' ? 'externalId' : `${conflict.kind}s`,
      value: conflict.value,
    },
  });
}

function sameKey(a: UniqueKey, b: UniqueKey): boolean {
  return a.kind === b.kind && a.value === b.value;
}

export function assertLive(contact: ContactDoc): void {
  if (contact.mergedInto)
    throw new ServiceError('FAILED_PRECONDITION', 'The contact was merged into another', {
      reason: 'MERGED',
      metadata: { mergedInto: contact.mergedInto },
    });
  if (contact.erasedAt) throw new ServiceError('FAILED_PRECONDITION', 'The contact was erased', { reason: 'ERASED' });
}

function toSubject(c: ContactDoc) {
  return {
    id: c._id,
    firstName: c.firstName,
    lastName: c.lastName,
    emails: c.emails,
    phones: c.phones,
    companyDomain: c.companyDomain,
  };
}
