import fc from 'fast-check';
import { sql } from 'kysely';
import { infraEnv, uniqueDbName } from '@crm/testkit';
import {
  afterCursor,
  dropDatabase,
  encodeCursor,
  decodeCursor,
  openReadModel,
  orderBy,
  scopeAllows,
  scopeOf,
  scopeSql,
  type Principal,
  type ReadModel,
  type SortKey,
} from '@crm/service-kit';

interface Db {
  owned: { id: string; tenant_id: string; owner_id: string; team_id: string; rank: number; at: Date };
}

const TENANTS = ['acme', 'globex'];
const USERS = ['u1', 'u2', 'u3', 'u4'];
const TEAMS = ['', 't1', 't2', 't3'];
const ROLES: Array<Principal['roles']> = [
  ['crm-admin'],
  ['sales-manager'],
  ['support-manager'],
  ['sales-rep'],
  ['support-agent'],
  ['integration'],
  [],
];

describe('read-model helpers on the real PostgreSQL', () => {
  const env = infraEnv();
  const database = uniqueDbName('scope');
  let rm: ReadModel<Db>;
  const rows: Db['owned'][] = [];

  beforeAll(async () => {
    rm = await openReadModel<Db>({
      url: env.postgresUrl,
      database,
      migrations: {
        '001': {
          up: async (db) => {
            await sql`create table owned (id text primary key, tenant_id text, owner_id text, team_id text, rank int, at timestamptz)`.execute(
              db,
            );
          },
        },
      },
    });
    let i = 0;
    for (const tenant_id of TENANTS)
      for (const owner_id of USERS)
        for (const team_id of TEAMS)
          for (let k = 0; k < 3; k++) {
            i++;
            rows.push({
              id: `r${String(i).padStart(4, '0')}`,
              tenant_id,
              owner_id,
              team_id,
              rank: i % 7,
              at: new Date(Date.UTC(2026, 0, 1, 0, 0, i % 5)),
            });
          }
    await rm.db.insertInto('owned').values(rows).execute();
  });

  afterAll(async () => {
    await rm.close();
    await dropDatabase(env.postgresUrl, database);
  });

  it('selects in SQL exactly the rows the in-memory rule allows, for any principal (property)', async () => {
    const principal = fc.record({
      tenantId: fc.constantFrom(...TENANTS, ''),
      userId: fc.constantFrom(...USERS),
      roles: fc.constantFrom(...ROLES),
      teamIds: fc.subarray(TEAMS.filter(Boolean)),
      clientId: fc.constant('test'),
      scopes: fc.subarray(['owned:read', 'owned:write', 'other:read']),
    });
    await fc.assert(
      fc.asyncProperty(principal, fc.boolean(), fc.constantFrom('read', 'write'), async (p, teamMembersSee, access) => {
        const scope = scopeOf(p as Principal, { resource: 'owned', teamMembersSee }, access as 'read' | 'write');
        const fromSql = await rm.db.selectFrom('owned').select('id').where(scopeSql(scope)).orderBy('id').execute();
        const expected = rows.filter((r) =>
          scopeAllows(scope, { tenantId: r.tenant_id, ownerId: r.owner_id, teamId: r.team_id }),
        );
        expect(fromSql.map((r) => r.id)).toEqual(expected.map((r) => r.id).sort());
      }),
      { numRuns: 150 },
    );
  });

  it('pages through every row exactly once with keyset cursors, in mixed sort directions', async () => {
    const keys: SortKey[] = [
      { column: 'rank', direction: 'desc', type: 'number' },
      { column: 'at', direction: 'asc', type: 'timestamp' },
      { column: 'id', direction: 'asc' },
    ];
    const seen: string[] = [];
    let cursor = '';
    for (let page = 0; page < 100; page++) {
      let query = rm.db.selectFrom('owned').selectAll().orderBy(orderBy(keys)).limit(7);
      if (cursor) query = query.where(afterCursor(keys, decodeCursor(cursor, keys.length)));
      const got = await query.execute();
      seen.push(...got.map((r) => r.id));
      if (got.length < 7) break;
      const last = got[got.length - 1] as Db['owned'];
      cursor = encodeCursor([last.rank, last.at.toISOString(), last.id]);
    }
    const expected = [...rows].sort(
      (a, b) => b.rank - a.rank || a.at.getTime() - b.at.getTime() || a.id.localeCompare(b.id),
    );
    expect(seen).toEqual(expected.map((r) => r.id));
  });

  it('refuses a cursor it did not make, naming the field', () => {
    expect(() => decodeCursor('garbage', 2)).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT', violations: [expect.objectContaining({ field: 'cursor' })] }),
    );
    expect(() => decodeCursor(encodeCursor(['a']), 2)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });

  it('survives the server ending its connections while a client is checked out, and serves again', async () => {
    const uncaught: unknown[] = [];
    const onUncaught = (error: unknown) => void uncaught.push(error);
    process.on('uncaughtException', onUncaught);
    try {
      const inFlight = rm.db.transaction().execute(async (trx) => {
        await sql`select 1`.execute(trx);
        // Between two queries of a transaction, the client has no pool listener: the server goes away here.
        await sql`select pg_terminate_backend(pid) from pg_stat_activity
          where datname = ${database} and pid <> pg_backend_pid()`.execute(rm.db);
        await new Promise((resolve) => setTimeout(resolve, 200));
        await sql`select 1`.execute(trx);
      });
      await expect(inFlight).rejects.toThrow();
      const { rows: after } = await sql<{ n: number }>`select count(*)::int as n from owned`.execute(rm.db);
      expect(after[0]?.n).toBe(rows.length);
      expect(uncaught).toEqual([]);
    } finally {
      process.off('uncaughtException', onUncaught);
    }
  });
});
