import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { binDir, dataDir, localDir } from './paths.mjs';
import { HOST, INFRA_PORTS } from '../ports.mjs';
import { goBuildCached } from './go.mjs';
import { progress } from './log.mjs';
import { readPidRecord, spawnDetached, which } from './proc.mjs';
import { ping, runCommand } from './wire.mjs';

export const FERRETDB_VERSION = 'v1.24.0';
const ferretSourceDir = join(localDir, 'ferretdb');

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
    await goBuildCached('FerretDB', ferretSourceDir, ['main.go', 'go.mod', 'go.sum'], 'ferretdb-crm', () =>
      progress('mongo', `building FerretDB ${FERRETDB_VERSION} (SQLite) with Go (first run or source change, ~3 min)…`),
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
    return spawnDetached('mongo', ferret, ['-listen-addr', `${HOST}:${port}`, '-sqlite-dir', dataDir('ferretdb')], {});
  },

  /** What our own pid file says we started, for `status`. */
  runningKind() {
    const record = readPidRecord('mongo');
    if (!record?.cmd) return null;
    return record.cmd.includes('ferretdb') ? 'ferretdb' : 'mongod';
  },

  summary() {
    return [`MongoDB wire    ${this.url()}${this.external() ? ' (external)' : ''}`];
  },

  env() {
    return { MONGODB_URL: this.url() };
  },
};
