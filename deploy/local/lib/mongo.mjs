import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { binDir, dataDir, localDir } from './paths.mjs';
import { HOST, INFRA_PORTS } from '../ports.mjs';
import { goBuildCached } from './go.mjs';
import { progress } from './log.mjs';
import { readPidRecord, spawnDetached, which } from './proc.mjs';
import { ping, runCommand } from './wire.mjs';
import { postgres } from './postgres.mjs';

export const FERRETDB_VERSION = 'v1.24.0';
const ferretSourceDir = join(localDir, 'ferretdb');

const ferretSources = () =>
  readdirSync(ferretSourceDir)
    .filter((f) => f.endsWith('.go') || f === 'go.mod' || f === 'go.sum')
    .sort();

/** First host of a mongodb:// URL (credentials, options and replica lists ignored). */
function hostPortOf(mongoUrl) {
  const rest = mongoUrl.replace(/^mongodb(\+srv)?:\/\//, '');
  const hostList = rest.split('/')[0].split('@').pop();
  const [host, port] = hostList.split(',')[0].split(':');
  return { host: host.replace(/^\[|\]$/g, ''), port: Number(port || 27017) };
}

/** Which server we run when nothing external is configured: a system mongod wins over FerretDB. */
export function localMongoKind() {
  return which('mongod') ? 'mongod' : 'ferretdb';
}

/** FerretDB's backend: PostgreSQL unless FERRETDB_HANDLER=sqlite (which scans whole tables, fine for small data). */
export function ferretHandler() {
  const handler = process.env.FERRETDB_HANDLER || 'postgresql';
  if (handler !== 'postgresql' && handler !== 'sqlite') {
    throw new Error(`FERRETDB_HANDLER must be postgresql or sqlite, not "${handler}".`);
  }
  return handler;
}

async function describeServer(host, port) {
  const info = await runCommand(host, port, { buildInfo: 1, $db: 'admin' });
  if (!info) return 'MongoDB-wire server';
  const ferret = Object.keys(info).some((key) => key.toLowerCase().startsWith('ferretdb'));
  return `${ferret ? 'FerretDB' : 'MongoDB'} wire, reports version ${info.version ?? '?'}`;
}

export const mongo = {
  name: 'mongo',
  port: INFRA_PORTS.mongo,
  startTimeoutMs: 30_000,
  external: () => process.env.MONGODB_URL || undefined,
  url() {
    return this.external() ?? `mongodb://${HOST}:${INFRA_PORTS.mongo}`;
  },

  async probe() {
    const url = this.url();
    if (url.startsWith('mongodb+srv://')) return { ok: true, detail: 'mongodb+srv URL, not probed' };
    const { host, port } = hostPortOf(url);
    if (!(await ping(host, port))) return { ok: false, detail: 'no reply to ping' };
    return { ok: true, detail: await describeServer(host, port) };
  },

  async install() {
    if (localMongoKind() === 'mongod') return;
    await goBuildCached('FerretDB', ferretSourceDir, ferretSources(), 'ferretdb-crm', () =>
      progress('mongo', `building FerretDB ${FERRETDB_VERSION} with Go (first run or source change, ~3 min)…`),
    );
  },

  async start() {
    const port = String(INFRA_PORTS.mongo);
    if (localMongoKind() === 'mongod') {
      const dbpath = dataDir('mongod');
      mkdirSync(dbpath, { recursive: true });
      return spawnDetached('mongo', which('mongod'), ['--dbpath', dbpath, '--bind_ip', HOST, '--port', port], {});
    }
    const ferret = join(binDir(), 'ferretdb-crm');
    const args = ['-listen-addr', `${HOST}:${port}`];
    if (ferretHandler() === 'postgresql') {
      await postgres.ensureDatabase();
      // FerretDB v1 holds its metadata lock while it waits for a pooled connection; a pool smaller than the
      // clients' demand (cursors hold connections) deadlocks it, so the pool is large.
      args.push('-postgresql-url', `${postgres.url()}?pool_max_conns=200`);
    } else {
      args.push('-sqlite-dir', dataDir('ferretdb'));
    }
    return spawnDetached('mongo', ferret, args, {});
  },

  /** What our own pid file says we started, for `status`. */
  runningKind() {
    const record = readPidRecord('mongo');
    if (!record?.cmd) return null;
    return record.cmd.includes('ferretdb') ? 'ferretdb' : 'mongod';
  },

  summary() {
    const via = this.external()
      ? ' (external)'
      : localMongoKind() === 'ferretdb'
        ? ` (FerretDB on ${ferretHandler()})`
        : '';
    return [`MongoDB wire    ${this.url()}${via}`];
  },

  env() {
    return { MONGODB_URL: this.url() };
  },
};
