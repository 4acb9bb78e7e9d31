// Backs up a running platform (contact, pipeline and the gateway in-process, on the real servers, with data made
// through the API), wipes every store it used, restores the backup, and finds every record, event, stream message,
// consumer position and read-model row as it was; then starts the services again on the restored stores and reads
// the records back through the API.
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { isDeepStrictEqual } from 'node:util';
import { join } from 'node:path';
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { BSON, MongoClient } from 'mongodb';
import { eventually, infraEnv, userToken } from '@crm/testkit';
import { startContactService } from '../../../services/contact/src/contact-service';
import { startPipelineService } from '../../../services/pipeline/src/pipeline-service';
import { GatewayStack } from '../../../gateway/test/support/gateway-stack';
import {
  backupPlatform,
  databaseUrl,
  listDatabases,
  pgTool,
  restorePlatform,
  streamInNamespace,
  type BackupPlan,
} from '../src';

interface PlatformState {
  mongo: Record<string, Record<string, string[]>>;
  postgres: Record<string, string>;
  /** Per stream: its messages, and per durable consumer the messages it has still to process. */
  streams: Record<string, { messages: string[]; consumers: Record<string, number> }>;
}

const infra = infraEnv();
// The local read-model server (pnpm infra up); POSTGRES_URL when it is elsewhere.
const postgresUrl = process.env.POSTGRES_URL ?? 'postgres://crm@127.0.0.1:5433';
const noExit = { exit: () => undefined };

/** Every document, stream message and consumer floor of the plan's stores, in a comparable form. */
async function readState(plan: BackupPlan, mongo: MongoClient, jsm: JetStreamManager): Promise<PlatformState> {
  const state: PlatformState = { mongo: {}, postgres: {}, streams: {} };
  for (const db of plan.mongoDatabases) {
    state.mongo[db] = {};
    for (const { name } of await mongo.db(db).listCollections({}, { nameOnly: true }).toArray()) {
      const docs = await mongo.db(db).collection(name).find({}).toArray();
      state.mongo[db][name] = docs.map((d) => BSON.EJSON.stringify(d, { relaxed: false })).sort();
    }
  }
  // A wiped database is absent from the state, as a dropped MongoDB database is.
  const existing = new Set(await listDatabases(plan.postgresUrl));
  for (const db of plan.postgresDatabases.filter((name) => existing.has(name))) state.postgres[db] = dumpRows(db);
  for await (const info of jsm.streams.list()) {
    const name = info.config.name;
    if (!streamInNamespace(name, plan.natsNamespace)) continue;
    const messages: string[] = [];
    for (let seq = info.state.first_seq; info.state.messages > 0 && seq <= info.state.last_seq; seq += 1) {
      const m = await jsm.streams.getMessage(name, { seq });
      if (!m) continue;
      // A publish precondition (Nats-Expected-*) is not part of the message's data and is not republished.
      const headers = m.header
        ? [...m.header]
            .filter(([k]) => !k.startsWith('Nats-Expected-'))
            .map(([k, v]) => `${k}=${v.join(',')}`)
            .join(';')
        : '';
      messages.push(`${m.seq} ${m.subject} ${headers} ${Buffer.from(m.data).toString('base64')}`);
    }
    const consumers: Record<string, number> = {};
    // Durable consumers only (a backup's ordered reader comes and goes); a position is what is left to process.
    for await (const c of jsm.consumers.list(name)) {
      if (c.config.durable_name) consumers[c.name] = c.num_pending + c.num_ack_pending;
    }
    state.streams[name] = { messages, consumers };
  }
  return state;
}

