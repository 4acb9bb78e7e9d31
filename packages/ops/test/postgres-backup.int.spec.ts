// pg_dump and pg_restore of a read-model database shaped like the services' (extensions, a generated tsvector,
// trigram and keyset indexes, rows with accents and NULLs) on the real PostgreSQL: dumped, dropped, restored,
// and found the same, indexes included.
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { uniqueDbName } from '@crm/testkit';
import { backupPostgresDatabase, databaseUrl, listDatabases, pgTool, restorePostgresDatabase } from '../src';

const serverUrl = process.env.POSTGRES_URL ?? 'postgres://crm@127.0.0.1:5433';

function psql(db: string, sql: string): string {
  return execFileSync(
    pgTool('psql'),
    [
      '--no-psqlrc',
      '--tuples-only',
      '--no-align',
      '-v',
      'ON_ERROR_STOP=1',
      '--dbname',
      databaseUrl(serverUrl, db),
      '--command',
      sql,
    ],
    { encoding: 'utf8' },
  );
}

describe('read-model database backup', () => {
  const db = uniqueDbName('pgbackup');
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'crm-pg-backup-'));
    execFileSync(pgTool('createdb'), ['--maintenance-db', databaseUrl(serverUrl, 'postgres'), db]);
    psql(
      db,
      `CREATE EXTENSION pg_trgm; CREATE EXTENSION unaccent;
       CREATE TABLE contact_rows (
         tenant_id text NOT NULL, id text NOT NULL, version int NOT NULL, name text NOT NULL, email text,
         created_at timestamptz NOT NULL, search tsvector GENERATED ALWAYS AS (to_tsvector('simple', name)) STORED,
         PRIMARY KEY (tenant_id, id));
       CREATE INDEX contact_rows_keyset ON contact_rows (tenant_id, created_at DESC, id DESC);
       CREATE INDEX contact_rows_trgm ON contact_rows USING gin (name gin_trgm_ops);
       INSERT INTO contact_rows (tenant_id, id, version, name, email, created_at) VALUES
         ('acme', '01J0A', 1, 'Zoë Çelik', 'zoe@example.test', '2026-01-02T03:04:05Z'),
         ('acme', '01J0B', 3, 'José García', NULL, '2026-01-03T00:00:00Z'),
         ('globex', '01J0C', 2, 'Ada ''the first'' Lovelace', 'ada@example.test', '2026-02-01T12:00:00Z');`,
    );
  });

  afterAll(async () => {
    execFileSync(pgTool('dropdb'), [
      '--if-exists',
      '--force',
      '--maintenance-db',
      databaseUrl(serverUrl, 'postgres'),
      db,
    ]);
    await rm(dir, { recursive: true, force: true });
  });

  it('restores the rows, the generated search column and the indexes', async () => {
    const rows = 'SELECT tenant_id, id, version, name, email, created_at, search FROM contact_rows ORDER BY 1, 2';
    const indexes = "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'contact_rows' ORDER BY 1";
    const before = { rows: psql(db, rows), indexes: psql(db, indexes) };
    expect(before.rows.trim().split('\n')).toHaveLength(3);

    const file = join(dir, `${db}.dump`);
    await backupPostgresDatabase(serverUrl, db, file);
    execFileSync(pgTool('dropdb'), ['--force', '--maintenance-db', databaseUrl(serverUrl, 'postgres'), db]);
    expect(await listDatabases(serverUrl)).not.toContain(db);

    await restorePostgresDatabase(serverUrl, db, file, false);
    expect({ rows: psql(db, rows), indexes: psql(db, indexes) }).toEqual(before);
    expect(
      psql(db, "SELECT name FROM contact_rows WHERE name % 'Jose Garcia' OR unaccent(name) = 'Jose Garcia'").trim(),
    ).toBe('José García');
  });

  it('refuses to restore over an existing database unless told to replace it', async () => {
    const file = join(dir, `${db}.dump`);
    await expect(restorePostgresDatabase(serverUrl, db, file, false)).rejects.toThrow(/already exists/);
    psql(db, "DELETE FROM contact_rows WHERE tenant_id = 'globex'");
    await restorePostgresDatabase(serverUrl, db, file, true);
    expect(psql(db, 'SELECT count(*) FROM contact_rows').trim()).toBe('3');
  });
});
