// PostgreSQL for FerretDB's postgresql handler, from the distribution's
// packages. On SQLite FerretDB v1 scans a whole table for every query; on
// PostgreSQL its pushed-down equality filters are answered from indexes (see
// deploy/local/ferretdb/gin_companions.go).
import { createHash } from 'node:crypto';
import { chownSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { dataDir, stateDir } from './paths.mjs';
import { HOST, INFRA_PORTS, SERVICE_NAMES } from '../ports.mjs';
import { InfraError, progress } from './log.mjs';
import { lastLines, run, spawnDetached, waitFor } from './proc.mjs';

const PG_ROOT = '/usr/lib/postgresql';
const SUPERUSER = 'crm';
const FERRETDB_DATABASE = 'ferretdb';

/** Newest installed server's bin dir, or null. */
function serverBinDir() {
  if (!existsSync(PG_ROOT)) return null;
  const versions = readdirSync(PG_ROOT)
    .filter((v) => existsSync(join(PG_ROOT, v, 'bin', 'postgres')))
    .sort((a, b) => Number(b) - Number(a));
  return versions.length ? join(PG_ROOT, versions[0], 'bin') : null;
}

const runningAsRoot = () => process.getuid?.() === 0;

/** postgres refuses to run as root; as root the cluster belongs to the `postgres` system user. */
function clusterOwner() {
  if (!runningAsRoot()) return {};
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('postgres:'));
  if (!line) throw new InfraError('Running as root, but there is no `postgres` user to own the cluster.');
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

/**
 * Where the cluster lives. A root-owned state dir (under /root) is not
 * reachable by the `postgres` user, so as root it goes under /var/lib, one
 * directory per state dir so separate states never share a cluster.
 */
export function postgresDataDir() {
  if (!runningAsRoot()) return dataDir('postgres');
  const key = createHash('sha256').update(stateDir()).digest('hex').slice(0, 12);
  return join('/var/lib/crm-platform', key, 'postgres');
}

async function aptInstall() {
  if (!runningAsRoot()) {
    throw new InfraError(
      'FerretDB runs on PostgreSQL here, and no PostgreSQL server is installed under /usr/lib/postgresql. ' +
        'Install it (`sudo apt-get install postgresql`), or set FERRETDB_HANDLER=sqlite to run FerretDB on SQLite (slow beyond ~10k documents).',
    );
  }
  progress('postgres', 'installing PostgreSQL from the Debian packages (first run only)…');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [['update'], ['install', '-y', '--no-install-recommends', 'postgresql']]) {
    const { code, output } = await run('apt-get', args, { env });
    if (code !== 0) throw new InfraError(`apt-get ${args[0]} failed:\n${lastLines(output)}`);
  }
}

async function asOwner(binary, args) {
  const { code, output } = await run(join(serverBinDir(), binary), args, clusterOwner());
  return { ok: code === 0, output };
}

async function initCluster(dir) {
  mkdirSync(dirname(dir), { recursive: true, mode: 0o755 });
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const owner = clusterOwner();
  if (owner.uid !== undefined) chownSync(dir, owner.uid, owner.gid);
  progress('postgres', `initialising a cluster in ${dir}…`);
  // Trust on loopback only: the server listens on 127.0.0.1 and no socket file is made.
  const { ok, output } = await asOwner('initdb', [
    '-D',
    dir,
    '-U',
    SUPERUSER,
    '--auth=trust',
    '-E',
    'UTF8',
    '--locale=C.UTF-8',
  ]);
  if (!ok) throw new InfraError(`initdb failed:\n${lastLines(output)}`);
}

const connectionArgs = () => ['-h', HOST, '-p', String(INFRA_PORTS.postgres), '-U', SUPERUSER];
const readyArgs = () => [...connectionArgs(), '-d', 'postgres'];

export const postgres = {
  name: 'postgres',
  port: INFRA_PORTS.postgres,
  startTimeoutMs: 30_000,
  // Always ours: the read models' databases are created in it by the services, FerretDB's by `up`.
  external: () => undefined,
  url(database = FERRETDB_DATABASE) {
    return `postgres://${SUPERUSER}@${HOST}:${INFRA_PORTS.postgres}/${database}`;
  },

  async probe() {
    if (!serverBinDir()) return { ok: false, detail: 'not installed' };
    const { ok, output } = await asOwner('pg_isready', readyArgs());
    return { ok, detail: ok ? `PostgreSQL ${serverBinDir().split('/').at(-2)}, accepting connections` : output.trim() };
  },

  async install() {
    if (!serverBinDir()) await aptInstall();
    if (!serverBinDir())
      throw new InfraError('PostgreSQL was installed, but no server was found under /usr/lib/postgresql.');
  },

  async start() {
    const dir = postgresDataDir();
    if (!existsSync(join(dir, 'PG_VERSION'))) await initCluster(dir);
    const settings = {
      listen_addresses: HOST,
      port: String(INFRA_PORTS.postgres),
      unix_socket_directories: '',
      // Every service keeps a pool per read model; tests start many services side by side.
      max_connections: '500',
      shared_buffers: '256MB',
    };
    const args = ['-D', dir, ...Object.entries(settings).flatMap(([key, value]) => ['-c', `${key}=${value}`])];
    return spawnDetached('postgres', join(serverBinDir(), 'postgres'), args, {
      ...clusterOwner(),
      stopSignal: 'SIGINT',
    });
  },

  /** Waits until the server answers, then creates FerretDB's database once. */
  async ensureDatabase(database = FERRETDB_DATABASE) {
    const ready = await waitFor(async () => (await this.probe()).ok, { timeoutMs: this.startTimeoutMs });
    if (!ready) throw new InfraError('PostgreSQL did not accept connections in time (see `pnpm infra logs postgres`).');
    const { ok, output } = await asOwner('createdb', [...connectionArgs(), database]);
    if (!ok && !output.includes('already exists'))
      throw new InfraError(`createdb ${database} failed:\n${lastLines(output)}`);
  },

  /** Every service's read-model database (crm_<service>); a service also creates its own on first start. */
  async prepare() {
    for (const service of SERVICE_NAMES) await this.ensureDatabase(`crm_${service}`);
  },

  removeData() {
    rmSync(postgresDataDir(), { recursive: true, force: true });
  },

  summary() {
    return [
      `PostgreSQL      postgres://${SUPERUSER}@${HOST}:${INFRA_PORTS.postgres}  (read models; FerretDB's backend in database ${FERRETDB_DATABASE})`,
    ];
  },

  env() {
    return { POSTGRES_URL: `postgres://${SUPERUSER}@${HOST}:${INFRA_PORTS.postgres}` };
  },
};
