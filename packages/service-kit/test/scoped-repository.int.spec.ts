import { Schema, type Connection, type Model } from 'mongoose';
import pino from 'pino';
import { infraEnv, uniqueNamespace } from '@crm/testkit';
import {
  connectBus,
  connectMongo,
  DocumentLocks,
  drainBus,
  ensureStream,
  EventPublisher,
  OutboxRelay,
  outboxFields,
  ScopedRepository,
  streamName,
  toOutboxEntry,
  type Bus,
  type Principal,
  type TenantRecord,
} from '@crm/service-kit';

interface Thing extends TenantRecord {
  name: string;
}

const principal = (
  userId: string,
  roles: Principal['roles'],
  teamIds: string[] = [],
  tenantId = 'acme',
): Principal => ({ tenantId, userId, roles, teamIds, clientId: 'test', scopes: [] });
const admin = principal('admin', ['crm-admin']);
const manager = principal('manager', ['sales-manager'], ['acme-east']);
const rep1 = principal('rep1', ['sales-rep'], ['acme-east']);
const rep3 = principal('rep3', ['sales-rep'], ['acme-west']);
const globexAdmin = principal('gadmin', ['crm-admin'], [], 'globex');

describe('ScopedRepository on the real MongoDB-wire server', () => {
  const env = infraEnv();
  const namespace = uniqueNamespace('repo');
  let mongo: Connection;
  let bus: Bus;
  let repo: ScopedRepository<Thing>;
  let model: Model<Thing>;

  beforeAll(async () => {
    mongo = await connectMongo({ url: env.mongoUrl, dbName: `test_${namespace}` });
    bus = await connectBus({ url: env.natsUrl, name: 'repo-test', namespace });
    await ensureStream(bus, { name: 'THING', subjects: ['crm.thing.>'] });
    const schema = new Schema<Thing>({
      _id: String,
      tenantId: String,
      ownerId: String,
      teamId: String,
      name: String,
      version: Number,
      createdAt: Date,
      updatedAt: Date,
      deletedAt: Date,
      ...outboxFields,
    });
    schema.index({ tenantId: 1, ownerId: 1 });
    model = mongo.model<Thing>('Thing', schema, 'things');
    repo = new ScopedRepository<Thing>(
      model,
      'things',
      'thing',
      new OutboxRelay(new EventPublisher(bus), pino({ level: 'silent' })),
      new DocumentLocks(mongo),
    );
    const events = (id: string, owner: Principal, teamId: string) => (version: number) => [
      toOutboxEntry(
        {
          type: 'thing.created',
          tenantId: owner.tenantId,
          aggregateId: id,
          aggregateVersion: version,
          ownerId: owner.userId,
          teamId,
          payloadType: 'crm.probe.v1.ThingCreated',
          payload: Buffer.from(id),
        },
        owner,
        namespace,
      ),
    ];
    await repo.insert(
      rep1,
      { _id: 'east-1', ownerId: 'rep1', teamId: 'acme-east', name: 'east thing' },
      events('east-1', rep1, 'acme-east'),
    );
    await repo.insert(
      rep3,
      { _id: 'west-1', ownerId: 'rep3', teamId: 'acme-west', name: 'west thing' },
      events('west-1', rep3, 'acme-west'),
    );
    await repo.insert(
      globexAdmin,
      { _id: 'globex-1', ownerId: 'gadmin', teamId: 'globex-sales', name: 'globex thing' },
      events('globex-1', globexAdmin, 'globex-sales'),
    );
  });

  afterAll(async () => {
    await mongo.dropDatabase();
    await mongo.close();
    await drainBus(bus);
  });

  const ids = async (who: Principal) => (await repo.find(who, {}, { sort: { _id: 1 } })).map((t) => t._id);

  it('scopes every read to the tenant and the principal visibility', async () => {
    expect(await ids(admin)).toEqual(['east-1', 'west-1']);
    expect(await ids(manager)).toEqual(['east-1']);
    expect(await ids(rep1)).toEqual(['east-1']);
    expect(await ids(rep3)).toEqual(['west-1']);
    expect(await ids(globexAdmin)).toEqual(['globex-1']);
  });

  it('answers NOT_FOUND for a record the caller may not see', async () => {
    await expect(repo.getById(rep1, 'west-1')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(repo.getById(globexAdmin, 'east-1')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect((await repo.getById(manager, 'east-1')).name).toBe('east thing');
  });

  it('sets the server-owned fields itself and relays the creation event', async () => {
    const stored = await model.findById('east-1').lean();
    expect(stored).toMatchObject({ tenantId: 'acme', version: 1 });
    expect(stored?.outbox).toEqual([]);
    const info = await bus.jsm.streams.info(streamName(bus, 'THING'));
    expect(info.state.messages).toBe(3);
  });

  it('applies a versioned update once and refuses a stale version', async () => {
    const change = (name: string) => ({ update: { $set: { name } }, events: () => [] });
    const updated = await repo.updateVersioned(rep1, 'east-1', 1, change('renamed'));
    expect(updated).toMatchObject({ name: 'renamed', version: 2 });
    await expect(repo.updateVersioned(rep1, 'east-1', 1, change('stale'))).rejects.toMatchObject({
      code: 'FAILED_PRECONDITION',
      reason: 'VERSION_MISMATCH',
    });
    await expect(repo.updateVersioned(rep3, 'east-1', 2, change('not mine'))).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    expect((await repo.getById(admin, 'east-1')).name).toBe('renamed');
  });

  it('lets exactly one of several concurrent updates with the same expected version win', async () => {
    const current = await repo.getById(admin, 'west-1');
    const attempts = await Promise.allSettled(
      ['a', 'b', 'c', 'd'].map((name) =>
        repo.updateVersioned(admin, 'west-1', current.version, { update: { $set: { name } }, events: () => [] }),
      ),
    );
    expect(attempts.filter((a) => a.status === 'fulfilled')).toHaveLength(1);
    expect(
      attempts.filter((a) => a.status === 'rejected').map((a) => (a as PromiseRejectedResult).reason.code),
    ).toEqual(['FAILED_PRECONDITION', 'FAILED_PRECONDITION', 'FAILED_PRECONDITION']);
    const winner = attempts.find((a) => a.status === 'fulfilled') as PromiseFulfilledResult<Thing>;
    expect((await repo.getById(admin, 'west-1')).name).toBe(winner.value.name);
  });

  it('runs a manager scope as one query per branch, giving each record once, in the requested order', async () => {
    const created = (id: string, teamId: string) => (version: number) => [
      toOutboxEntry(
        {
          type: 'thing.created',
          tenantId: 'acme',
          aggregateId: id,
          aggregateVersion: version,
          ownerId: manager.userId,
          teamId,
          payloadType: 'crm.probe.v1.ThingCreated',
          payload: Buffer.from(id),
        },
        manager,
        namespace,
      ),
    ];
    // Owned by the manager and in the manager's team: both branches of the scope match it.
    await repo.insert(
      manager,
      { _id: 'mgr-east', ownerId: 'manager', teamId: 'acme-east', name: 'mine, my team' },
      created('mgr-east', 'acme-east'),
    );
    await repo.insert(
      manager,
      { _id: 'mgr-west', ownerId: 'manager', teamId: 'acme-west', name: 'mine, other team' },
      created('mgr-west', 'acme-west'),
    );
    expect((await repo.find(manager, {}, { sort: { _id: -1 } })).map((t) => t._id)).toEqual([
      'mgr-west',
      'mgr-east',
      'east-1',
    ]);
    expect((await repo.find(manager, {}, { sort: { _id: 1 }, limit: 2 })).map((t) => t._id)).toEqual([
      'east-1',
      'mgr-east',
    ]);
    const scanned: string[] = [];
    for await (const batch of repo.scan(manager, {}, { batchSize: 2 })) {
      expect(batch.length).toBeLessThanOrEqual(2);
      scanned.push(...batch.map((t) => t._id));
    }
    expect(scanned.sort()).toEqual(['east-1', 'mgr-east', 'mgr-west']);
  });
});
