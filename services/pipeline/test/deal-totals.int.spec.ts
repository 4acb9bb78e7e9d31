// The board's totals table (deal_totals) on a real PostgreSQL: whatever states of deals the projection applies, in
// whatever order and concurrency, it holds exactly the per-group sums of the live deals' newest versions; the
// migration fills it on an existing read model; emptying the deals (a rebuild) empties it.
import fc from 'fast-check';
import { sql } from 'kysely';
import { dropDatabase, openReadModel, type ReadModel } from '@crm/service-kit';
import { infraEnv, uniqueDbName } from '@crm/testkit';
import { DealReadModel } from '../src/store/deal.read-model';
import type { DealRecord } from '../src/store/deal.records';
import { pipelineMigrations, type PipelineReadModel } from '../src/store/read-model.schema';

type Db = ReadModel<PipelineReadModel>;

interface Group {
  tenant_id: string;
  pipeline_id: string;
  stage_id: string;
  owner_id: string;
  team_id: string;
  currency: string;
  deal_count: number;
  amount_minor: number;
}

const TENANTS = ['acme', 'globex'];
const PIPELINES = ['p1', 'p2'];
const STAGES = ['s1', 's2', 's3'];
const OWNERS = ['u1', 'u2', 'u3'];
const TEAMS = ['east', 'west', ''];
const CURRENCIES = ['USD', 'EUR', 'GBP'];

function deal(id: string, version: number, fields: Partial<DealRecord> = {}): DealRecord {
  const at = new Date(Date.UTC(2026, 0, 1, 0, 0, version));
  return {
    _id: id,
    tenantId: 'acme',
    ownerId: 'u1',
    teamId: 'east',
    version,
    createdAt: at,
    updatedAt: at,
    deletedAt: null,
    title: `Deal ${id}`,
    amountMinor: 1_000,
    currency: 'USD',
    pipelineId: 'p1',
    stageId: 's1',
    status: 'open',
    contactId: '',
    companyId: '',
    expectedCloseDate: '',
    nextStep: '',
    customFields: {},
    lostReason: '',
    closedAt: null,
    rank: 'm',
    stageHistory: [],
    forecastDate: '',
    externalId: '',
    ...fields,
  };
}

/** The table, as sorted plain rows. */
async function totals(db: Db): Promise<Group[]> {
  const rows = await db.db
    .selectFrom('deal_totals')
    .selectAll()
    .orderBy('tenant_id')
    .orderBy('pipeline_id')
    .orderBy('stage_id')
    .orderBy('owner_id')
    .orderBy('team_id')
    .orderBy('currency')
    .execute();
  return rows.map((r) => ({ ...r, deal_count: Number(r.deal_count), amount_minor: Number(r.amount_minor) }));
}

/** What the table must hold: the live deals' sums, computed here from the newest states. */
function expectedGroups(newest: Iterable<DealRecord>): Group[] {
  const groups = new Map<string, Group>();
  for (const d of newest) {
    if (d.deletedAt) continue;
    const key = [d.tenantId, d.pipelineId, d.stageId, d.ownerId, d.teamId, d.currency];
    const id = JSON.stringify(key);
    const group = groups.get(id) ?? {
      tenant_id: d.tenantId,
      pipeline_id: d.pipelineId,
      stage_id: d.stageId,
      owner_id: d.ownerId,
      team_id: d.teamId,
      currency: d.currency,
      deal_count: 0,
      amount_minor: 0,
    };
    group.deal_count += 1;
    group.amount_minor += d.amountMinor;
    groups.set(id, group);
  }
  const order = (g: Group) =>
    [g.tenant_id, g.pipeline_id, g.stage_id, g.owner_id, g.team_id, g.currency].join('\u0000');
  return [...groups.values()].sort((a, b) => (order(a) < order(b) ? -1 : order(a) > order(b) ? 1 : 0));
}

/** The same sums by an aggregate over the deals table. */
async function aggregated(db: Db): Promise<Group[]> {
  const { rows } = await sql<Group>`
    select tenant_id, pipeline_id, stage_id, owner_id, team_id, currency,
      count(*)::int as deal_count, sum(amount_minor)::bigint as amount_minor
    from deals where deleted_at is null
    group by tenant_id, pipeline_id, stage_id, owner_id, team_id, currency
    order by tenant_id, pipeline_id, stage_id, owner_id, team_id, currency`.execute(db.db);
  return rows.map((r) => ({ ...r, deal_count: Number(r.deal_count), amount_minor: Number(r.amount_minor) }));
}

