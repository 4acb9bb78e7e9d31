// A private set of servers for the fault suite: its own NATS (JetStream on file storage, fsync on every write), its
// own PostgreSQL cluster and its own FerretDB on it, each on free ports with state directories of its own, as
// child processes the suite may kill -9, stop and start again. The shared servers (4222, 5433, 27017) are never
// touched; Keycloak is shared (the suite never faults it).
import { spawn, spawnSync } from 'node:child_process';
import {
  chownSync,
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { binDir } from '../../deploy/local/lib/paths.mjs';
import { ping } from '../../deploy/local/lib/wire.mjs';
import { HOST } from '../../deploy/local/ports.mjs';
import { freePort } from './private-stack.mjs';

const PG_ROOT = '/usr/lib/postgresql';

function pgBin(name) {
  const version = readdirSync(PG_ROOT)
    .filter((v) => existsSync(join(PG_ROOT, v, 'bin', 'postgres')))
    .sort((a, b) => Number(b) - Number(a))[0];
  if (!version) throw new Error('no PostgreSQL server under /usr/lib/postgresql (run `pnpm infra up` once)');
  return join(PG_ROOT, version, 'bin', name);
}

/** postgres refuses to run as root: as root the cluster belongs to the postgres user. */
function pgOwner() {
  if (process.getuid?.() !== 0) return {};
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('postgres:'));
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

/** One server process that can be killed, paused and started again with the same arguments and data. */
class ServerProcess {
  constructor(name, command, args, { logFile, ready, spawnOptions = {} }) {
    Object.assign(this, { name, command, args, logFile, readyCheck: ready, spawnOptions });
    this.child = undefined;
  }

  get pid() {
    return this.child?.pid;
  }

  get running() {
    return Boolean(this.child && this.child.exitCode === null && this.child.signalCode === null);
  }

  start() {
    const fd = openSync(this.logFile, 'a');
    try {
      this.child = spawn(this.command, this.args, { stdio: ['ignore', fd, fd], ...this.spawnOptions });
    } finally {
      closeSync(fd);
    }
  }

  async ready(timeoutMs = 120_000) {
    const until = Date.now() + timeoutMs;
    while (Date.now() < until) {
      if (!this.running) throw new Error(`${this.name} exited while starting (see ${this.logFile})`);
      if (await this.readyCheck().catch(() => false)) return;
      await sleep(200);
    }
    throw new Error(`${this.name} not ready within ${timeoutMs / 1000} s (see ${this.logFile})`);
  }

  signal(name) {
    if (this.running) this.child.kill(name);
  }

  async waitExit(timeoutMs = 30_000) {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    await Promise.race([new Promise((resolve) => child.once('exit', resolve)), sleep(timeoutMs)]);
  }

  async stop() {
    if (!this.running) return;
    this.signal('SIGCONT');
    this.signal(this.name === 'postgres' ? 'SIGINT' : 'SIGTERM');
    await this.waitExit(20_000);
    if (this.running) {
      this.signal('SIGKILL');
      await this.waitExit(10_000);
    }
  }
}

/**
 * Starts NATS, PostgreSQL and FerretDB under `dir`. Returns the servers and the environment the platform reads.
 */
export async function startPrivateInfra(dir, say = () => {}) {
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  const ports = {
    nats: await freePort(),
    natsMonitor: await freePort(),
    postgres: await freePort(),
    mongo: await freePort(),
  };

  // NATS: file storage, and fsync after every write (Jepsen 2025: the default flush every 2 minutes loses
  // acknowledged writes when a machine loses power).
  const natsDir = join(dir, 'nats');
  mkdirSync(natsDir, { recursive: true });
  const natsConf = join(dir, 'nats.conf');
  writeFileSync(
    natsConf,
    [
      `listen: "${HOST}:${ports.nats}"`,
      `http: "${HOST}:${ports.natsMonitor}"`,
      'server_name: "faults"',
      `jetstream { store_dir: "${natsDir}", sync_interval: always }`,
      '',
    ].join('\n'),
  );
  const nats = new ServerProcess('nats', join(binDir(), 'nats-server'), ['-c', natsConf], {
    logFile: join(dir, 'nats.log'),
    ready: async () =>
      (
        await fetch(`http://${HOST}:${ports.natsMonitor}/healthz?js-enabled-only=true`, {
          signal: AbortSignal.timeout(1000),
        })
      ).ok,
  });

  // PostgreSQL: a cluster of its own (fsync on, as in production).
  const pgData = join(dir, 'postgres');
  const owner = pgOwner();
  if (!existsSync(join(pgData, 'PG_VERSION'))) {
    mkdirSync(pgData, { recursive: true, mode: 0o700 });
    if (owner.uid !== undefined) chownSync(pgData, owner.uid, owner.gid);
    if (owner.uid !== undefined) chownSync(dir, owner.uid, owner.gid);
    const init = spawnSync(
      pgBin('initdb'),
      ['-D', pgData, '-U', 'crm', '--auth=trust', '-E', 'UTF8', '--locale=C.UTF-8'],
      {
        ...owner,
        encoding: 'utf8',
      },
    );
    if (init.status !== 0) throw new Error(`initdb failed: ${init.stderr}`);
  }
  const pgSettings = {
    listen_addresses: HOST,
    port: String(ports.postgres),
    unix_socket_directories: '',
    max_connections: '300',
    shared_buffers: '64MB',
  };
  const postgres = new ServerProcess(
    'postgres',
    pgBin('postgres'),
    ['-D', pgData, ...Object.entries(pgSettings).flatMap(([k, v]) => ['-c', `${k}=${v}`])],
    {
      logFile: join(dir, 'postgres.log'),
      spawnOptions: owner,
      ready: async () =>
        spawnSync(pgBin('pg_isready'), ['-h', HOST, '-p', String(ports.postgres), '-U', 'crm', '-d', 'postgres'], owner)
          .status === 0,
    },
  );

  const pgUrl = `postgres://crm@${HOST}:${ports.postgres}`;
  const mongo = new ServerProcess(
    'mongo',
    join(binDir(), 'ferretdb-crm'),
    ['-listen-addr', `${HOST}:${ports.mongo}`, '-postgresql-url', `${pgUrl}/ferretdb?pool_max_conns=100`],
    { logFile: join(dir, 'ferretdb.log'), ready: () => ping(HOST, ports.mongo) },
  );

  nats.start();
  postgres.start();
  await Promise.all([nats.ready(), postgres.ready()]);
  const created = spawnSync(pgBin('createdb'), ['-h', HOST, '-p', String(ports.postgres), '-U', 'crm', 'ferretdb'], {
    ...owner,
    encoding: 'utf8',
  });
  if (created.status !== 0 && !created.stderr.includes('already exists'))
    throw new Error(`createdb: ${created.stderr}`);
  mongo.start();
  await mongo.ready();
  say(`private NATS :${ports.nats}, PostgreSQL :${ports.postgres}, FerretDB :${ports.mongo} in ${dir}`);
  return {
    servers: { nats, postgres, mongo },
    env: {
      NATS_URL: `nats://${HOST}:${ports.nats}`,
      POSTGRES_URL: pgUrl,
      MONGODB_URL: `mongodb://${HOST}:${ports.mongo}`,
    },
    natsMonitor: `http://${HOST}:${ports.natsMonitor}`,
    async stop() {
      await mongo.stop();
      await Promise.all([nats.stop(), postgres.stop()]);
    },
  };
}
