// Contact use cases: the rules that need the store (uniqueness, ownership, versions, events) around the pure domain.
// Writes go through the kit's RecordStore (one event insert is the compare-and-set); reads of many go to the read
// model.
import {
  invalidArgument,
  pageSize,
  resolveOwnership,
  sameKey,
  ServiceError,
  systemPrincipal,
  toProtoHistory,
  type Change,
  type ClaimConflict,
  type Page,
  type Principal,
  type UniqueKey,
} from '@crm/service-kit';
import type { HistoryEntry as HistoryEntryProto } from '@crm/proto/crm/common/v1/history';
import { v7 as uuidv7 } from 'uuid';
import { EMPTY_CONTACT, inputNames, splitMask, uniqueKeysOf } from '../domain/contact.model';
import { validateContactPatch, validateNewContact, type ContactInputData } from '../domain/contact.validation';
import { scoreDuplicate, type DuplicateReason } from '../domain/duplicates';
import { parseSearchQuery, scoreContact } from '../domain/search-query';
import { contactChangedEntry } from '../events/contact.events';
import type { ContactStore } from '../store/contact-store';
import type { ContactListFilter } from '../store/read-model/contact-queries';
import { activityIdsOfContact, type ContactDoc, type ContactView } from '../store/records';
import { forEachBounded } from './bounded';
import { tenantContext, type TenantContext } from './validation-context';

export const MAX_BATCH_GET = 100;
const MAX_SEARCH_LIMIT = 50;
/** Candidates duplicate scoring looks at. */
const DUPLICATE_CANDIDATES = 200;

export interface ScoredContact {
  contact: ContactView;
  score: number;
}

export interface DuplicateCandidate extends ScoredContact {
  reasons: DuplicateReason[];
}

export type OwnershipInput = { ownerId: string; teamId: string };

const KEY_PATHS = ['emails', 'phones', 'external_id'];

export class ContactService {
  constructor(private readonly store: ContactStore) {}

  private get namespace(): string {
    return this.store.namespace;
  }

  async create(
    principal: Principal,
    input: ContactInputData & OwnershipInput,
    allowDuplicates: boolean,
  ): Promise<ContactView> {
    const ctx = await tenantContext(this.store, principal.tenantId);
    const fields = validateNewContact(input, ctx, EMPTY_CONTACT);
    const ownership = resolveOwnership(principal, { ownerId: input.ownerId, teamId: input.teamId });
    const company = await this.companyOf(principal.tenantId, fields.companyId);
    const id = uuidv7();
    const keys = uniqueKeysOf(fields);
    await this.claimOrThrow(principal.tenantId, id, keys, allowDuplicates);
    try {
      const contact = await this.store.contacts.create(
        principal,
        { _id: id, ...ownership, ...fields, ...company, mergedInto: '', mergedSources: [], erasedAt: null },
        (state) => [contactChangedEntry('contact.created', state, [], principal, this.namespace)],
      );
      return { ...contact, lastActivityAt: null };
    } catch (error) {
      await this.store.keys.release(principal.tenantId, id, keys);
      throw error;
    }
  }

  async get(principal: Principal, id: string, includeDeleted = false): Promise<ContactView> {
    const [contact, last] = await Promise.all([
      this.store.contacts.get(principal, id, { includeDeleted }),
      this.store.read.contacts.lastActivity(principal.tenantId, [id]),
    ]);
    return { ...contact, lastActivityAt: last.get(id) ?? null };
  }

  async batchGet(
    principal: Principal,
    ids: readonly string[],
  ): Promise<{ contacts: ContactView[]; missingIds: string[] }> {
    if (ids.length > MAX_BATCH_GET)
      throw invalidArgument([{ field: 'ids', description: `must list at most ${MAX_BATCH_GET} ids` }]);
    const found = await this.store.read.contacts.withLastActivity(await this.store.contacts.getMany(principal, ids));
    const byId = new Map(found.map((c) => [c._id, c]));
    return { contacts: ids.flatMap((id) => byId.get(id) ?? []), missingIds: ids.filter((id) => !byId.has(id)) };
  }

