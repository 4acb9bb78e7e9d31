import type { Connection } from 'mongoose';
import { infraEnv, uniqueNamespace } from '@crm/testkit';
import { BULK_CHUNK, connectMongo, insertManyChunked, UniqueClaims } from '@crm/service-kit';

describe('bulk inserts and bulk claims on the real store', () => {
  const env = infraEnv();
  const dbName = `test_${uniqueNamespace('claims')}`;
  let mongo: Connection;
  let claims: UniqueClaims;
  const claimId = (value: string) => UniqueClaims.claimId('acme', { kind: 'email', value });
  const holderOf = async (value: string) =>
    (await mongo.collection('contact_keys').findOne({ _id: claimId(value) as never }))?.holderId as string | undefined;

  beforeAll(async () => {
    mongo = await connectMongo({ url: env.mongoUrl, dbName });
    claims = new UniqueClaims(mongo, { collection: 'contact_keys', holderExists: async () => true });
  });

  afterAll(async () => {
    await mongo.dropDatabase();
    await mongo.close();
  });

  it('inserts every free document across chunks and names the taken ones by their index', async () => {
    const things = mongo.collection<{ _id: string; n: number }>('things');
    await things.insertMany([
      { _id: 't-5', n: -1 },
      { _id: 't-150', n: -1 },
    ]);
    const docs = Array.from({ length: 2 * BULK_CHUNK + 30 }, (_, n) => ({ _id: `t-${n}`, n }));
    docs.push({ _id: 't-7', n: 999 }); // the same _id twice in one call
    const taken = await insertManyChunked(things, docs);
    // Chunks go in side by side, so either copy of t-7 may be the one stored; the other is named as taken.
    const lostCopy = taken.find((i) => i === 7 || i === docs.length - 1);
    expect(taken).toEqual([5, 150, lostCopy].sort((a, b) => (a ?? 0) - (b ?? 0)));
    expect(await things.countDocuments({})).toBe(2 * BULK_CHUNK + 30);
    expect((await things.findOne({ _id: 't-5' }))?.n).toBe(-1);
    expect((await things.findOne({ _id: 't-7' }))?.n).toBe(lostCopy === 7 ? 999 : 7);
  });

  it('reads hinted claims instead of inserting them, and never trusts a hint', async () => {
    await claims.claimMany('acme', [
      { kind: 'email', value: 'held@claims.example', holderId: 'other' },
      { kind: 'email', value: 'mine@claims.example', holderId: 'me-1' },
      { kind: 'email', value: 'unhinted@claims.example', holderId: 'other' },
    ]);
    const wanted = [
      { kind: 'email', value: 'held@claims.example', holderId: 'me-0' }, // hinted, someone else's: taken
      { kind: 'email', value: 'mine@claims.example', holderId: 'me-1' }, // hinted, the claimant's own (a retry)
      { kind: 'email', value: 'stale@claims.example', holderId: 'me-2' }, // hinted, nobody's: claimed
      { kind: 'email', value: 'unhinted@claims.example', holderId: 'me-3' }, // not hinted, someone else's: taken
      ...Array.from({ length: BULK_CHUNK + 10 }, (_, i) => ({
        kind: 'email',
        value: `free${i}@claims.example`,
        holderId: `me-free-${i}`,
      })),
    ];
    const hints = new Set(['held', 'mine', 'stale'].map((v) => claimId(`${v}@claims.example`)));
    const taken = await claims.claimMany('acme', wanted, { probablyTaken: hints });
    expect([...taken].sort()).toEqual([claimId('held@claims.example'), claimId('unhinted@claims.example')]);
    expect(await holderOf('held@claims.example')).toBe('other');
    expect(await holderOf('mine@claims.example')).toBe('me-1');
    expect(await holderOf('stale@claims.example')).toBe('me-2');
    expect(await holderOf('unhinted@claims.example')).toBe('other');
    expect(await holderOf(`free${BULK_CHUNK + 9}@claims.example`)).toBe(`me-free-${BULK_CHUNK + 9}`);
  });
});
