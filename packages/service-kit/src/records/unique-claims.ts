// Uniqueness of a key per tenant (a contact's email, a company's domain, a deal's external id): a claim document
// whose _id is the key decides which record holds it, because inserting a unique _id is atomic on every store.
import type { Collection, Connection } from 'mongoose';
import { insertManyChunked } from './bulk-insert';
import { isDuplicateKey, withStoreRetry } from './store-retry';

export interface UniqueKey {
  /** e.g. "email", "domain", "ext". */
  kind: string;
  value: string;
}

export interface ClaimConflict extends UniqueKey {
  /** The record that holds the key. */
  holderId: string;
}

interface ClaimDoc {
  _id: string;
  tenantId: string;
  kind: string;
  value: string;
  holderId: string;
  claimedAt: Date;
}

export interface UniqueClaimsOptions {
  /** e.g. "contact_keys". */
  collection: string;
  /** Whether a record exists at all (deleted or not): a claim of a record that never appeared is an orphan. */
  holderExists: (tenantId: string, holderId: string) => Promise<boolean>;
  /** A claim whose holder does not exist this long after it was made is the leftover of a crashed create. */
  orphanAfterMs?: number;
}

export class UniqueClaims {
  private readonly collection: Collection<ClaimDoc>;
  private readonly orphanAfterMs: number;

  constructor(
    mongo: Connection,
    private readonly options: UniqueClaimsOptions,
  ) {
    this.collection = mongo.collection<ClaimDoc>(options.collection);
    this.orphanAfterMs = options.orphanAfterMs ?? 60_000;
  }

  static claimId(tenantId: string, key: UniqueKey): string {
    return `${tenantId}:${key.kind}:${key.value}`;
  }

  /** Claims every key for the holder; returns the keys others hold (those stay theirs). */
  async claim(tenantId: string, holderId: string, keys: readonly UniqueKey[]): Promise<ClaimConflict[]> {
    const holders = await Promise.all(keys.map((key) => this.claimOne(tenantId, holderId, key)));
    return keys.flatMap((key, i) => (holders[i] === holderId ? [] : [{ ...key, holderId: holders[i] as string }]));
  }

  /** Claims or throws: keys claimed before a conflict are given back. */
  async claimAllOrNothing(tenantId: string, holderId: string, keys: readonly UniqueKey[]): Promise<ClaimConflict[]> {
    const conflicts = await this.claim(tenantId, holderId, keys);
    if (conflicts.length > 0) {
      const claimed = keys.filter((k) => !conflicts.some((c) => sameKey(c, k)));
      await this.release(tenantId, holderId, claimed);
    }
    return conflicts;
  }

  /** Releases the keys the holder has; keys others hold are left alone. */
  async release(tenantId: string, holderId: string, keys: readonly UniqueKey[]): Promise<void> {
    await Promise.all(
      keys.map((key) =>
        withStoreRetry(() => this.collection.deleteOne({ _id: UniqueClaims.claimId(tenantId, key), holderId })),
      ),
    );
  }

  /** Hands the keys `from` holds to `to` (merge); keys nobody holds are claimed for `to`. */
  async transfer(tenantId: string, from: string, to: string, keys: readonly UniqueKey[]): Promise<void> {
    for (const key of keys) {
      const id = UniqueClaims.claimId(tenantId, key);
      const { matchedCount } = await withStoreRetry(() =>
        this.collection.updateOne({ _id: id, holderId: from }, { $set: { holderId: to, claimedAt: new Date() } }),
      );
      if (matchedCount === 0) await this.claimOne(tenantId, to, key);
    }
  }

  /** Holders of many keys of one kind at once (imports): value -> holder id. */
  async holders(tenantId: string, kind: string, values: readonly string[]): Promise<Map<string, string>> {
    const docs = await Promise.all(
      [...new Set(values)].map((value) =>
        withStoreRetry(() => this.collection.findOne({ _id: UniqueClaims.claimId(tenantId, { kind, value }) })),
      ),
    );
    return new Map(docs.flatMap((d) => (d ? [[d.value, d.holderId] as [string, string]] : [])));
  }

  /**
   * Claims keys of new records in bulk; returns the claim ids that were taken already. Claim ids in
   * `probablyTaken` (keys the caller's read model shows in use) are read rather than inserted, because a duplicate
   * is what a bulk insert does slowest (bulk-insert.ts); a hint is never trusted: a claim that is not there is
   * inserted with the rest.
   */
  async claimMany(
    tenantId: string,
    claims: ReadonlyArray<UniqueKey & { holderId: string }>,
    options: { probablyTaken?: ReadonlySet<string> } = {},
  ): Promise<Set<string>> {
    if (claims.length === 0) return new Set();
    const now = new Date();
    const docs: ClaimDoc[] = claims.map((c) => ({
      _id: UniqueClaims.claimId(tenantId, c),
      tenantId,
      kind: c.kind,
      value: c.value,
      holderId: c.holderId,
      claimedAt: now,
    }));
    const taken = new Set<string>();
    // A claim held already, whoever holds it, is read back: taken unless the holder is the claimant (a retry).
    const readBack = async (read: readonly ClaimDoc[]): Promise<ClaimDoc[]> => {
      const held = await Promise.all(read.map((d) => withStoreRetry(() => this.collection.findOne({ _id: d._id }))));
      read.forEach((d, i) => {
        if (held[i] && held[i].holderId !== d.holderId) taken.add(d._id);
      });
      return read.filter((_, i) => !held[i]);
    };
    const hinted = options.probablyTaken;
    const unheld = new Set((await readBack(docs.filter((d) => hinted?.has(d._id)))).map((d) => d._id));
    const insert = docs.filter((d) => !hinted?.has(d._id) || unheld.has(d._id));
    const clashes = (await insertManyChunked(this.collection, insert)).map((i) => insert[i] as ClaimDoc);
    // One released between the insert and the read is taken all the same: the claimant does not hold it.
    for (const d of await readBack(clashes)) taken.add(d._id);
    return taken;
  }

  private async claimOne(tenantId: string, holderId: string, key: UniqueKey): Promise<string> {
    const id = UniqueClaims.claimId(tenantId, key);
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        await withStoreRetry(() =>
          this.collection.insertOne({
            _id: id,
            tenantId,
            kind: key.kind,
            value: key.value,
            holderId,
            claimedAt: new Date(),
          }),
        );
        return holderId;
      } catch (error) {
        if (!isDuplicateKey(error)) throw error;
      }
      const current = await this.collection.findOne({ _id: id });
      if (!current) continue;
      if (current.holderId === holderId || !(await this.isOrphan(tenantId, current))) return current.holderId;
      await this.collection.deleteOne({ _id: id, holderId: current.holderId });
    }
    throw new Error(`could not claim ${id}`);
  }

  private async isOrphan(tenantId: string, claim: ClaimDoc): Promise<boolean> {
    if (Date.now() - claim.claimedAt.getTime() < this.orphanAfterMs) return false;
    return !(await this.options.holderExists(tenantId, claim.holderId));
  }
}

export function sameKey(a: UniqueKey, b: UniqueKey): boolean {
  return a.kind === b.kind && a.value === b.value;
}