/** Names of the databases, collections and streams that differ between two states. */
function changedParts(a: PlatformState, b: PlatformState): string[] {
  const parts: string[] = [];
  for (const kind of ['mongo', 'postgres', 'streams'] as const) {
    const keys = new Set([...Object.keys(a[kind]), ...Object.keys(b[kind])]);
    for (const key of keys) {
      const [x, y] = [a[kind][key], b[kind][key]] as [unknown, unknown];
      if (kind === 'mongo' && x && y) {
        for (const c of new Set([...Object.keys(x), ...Object.keys(y)])) {
          const [cx, cy] = [(x as Record<string, unknown>)[c], (y as Record<string, unknown>)[c]];
          if (!isDeepStrictEqual(cx, cy)) parts.push(`${key}.${c}`);
        }
      } else if (!isDeepStrictEqual(x, y)) parts.push(`${kind}:${key}`);
    }
  }
  return parts;
}

/** Every row of every table of a read-model database, as psql prints them in primary-key order. */
function dumpRows(db: string): string {
  const psql = (sql: string): string =>
    execFileSync(
      pgTool('psql'),
      ['--no-psqlrc', '--tuples-only', '--no-align', '--dbname', databaseUrl(postgresUrl, db), '--command', sql],
      {
        encoding: 'utf8',
      },
    );
  const tables = psql("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")
    .split('\n')
    .filter(Boolean);
  return tables.map((t) => `${t}:\n${psql(`SELECT * FROM "${t}" ORDER BY 1`)}`).join('\n');
}

