// The migration Job's command on the real PostgreSQL: creates the database, applies the migrations once, and
// refuses a bad configuration naming the variable.
import { sql, type Migration } from 'kysely';
import { infraEnv, uniqueDbName } from '@crm/testkit';
import { ConfigError, dropDatabase, migrateReadModel, openReadModel } from '@crm/service-kit';

describe('migrateReadModel (node dist/migrate.js)', () => {
  const env = infraEnv();
  const database = uniqueDbName('migrate');
  let applied = 0;
  const migrations: Record<string, Migration> = {
    '001_things': {
      up: async (db) => {
        applied += 1;
        await sql`create table things (id text primary key)`.execute(db);
      },
    },
  };

  afterAll(async () => {
    await dropDatabase(env.postgresUrl, database);
  });

  it('creates the database and applies the migrations once, however often it runs', async () => {
    const runEnv = { POSTGRES_URL: env.postgresUrl, POSTGRES_DB: database, LOG_LEVEL: 'silent' };
    await expect(migrateReadModel('things', migrations, runEnv)).resolves.toBe(database);
    await expect(migrateReadModel('things', migrations, runEnv)).resolves.toBe(database);
    expect(applied).toBe(1);
    const rm = await openReadModel({ url: env.postgresUrl, database, migrations });
    try {
      const { rows } = await sql<{ n: number }>`select count(*)::int as n from things`.execute(rm.db);
      expect(rows[0]?.n).toBe(0);
    } finally {
      await rm.close();
    }
  });

  it('names the variable that is missing or wrong', async () => {
    await expect(migrateReadModel('things', migrations, { POSTGRES_DB: database })).rejects.toThrow(
      new ConfigError(['POSTGRES_URL: required']),
    );
    await expect(
      migrateReadModel('things', migrations, { POSTGRES_URL: 'mysql://x', POSTGRES_DB: database }),
    ).rejects.toThrow(/POSTGRES_URL: must be a postgres:\/\/ URL/);
  });
});