describe('deal_totals, the board totals kept beside the deals read model', () => {
  const database = uniqueDbName('ptotals');
  let db: Db;
  let apply: (states: DealRecord[]) => Promise<void>;

  beforeAll(async () => {
    db = await openReadModel<PipelineReadModel>({
      url: infraEnv().postgresUrl,
      database,
      migrations: pipelineMigrations,
    });
    const projection = new DealReadModel(db.db).projection();
    apply = (states) => projection.apply(states);
  });

  afterAll(async () => {
    await db.close();
    await dropDatabase(infraEnv().postgresUrl, database);
  });

  beforeEach(() => sql`truncate table deals`.execute(db.db));

  it('follows a deal through stage moves, an owner and team change, a currency change and a delete', async () => {
    await apply([deal('a', 1), deal('b', 1, { amountMinor: 500 })]);
    expect(await totals(db)).toEqual([
      expect.objectContaining({ stage_id: 's1', owner_id: 'u1', currency: 'USD', deal_count: 2, amount_minor: 1_500 }),
    ]);
    await apply([deal('a', 2, { stageId: 's2' })]);
    await apply([deal('a', 3, { stageId: 's2', ownerId: 'u2', teamId: 'west' })]);
    await apply([deal('b', 2, { amountMinor: 700, currency: 'EUR' })]);
    expect(await totals(db)).toEqual([
      expect.objectContaining({ stage_id: 's1', owner_id: 'u1', currency: 'EUR', deal_count: 1, amount_minor: 700 }),
      expect.objectContaining({ stage_id: 's2', owner_id: 'u2', team_id: 'west', deal_count: 1, amount_minor: 1_000 }),
    ]);
    await apply([deal('a', 4, { stageId: 's2', ownerId: 'u2', teamId: 'west', deletedAt: new Date() })]);
    // A group no deal is left in has no row (so a rebuild and the live table are equal row for row).
    expect(await totals(db)).toEqual([expect.objectContaining({ stage_id: 's1', currency: 'EUR', deal_count: 1 })]);
  });

  it('ignores an older version arriving late, and a version applied twice', async () => {
    await apply([deal('a', 1)]);
    await apply([deal('a', 3, { stageId: 's3', amountMinor: 9 })]);
    await apply([deal('a', 2, { stageId: 's2' })]);
    await apply([deal('a', 3, { stageId: 's3', amountMinor: 9 })]);
    await apply([deal('a', 1), deal('a', 2, { stageId: 's2' })]);
    expect(await totals(db)).toEqual([expect.objectContaining({ stage_id: 's3', deal_count: 1, amount_minor: 9 })]);
  });

  it('keeps what a title-only change or a contact merge re-pointing the deal leaves alone', async () => {
    await apply([deal('a', 1, { contactId: 'c-old' })]);
    const before = await totals(db);
    await apply([deal('a', 2, { contactId: 'c-survivor', title: 'Renamed' })]);
    expect(await totals(db)).toEqual(before);
  });

  it('is emptied with the deals, as a rebuild starts', async () => {
    await apply([deal('a', 1), deal('b', 1, { tenantId: 'globex' })]);
    expect(await totals(db)).toHaveLength(2);
    await sql`truncate table deals`.execute(db.db);
    expect(await totals(db)).toEqual([]);
  });

  it('equals the newest live states whatever order and batches the states come in (property)', async () => {
    const change = fc.record({
      deal: fc.integer({ min: 0, max: 7 }),
      tenant: fc.constantFrom(...TENANTS),
      pipeline: fc.constantFrom(...PIPELINES),
      stage: fc.constantFrom(...STAGES),
      owner: fc.constantFrom(...OWNERS),
      team: fc.constantFrom(...TEAMS),
      currency: fc.constantFrom(...CURRENCIES),
      amount: fc.integer({ min: 0, max: 1_000_000 }),
      deleted: fc.boolean(),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.array(change, { minLength: 1, maxLength: 40 }),
        fc.integer({ min: 1, max: 5 }),
        fc.integer(),
        async (changes, batchSize, seed) => {
          await sql`truncate table deals`.execute(db.db);
          // Version n of a deal is its n-th change; a deal's tenant stays its first one.
          const versions = new Map<number, number>();
          const tenants = new Map<number, string>();
          const states = changes.map((c) => {
            const version = (versions.get(c.deal) ?? 0) + 1;
            versions.set(c.deal, version);
            if (!tenants.has(c.deal)) tenants.set(c.deal, c.tenant);
            return deal(`d${c.deal}`, version, {
              tenantId: tenants.get(c.deal) as string,
              pipelineId: c.pipeline,
              stageId: c.stage,
              ownerId: c.owner,
              teamId: c.team,
              currency: c.currency,
              amountMinor: c.amount,
              deletedAt: c.deleted ? new Date() : null,
            });
          });
          const newest = new Map<string, DealRecord>();
          for (const s of states) newest.set(s._id, s);
          // Shuffled deterministically, then applied in batches, some of them side by side.
          const shuffled = [...states];
          let r = seed >>> 0;
          for (let i = shuffled.length - 1; i > 0; i--) {
            r = (r * 1664525 + 1013904223) >>> 0;
            const j = r % (i + 1);
            [shuffled[i], shuffled[j]] = [shuffled[j] as DealRecord, shuffled[i] as DealRecord];
          }
          const batches: DealRecord[][] = [];
          for (let i = 0; i < shuffled.length; i += batchSize) batches.push(shuffled.slice(i, i + batchSize));
          for (let i = 0; i < batches.length; i += 2) await Promise.all(batches.slice(i, i + 2).map(apply));
          const expected = expectedGroups(newest.values());
          expect(await totals(db)).toEqual(expected);
          expect(await aggregated(db)).toEqual(expected);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('stays exact under many concurrent writers in the same groups', async () => {
    const ids = Array.from({ length: 60 }, (_, i) => `c${i}`);
    await Promise.all(ids.map((id, i) => apply([deal(id, 1, { ownerId: OWNERS[i % 3] as string })])));
    // Every deal moves twice, batches of several deals side by side, in reverse and forward key order.
    const moves = ids.map((id, i) => [
      deal(id, 2, { stageId: 's2', ownerId: OWNERS[i % 3] as string }),
      deal(id, 3, { stageId: 's3', ownerId: OWNERS[(i + 1) % 3] as string, currency: 'EUR' }),
    ]);
    await Promise.all(
      Array.from({ length: 12 }, (_, b) =>
        apply(
          moves
            .slice(b * 5, b * 5 + 5)
            .flat()
            .reverse(),
        ),
      ),
    );
    expect(await totals(db)).toEqual(await aggregated(db));
    expect((await totals(db)).map((g) => [g.stage_id, g.currency, g.deal_count])).toEqual([
      ['s3', 'EUR', 20],
      ['s3', 'EUR', 20],
      ['s3', 'EUR', 20],
    ]);
  });

  it('is filled by its migration from a read model that already holds deals', async () => {
    const older = uniqueDbName('ptotalsold');
    const before = Object.fromEntries(Object.entries(pipelineMigrations).filter(([name]) => name < '003'));
    const existing = await openReadModel<PipelineReadModel>({
      url: infraEnv().postgresUrl,
      database: older,
      migrations: before,
    });
    try {
      const states = [
        deal('a', 1),
        deal('b', 4, { stageId: 's2', amountMinor: 250 }),
        deal('c', 2, { stageId: 's2', amountMinor: 50 }),
        deal('d', 1, { currency: 'EUR' }),
        deal('e', 3, { deletedAt: new Date() }),
      ];
      await new DealReadModel(existing.db).projection().apply(states);
      await existing.close();
      const migrated = await openReadModel<PipelineReadModel>({
        url: infraEnv().postgresUrl,
        database: older,
        migrations: pipelineMigrations,
      });
      try {
        expect(await totals(migrated)).toEqual(expectedGroups(states));
        // And kept from then on.
        await new DealReadModel(migrated.db).projection().apply([deal('a', 2, { stageId: 's2' })]);
        expect(await totals(migrated)).toEqual(await aggregated(migrated));
      } finally {
        await migrated.close();
      }
    } finally {
      await dropDatabase(infraEnv().postgresUrl, older);
    }
  });
});