  /**
   * One change of the paths in the mask, owner and team included (the ownership rule decides those), applied only
   * at `expectedVersion`. Uniqueness claims move with it: new keys are claimed before the write (and given back if
   * it fails), dropped ones released after. A title-only change is one read, one event, one snapshot and one mark.
   */
  async update(
    principal: Principal,
    id: string,
    expectedVersion: number,
    input: ContactInputData & OwnershipInput,
    paths: readonly string[],
    allowDuplicates: boolean,
  ): Promise<ContactView> {
    if (paths.length === 0)
      throw invalidArgument([{ field: 'updateMask', description: 'must name at least one field to change' }]);
    const ctx = await tenantContext(this.store, principal.tenantId);
    const mask = splitMask(paths);
    const company = mask.fields.includes('company_id')
      ? await this.companyOf(principal.tenantId, input.companyId.trim())
      : undefined;
    const decide = (current: ContactDoc) => this.decideUpdate(principal, current, ctx, input, mask, company);
    let claimed: UniqueKey[] = [];
    if (mask.fields.some((p) => KEY_PATHS.includes(p))) {
      // New keys are claimed before the write: read the contact first to know which are new.
      const current = await this.store.contacts.get(principal, id);
      const change = current.version === expectedVersion ? decide(current) : null;
      if (change) {
        claimed = keysNotIn(uniqueKeysOf({ ...current, ...change.set }), uniqueKeysOf(current));
        await this.claimOrThrow(principal.tenantId, id, claimed, allowDuplicates);
      }
    }
    let before: ContactDoc | undefined;
    let updated: ContactDoc;
    try {
      updated = await this.store.contacts.update(principal, id, expectedVersion, (current) => {
        before = current;
        return decide(current);
      });
    } catch (error) {
      await this.store.keys.release(principal.tenantId, id, claimed);
      throw error;
    }
    if (before && updated.version !== before.version) await this.afterChange(principal, before, updated);
    return (await this.store.read.contacts.withLastActivity([updated]))[0] as ContactView;
  }

  /** The change an update makes to the current record, or null when it changes nothing. */
  private decideUpdate(
    principal: Principal,
    current: ContactDoc,
    ctx: TenantContext,
    input: ContactInputData & OwnershipInput,
    mask: ReturnType<typeof splitMask>,
    company: { companyName: string; companyDomain: string } | undefined,
  ): Change<ContactDoc> | null {
    assertLive(current);
    const patch = mask.fields.length > 0 ? validateContactPatch(input, mask.fields, current, ctx) : {};
    const set: Partial<ContactDoc> = { ...patch };
    if (patch.companyId !== undefined && company) Object.assign(set, company);
    if (mask.owner || mask.team) {
      if (mask.owner && !input.ownerId.trim())
        throw invalidArgument([{ field: 'ownerId', description: 'must name the new owner' }]);
      const ownership = resolveOwnership(
        principal,
        { ownerId: mask.owner ? input.ownerId.trim() : '', teamId: mask.team ? input.teamId.trim() : '' },
        current,
      );
      if (ownership.ownerId !== current.ownerId) set.ownerId = ownership.ownerId;
      if (ownership.teamId !== current.teamId) set.teamId = ownership.teamId;
    }
    if (Object.keys(set).length === 0) return null;
    return {
      set,
      messages: (next) => [
        contactChangedEntry('contact.updated', next, inputNames(Object.keys(set)), principal, this.namespace),
      ],
    };
  }

  /** After a stored change: dropped keys are free again; activities follow a new owner or team. */
  private async afterChange(principal: Principal, before: ContactDoc, after: ContactDoc): Promise<void> {
    await this.store.keys.release(principal.tenantId, after._id, keysNotIn(uniqueKeysOf(before), uniqueKeysOf(after)));
    if (before.ownerId !== after.ownerId || before.teamId !== after.teamId) await this.reassignActivities(after);
  }

  /** Activities follow their contact's owner and team (who may see them is who may see the contact). */
  async reassignActivities(contact: Pick<ContactDoc, '_id' | 'tenantId' | 'ownerId' | 'teamId'>): Promise<void> {
    const system = systemPrincipal(contact.tenantId, 'contact');
    const ids = await activityIdsOfContact(this.store.activities.model, contact.tenantId, contact._id);
    await forEachBounded(ids, 8, (activityId) =>
      this.store.activities.update(
        system,
        activityId,
        undefined,
        (activity) =>
          activity.contactId !== contact._id ||
          (activity.ownerId === contact.ownerId && activity.teamId === contact.teamId)
            ? null
            : { set: { ownerId: contact.ownerId, teamId: contact.teamId }, messages: () => [] },
        { includeDeleted: true },
      ),
    );
  }

  async delete(principal: Principal, id: string, expectedVersion: number): Promise<ContactView> {
    const deleted = await this.store.contacts.update(principal, id, expectedVersion, () => ({
      set: { deletedAt: new Date() },
      messages: (next) => [contactChangedEntry('contact.deleted', next, ['deleted_at'], principal, this.namespace)],
    }));
    return (await this.store.read.contacts.withLastActivity([deleted]))[0] as ContactView;
  }

  async restore(principal: Principal, id: string, expectedVersion: number): Promise<ContactView> {
    const restored = await this.store.contacts.update(
      principal,
      id,
      expectedVersion,
      (current) => {
        if (!current.deletedAt)
          throw new ServiceError('FAILED_PRECONDITION', 'The contact is not deleted', { reason: 'NOT_DELETED' });
        if (current.mergedInto || current.erasedAt)
          throw new ServiceError('FAILED_PRECONDITION', 'A merged or erased contact cannot be restored', {
            reason: current.mergedInto ? 'MERGED' : 'ERASED',
          });
        return {
          set: { deletedAt: null },
          messages: (next) => [
            contactChangedEntry('contact.restored', next, ['deleted_at'], principal, this.namespace),
          ],
        };
      },
      { includeDeleted: true },
    );
    return (await this.store.read.contacts.withLastActivity([restored]))[0] as ContactView;
  }

