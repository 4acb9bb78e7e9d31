import { isDuplicateKey, lockKey, lookupEach, type DocumentLocks } from '@crm/service-kit';
import type { Collection, Connection } from 'mongoose';

export type KeyKind = 'email' | 'phone' | 'ext';

export interface UniqueKey {
  kind: KeyKind;
  value: string;
}

interface ClaimDoc {
  _id: string;
  tenantId: string;
  kind: KeyKind;
  value: string;
  contactId: string;
  claimedAt: Date;
}

export interface Conflict extends UniqueKey {
  contactId: string;
}

const COLLECTION = 'contact_keys';
/** A claim whose contact never appeared is the leftover of a crashed create after this long. */
const ORPHAN_AFTER_MS = 60_000;

export function keysOf(keys: { emails: string[]; phones: string[]; externalId: string }): UniqueKey[] {
  return [
    ...keys.emails.map((value) => ({ kind: 'email' as const, value })),
    ...keys.phones.map((value) => ({ kind: 'phone' as const, value })),
    ...(keys.externalId ? [{ kind: 'ext' as const, value: keys.externalId }] : []),
  ];
}

/**
 * Uniqueness of a normalised email, phone or external id per tenant. The store has no transactions and applies
 * conditional updates non-atomically, but inserting a unique _id is atomic: a claim document whose _id is the
 * key itself decides which contact owns it.
 */
export class ContactKeys {
  private readonly collection: Collection<ClaimDoc>;

  constructor(
    mongo: Connection,
    private readonly locks: DocumentLocks,
    /** Whether a contact document exists at all (deleted or not); claims of contacts that never appeared are orphans. */
    private readonly contactExists: (tenantId: string, contactId: string) => Promise<boolean>,
  ) {
    this.collection = mongo.collection<ClaimDoc>(COLLECTION);
  }

  static claimId(tenantId: string, key: UniqueKey): string {
    return `${tenantId}:${key.kind}:${key.value}`;
  }

  /** Claims every key for the contact; returns the keys another contact already owns (they stay unclaimed). */
  async claim(tenantId: string, contactId: string, keys: readonly UniqueKey[]): Promise<Conflict[]> {
    const conflicts: Conflict[] = [];
    for (const key of keys) {
      const owner = await this.claimOne(tenantId, contactId, key);
      if (owner !== contactId) conflicts.push({ ...key, contactId: owner });
    }
    return conflicts;
  }

  /** Releases the keys the contact owns; keys owned by others are left alone. */
  async release(tenantId: string, contactId: string, keys: readonly UniqueKey[]): Promise<void> {
    for (const key of keys) {
      const id = ContactKeys.claimId(tenantId, key);
      await this.locks.withLock(lockKey(COLLECTION, id), async () => {
        const current = await this.collection.findOne({ _id: id });
        if (current?.contactId === contactId) await this.collection.deleteOne({ _id: id });
      });
    }
  }

  /** Hands the keys `from` owns over to `to` (merge); keys nobody owns are claimed for `to`. */
  async transfer(tenantId: string, from: string, to: string, keys: readonly UniqueKey[]): Promise<void> {
    for (const key of keys) {
      const id = ContactKeys.claimId(tenantId, key);
      const moved = await this.locks.withLock(lockKey(COLLECTION, id), async () => {
        const current = await this.collection.findOne({ _id: id });
        if (current?.contactId !== from) return current !== null;
        await this.collection.updateOne({ _id: id }, { $set: { contactId: to } });
        return true;
      });
      if (!moved) await this.claimOne(tenantId, to, key);
    }
  }

  /** Owners of many keys of one kind at once (imports): value → contact id. */
  async owners(tenantId: string, kind: KeyKind, values: readonly string[]): Promise<Map<string, string>> {
    if (values.length === 0) return new Map();
    const ids = values.map((value) => ContactKeys.claimId(tenantId, { kind, value }));
    const docs = await lookupEach(ids, (id) => this.collection.findOne({ _id: id }));
    return new Map(docs.map((d) => [d.value, d.contactId]));
  }

  /** Claims many keys of new contacts in one round trip; returns the keys that were already taken. */
  async claimMany(tenantId: string, claims: ReadonlyArray<UniqueKey & { contactId: string }>): Promise<Set<string>> {
    if (claims.length === 0) return new Set();
    const now = new Date();
    const docs: ClaimDoc[] = claims.map((c) => ({
      _id: ContactKeys.claimId(tenantId, c),
      tenantId,
      kind: c.kind,
      value: c.value,
      contactId: c.contactId,
      claimedAt: now,
    }));
    const taken = new Set<string>();
    try {
      await this.collection.insertMany(docs, { ordered: false });
    } catch (error) {
      const writeErrors = (
        error as { writeErrors?: Array<{ index: number; code: number }> | { index: number; code: number } }
      ).writeErrors;
      const list = Array.isArray(writeErrors) ? writeErrors : writeErrors ? [writeErrors] : [];
      if (list.length === 0 || list.some((e) => e.code !== 11000)) throw error;
      for (const e of list) taken.add(docs[e.index]?._id ?? '');
    }
    return taken;
  }

  private async claimOne(tenantId: string, contactId: string, key: UniqueKey): Promise<string> {
    const id = ContactKeys.claimId(tenantId, key);
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        await this.collection.insertOne({
          _id: id,
          tenantId,
          kind: key.kind,
          value: key.value,
          contactId,
          claimedAt: new Date(),
        });
        return contactId;
      } catch (error) {
        if (!isDuplicateKey(error)) throw error;
      }
      const current = await this.collection.findOne({ _id: id });
      if (!current) continue;
      if (current.contactId === contactId) return contactId;
      if (!(await this.isOrphan(tenantId, current))) return current.contactId;
      await this.locks.withLock(lockKey(COLLECTION, id), () =>
        this.collection.deleteOne({ _id: id, contactId: current.contactId }),
      );
    }
    throw new Error(`could not claim ${id}`);
  }

  private async isOrphan(tenantId: string, claim: ClaimDoc): Promise<boolean> {
    if (Date.now() - claim.claimedAt.getTime() < ORPHAN_AFTER_MS) return false;
    return !(await this.contactExists(tenantId, claim.contactId));
  }
}