describe('platform backup and restore', () => {
  const stack = new GatewayStack();
  let mongo: MongoClient;
  let nc: NatsConnection;
  let jsm: JetStreamManager;
  let dir: string;
  let plan: BackupPlan;

  beforeAll(async () => {
    await stack.start({ pipeline: true });
    mongo = await MongoClient.connect(infra.mongoUrl);
    nc = await connect({ servers: infra.natsUrl });
    jsm = await jetstreamManager(nc);
    dir = await mkdtemp(join(tmpdir(), 'crm-backup-'));
    const services = [stack.contact.deps.config, stack.pipeline!.deps.config] as Array<Record<string, unknown>>;
    // Only this test's own databases (test_…) may be wiped: never a shared crm_<service>.
    const own = (name: unknown): name is string => typeof name === 'string' && name.startsWith('test_');
    const pgExisting = new Set(await listDatabases(postgresUrl));
    plan = {
      mongoUrl: infra.mongoUrl,
      mongoDatabases: services.map((c) => c.MONGODB_DB).filter(own),
      postgresUrl: postgresUrl,
      postgresDatabases: services
        .map((c) => c.POSTGRES_DB)
        .filter(own)
        .filter((db) => pgExisting.has(db)),
      natsUrl: infra.natsUrl,
      natsNamespace: stack.namespace,
    };
    expect(plan.mongoDatabases).toHaveLength(2);
    // The pipeline keeps a read model, so the PostgreSQL half of the backup is exercised too.
    expect(plan.postgresDatabases).toContain(stack.pipeline!.deps.config.POSTGRES_DB);
  }, 120_000);

  afterAll(async () => {
    await stack.stop().catch(() => undefined);
    for (const db of plan?.postgresDatabases ?? []) {
      execFileSync(pgTool('dropdb'), [
        '--if-exists',
        '--force',
        '--maintenance-db',
        databaseUrl(postgresUrl, 'postgres'),
        db,
      ]);
    }
    for await (const info of jsm.streams.list()) {
      if (streamInNamespace(info.config.name, stack.namespace)) await jsm.streams.delete(info.config.name);
    }
    await nc?.close();
    await mongo?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('restores every record, event, stream message, consumer position and read-model row after a wipe', async () => {
    const rep = await userToken('acme-rep1');
    const contacts: Array<{ id: string }> = [];
    for (const [first, last] of [
      ['Ada', 'Lovelace'],
      ['Grace', 'Hopper'],
      ['Edsger', 'Dijkstra'],
    ] as const) {
      const created = await stack.api.post('/api/v1/contacts', rep, {
        firstName: first,
        lastName: last,
        emails: [{ address: `${first.toLowerCase()}@backup.example` }],
      });
      expect(created.status).toBe(201);
      contacts.push(created.body as { id: string });
    }
    const updated = await stack.api.patch(
      `/api/v1/contacts/${contacts[0]!.id}`,
      rep,
      { title: 'Analyst' },
      { 'if-match': '"1"' },
    );
    expect(updated.status).toBe(200);
    const company = await stack.api.post('/api/v1/companies', rep, { name: 'Analytical Engines Ltd' });
    expect(company.status).toBe(201);
    const deal = await stack.api.post('/api/v1/deals', rep, {
      title: 'Engine No. 2',
      amount: { amountMinor: 500_000, currency: 'GBP' },
    });
    expect(deal.status).toBe(201);

    // A backup of the platform at rest: every write published and consumed, so that the stores read the same
    // before and after the backup (the backup itself runs while the services are up).
    let attempt = 0;
    const { before, manifest, backupDir } = await eventually(
      async () => {
        const state = await readState(plan, mongo, jsm);
        const messages = Object.values(state.streams).reduce((n, s) => n + s.messages.length, 0);
        if (messages < 6) throw new Error(`only ${messages} stream messages so far`);
        const into = join(dir, `attempt-${(attempt += 1)}`);
        const written = await backupPlatform(plan, into);
        const moved = changedParts(state, await readState(plan, mongo, jsm));
        if (moved.length) throw new Error(`the platform moved during the backup: ${moved.join(', ')}`);
        return { before: state, manifest: written, backupDir: into };
      },
      60_000,
      500,
    );
    expect(Object.keys(manifest.mongo).sort()).toEqual([...plan.mongoDatabases].sort());
    expect(manifest.postgres.sort()).toEqual([...plan.postgresDatabases].sort());
    expect(Object.keys(manifest.streams).sort()).toEqual(Object.keys(before.streams).sort());

    // Stop the platform (its stores stay), then wipe every store it used.
    await stack.gateway.shutdown('backup test');
    await stack.pipeline!.shutdown('backup test');
    await stack.contact.shutdown('backup test');
    for (const db of plan.mongoDatabases) await mongo.db(db).dropDatabase();
    for (const db of plan.postgresDatabases) {
      execFileSync(pgTool('dropdb'), ['--force', '--maintenance-db', databaseUrl(postgresUrl, 'postgres'), db]);
    }
    for (const name of Object.keys(before.streams)) await jsm.streams.delete(name);
    const wiped = await readState(plan, mongo, jsm);
    expect(Object.values(wiped.mongo).flatMap((c) => Object.values(c).flat())).toEqual([]);
    expect(wiped.streams).toEqual({});
    expect(wiped.postgres).toEqual({});

    await restorePlatform(plan, backupDir);
    const after = await readState(plan, mongo, jsm);
    expect(after).toEqual(before);

    // The services start on the restored stores and serve the same records.
    const contactConfig = stack.contact.deps.config as unknown as Parameters<typeof startContactService>[0];
    stack.contact = await startContactService(contactConfig, noExit);
    const pipelineConfig = stack.pipeline!.deps.config as unknown as Parameters<typeof startPipelineService>[0];
    stack.pipeline = await startPipelineService(
      { ...pipelineConfig, CONTACT_GRPC_URL: `127.0.0.1:${stack.contact.grpcPort}` },
      noExit,
    );
    const api = stack.clientOf(await stack.startGateway());
    for (const contact of contacts) {
      const read = await api.get(`/api/v1/contacts/${contact.id}`, rep);
      expect(read.status).toBe(200);
    }
    const ada = await api.get(`/api/v1/contacts/${contacts[0]!.id}`, rep);
    expect(ada.headers.get('etag')).toBe('"2"');
    expect((ada.body as { title?: string }).title).toBe('Analyst');
    const restoredDeal = await api.get(`/api/v1/deals/${(deal.body as { id: string }).id}`, rep);
    expect(restoredDeal.status).toBe(200);
    expect((restoredDeal.body as { title: string }).title).toBe('Engine No. 2');
  }, 180_000);
});
