// A service's PostgreSQL read model: its own database, created on first use, its schema migrated in code at start.
import { Kysely, Migrator, PostgresDialect, sql, type Migration } from 'kysely';
import pg from 'pg';
import type { Logger } from 'pino';

// int8 (count(*), sums of minor units) as numbers: every value we store fits in 2^53.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));
pg.types.setTypeParser(pg.types.builtins.NUMERIC, (value) => Number(value));

export interface ReadModelOptions {
  /** Server URL, e.g. postgres://crm@127.0.0.1:5433; a database in it is ignored. */
  url: string;
  database: string;
  /** Named migrations, applied in name order; a name once applied never changes. */
  migrations: Record<string, Migration>;
  log?: Logger;
  poolSize?: number;
}

export interface ReadModel<DB> {
  db: Kysely<DB>;
  database: string;
  ping(): Promise<void>;
  close(): Promise<void>;
}

export async function openReadModel<DB>(options: ReadModelOptions): Promise<ReadModel<DB>> {
  await ensureDatabase(options.url, options.database);
  const pool = new pg.Pool({
    connectionString: databaseUrl(options.url, options.database),
    max: options.poolSize ?? 10,
  });
  // A client losing its connection (server restart) must not crash the process. The pool handles this for idle
  // clients only; one checked out (inside a transaction, between its queries) emits on itself, and the query in
  // flight fails on its own. The pool then drops the broken client.
  pool.on('error', (error) => options.log?.warn({ err: error }, 'read-model connection lost'));
  pool.on('connect', (client) =>
    client.on('error', (error) => options.log?.warn({ err: error }, 'read-model connection lost while in use')),
  );
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
  try {
    await migrate(db, options.migrations, options.log);
  } catch (error) {
    await db.destroy();
    throw error;
  }
  return {
    db,
    database: options.database,
    async ping() {
      await sql`select 1`.execute(db);
    },
    close: () => db.destroy(),
  };
}

export function databaseUrl(serverUrl: string, database: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

/** Creates the database when it does not exist; concurrent starters race harmlessly. */
export async function ensureDatabase(serverUrl: string, database: string): Promise<void> {
  assertDatabaseName(database);
  await withMaintenanceClient(serverUrl, async (client) => {
    const found = await client.query('select 1 from pg_database where datname = $1', [database]);
    if (found.rowCount) return;
    try {
      await client.query(`create database "${database}"`);
    } catch (error) {
      // 42P04 duplicate_database; 23505 when two creates race on the catalog.
      if (!['42P04', '23505'].includes((error as { code?: string }).code ?? '')) throw error;
    }
  });
}

/** For tests and resets: drops the database, closing other sessions on it first. */
export async function dropDatabase(serverUrl: string, database: string): Promise<void> {
  assertDatabaseName(database);
  await withMaintenanceClient(serverUrl, (client) =>
    client.query(`drop database if exists "${database}" with (force)`),
  );
}

async function withMaintenanceClient<T>(serverUrl: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: databaseUrl(serverUrl, 'postgres') });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

function assertDatabaseName(database: string): void {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(database)) throw new Error(`invalid read-model database name "${database}"`);
}

async function migrate<DB>(db: Kysely<DB>, migrations: Record<string, Migration>, log?: Logger): Promise<void> {
  // The kit's migrations (e.g. timers) and the service's are separate sequences: a kit migration added later may
  // sort before service migrations that ran already.
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => migrations },
    allowUnorderedMigrations: true,
  });
  const { error, results } = await migrator.migrateToLatest();
  for (const result of results ?? []) {
    if (result.status === 'Success') log?.info({ migration: result.migrationName }, 'read-model migration applied');
    if (result.status === 'Error') log?.error({ migration: result.migrationName }, 'read-model migration failed');
  }
  if (error) throw error instanceof Error ? error : new Error(String(error));
}
