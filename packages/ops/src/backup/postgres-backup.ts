import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** pg_dump and friends of the newest PostgreSQL client installed (Debian's postgresql-client-NN). */
export function pgTool(name: 'pg_dump' | 'pg_restore' | 'psql' | 'createdb' | 'dropdb'): string {
  const root = '/usr/lib/postgresql';
  if (existsSync(root)) {
    const versions = readdirSync(root)
      .filter((v) => /^\d+$/.test(v) && existsSync(join(root, v, 'bin', name)))
      .sort((a, b) => Number(b) - Number(a));
    if (versions[0]) return join(root, versions[0], 'bin', name);
  }
  return name;
}

/** The server URL with a database: postgres://user@host:5433 + crm_contact. */
export function databaseUrl(serverUrl: string, db: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${db}`;
  return url.toString();
}

export async function listDatabases(serverUrl: string): Promise<string[]> {
  const { stdout } = await run(pgTool('psql'), [
    '--no-psqlrc',
    '--tuples-only',
    '--no-align',
    '--dbname',
    databaseUrl(serverUrl, 'postgres'),
    '--command',
    'SELECT datname FROM pg_database WHERE NOT datistemplate',
  ]);
  return stdout.split('\n').filter(Boolean);
}

/** pg_dump in the custom format: compressed, restorable table by table, schema and extensions included. */
export async function backupPostgresDatabase(serverUrl: string, db: string, file: string): Promise<void> {
  await run(
    pgTool('pg_dump'),
    ['--format=custom', '--no-owner', '--no-acl', '--file', file, databaseUrl(serverUrl, db)],
    {
      maxBuffer: 16 * 1024 * 1024,
    },
  );
}

/** Creates the database and loads the dump into it; with `replace`, drops an existing one first. */
export async function restorePostgresDatabase(
  serverUrl: string,
  db: string,
  file: string,
  replace: boolean,
): Promise<void> {
  const maintenance = databaseUrl(serverUrl, 'postgres');
  if (replace) await run(pgTool('dropdb'), ['--if-exists', '--force', '--maintenance-db', maintenance, db]);
  await run(pgTool('createdb'), ['--maintenance-db', maintenance, db]);
  await run(
    pgTool('pg_restore'),
    ['--exit-on-error', '--no-owner', '--no-acl', '--dbname', databaseUrl(serverUrl, db), file],
    {
      maxBuffer: 16 * 1024 * 1024,
    },
  );
}