  /** TransferContact: the owner/team change of UpdateContact, kept for clients of that RPC. */
  transfer(
    principal: Principal,
    id: string,
    expectedVersion: number,
    newOwnerId: string,
    newTeamId: string,
  ): Promise<ContactView> {
    if (!newOwnerId.trim()) throw invalidArgument([{ field: 'newOwnerId', description: 'is required' }]);
    const input = { ...emptyInput(), ownerId: newOwnerId, teamId: newTeamId };
    return this.update(
      principal,
      id,
      expectedVersion,
      input,
      newTeamId ? ['owner_id', 'team_id'] : ['owner_id'],
      false,
    );
  }

  list(principal: Principal, filter: ContactListFilter, limit: number, cursor: string): Promise<Page<ContactView>> {
    return this.store.read.contacts.list(principal, filter, pageSize(limit), cursor);
  }

  /** Type-ahead: every term prefixes a word; the bounded candidates are ranked by where and how well they match. */
  async search(principal: Principal, query: string, limit: number): Promise<ScoredContact[]> {
    if (limit < 0 || limit > MAX_SEARCH_LIMIT)
      throw invalidArgument([{ field: 'limit', description: `must be between 1 and ${MAX_SEARCH_LIMIT}` }]);
    const parsed = parseSearchQuery(query);
    if (!parsed) return [];
    const candidates = await this.store.read.contacts.searchCandidates(principal, parsed);
    return candidates
      .map((contact) => ({ contact, score: scoreContact(contact, parsed) }))
      .sort((a, b) => b.score - a.score || b.contact.updatedAt.getTime() - a.contact.updatedAt.getTime())
      .slice(0, limit || 10);
  }

  async duplicates(principal: Principal, id: string, limit: number): Promise<DuplicateCandidate[]> {
    const subject = await this.store.contacts.get(principal, id);
    const candidates = await this.store.read.contacts.duplicateCandidates(principal, subject, DUPLICATE_CANDIDATES);
    return candidates
      .map((contact) => ({ contact, ...scoreDuplicate(toSubject(subject), toSubject(contact)) }))
      .filter((c) => c.score > 0)
      .sort((a, b) => b.score - a.score)
      .slice(0, limit > 0 ? Math.min(limit, 50) : 10);
  }

  async history(principal: Principal, id: string): Promise<HistoryEntryProto[]> {
    return toProtoHistory(await this.store.contacts.history(principal, id));
  }

  /** The denormalised company fields of a contact; the company must be a live one of the tenant. */
  async companyOf(tenantId: string, companyId: string): Promise<{ companyName: string; companyDomain: string }> {
    if (!companyId) return { companyName: '', companyDomain: '' };
    const company = await this.store.companies.load(companyId);
    if (!company || company.tenantId !== tenantId || company.deletedAt)
      throw invalidArgument([{ field: 'companyId', description: 'is not a company of this tenant' }]);
    return { companyName: company.name, companyDomain: company.domain };
  }

  async claimOrThrow(
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
    await this.store.keys.release(
      tenantId,
      contactId,
      keys.filter((k) => !conflicts.some((c) => sameKey(c, k))),
    );
    throw duplicateError(blocking[0] as ClaimConflict);
  }
}

export function duplicateError(conflict: ClaimConflict): ServiceError {
  const what = conflict.kind === 'ext' ? 'external id' : conflict.kind;
  return new ServiceError('ALREADY_EXISTS', `A contact with this ${what} already exists`, {
    reason: 'DUPLICATE',
    metadata: {
      existingId: conflict.holderId,
      field: conflict.kind === 'ext' ? 'externalId' : `${conflict.kind}s`,
      value: conflict.value,
    },
  });
}

/** The keys `base` does not have. */
function keysNotIn(keys: readonly UniqueKey[], base: readonly UniqueKey[]): UniqueKey[] {
  return keys.filter((k) => !base.some((b) => sameKey(b, k)));
}

export function assertLive(contact: ContactDoc): void {
  if (contact.mergedInto)
    throw new ServiceError('FAILED_PRECONDITION', 'The contact was merged into another', {
      reason: 'MERGED',
      metadata: { mergedInto: contact.mergedInto },
    });
  if (contact.erasedAt) throw new ServiceError('FAILED_PRECONDITION', 'The contact was erased', { reason: 'ERASED' });
}

export function emptyInput(): ContactInputData {
  return {
    firstName: '',
    lastName: '',
    emails: [],
    phones: [],
    title: '',
    companyId: '',
    lifecycleStage: '',
    leadSource: '',
    tags: [],
    tier: '',
    address: null,
    customFields: undefined,
    externalId: '',
  };
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
