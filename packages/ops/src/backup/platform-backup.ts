import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { MongoClient } from 'mongodb';
import { streamInNamespace, type BackupPlan } from './backup-plan';
import { backupMongoDatabase, restoreMongoDatabase } from './mongo-backup';
import { backupPostgresDatabase, listDatabases, restorePostgresDatabase } from './postgres-backup';
import { backupStream, restoreStream } from './stream-backup';

/** What a backup holds, written last as manifest.json: a backup without one is incomplete. */
export interface BackupManifest {
  format: 1;
  createdAt: string;
  mongo: Record<string, Record<string, number>>;
  postgres: string[];
  streams: Record<string, { messages: number; consumers: number }>;
  /** Databases of the plan that did not exist (a service not deployed). */
  absent: string[];
}

export type Progress = (message: string) => void;

/**
 * Backs up the platform into `dir`: every service's MongoDB database (records and their event log) as Extended
 * JSON, every read-model PostgreSQL database with pg_dump, and the namespace's JetStream streams message by
 * message. The stores are read one after another, not at one instant: a restore converges because the event
 * sweeper republishes what the streams lack and consumers apply only newer versions.
 */
export async function backupPlatform(
  plan: BackupPlan,
  dir: string,
  progress: Progress = () => undefined,
): Promise<BackupManifest> {
  const manifest: BackupManifest = {
    format: 1,
    createdAt: new Date().toISOString(),
    mongo: {},
    postgres: [],
    streams: {},
    absent: [],
  };
  const mongo = await MongoClient.connect(plan.mongoUrl);
  try {
    const existing = new Set(
      (await mongo.db('admin').admin().listDatabases({ nameOnly: true })).databases.map((d) => d.name),
    );
    for (const db of plan.mongoDatabases) {
      if (!existing.has(db)) {
        manifest.absent.push(`mongo:${db}`);
        continue;
      }
      const { collections } = await backupMongoDatabase(mongo, db, join(dir, 'mongo', db));
      manifest.mongo[db] = collections;
      progress(
        `mongo ${db}: ${
          Object.entries(collections)
            .map(([c, n]) => `${c} ${n}`)
            .join(', ') || 'empty'
        }`,
      );
    }
  } finally {
    await mongo.close();
  }

  const pgExisting = new Set(await listDatabases(plan.postgresUrl));
  await mkdir(join(dir, 'postgres'), { recursive: true });
  for (const db of plan.postgresDatabases) {
    if (!pgExisting.has(db)) {
      manifest.absent.push(`postgres:${db}`);
      continue;
    }
    await backupPostgresDatabase(plan.postgresUrl, db, join(dir, 'postgres', `${db}.dump`));
    manifest.postgres.push(db);
    progress(`postgres ${db}: dumped`);
  }

  const nc = await connect({ servers: plan.natsUrl, name: 'crm-backup' });
  try {
    const jsm = await jetstreamManager(nc);
    const js = jetstream(nc);
    await mkdir(join(dir, 'streams'), { recursive: true });
    const names: string[] = [];
    for await (const info of jsm.streams.list()) {
      if (streamInNamespace(info.config.name, plan.natsNamespace)) names.push(info.config.name);
    }
    for (const name of names.sort()) {
      const snapshot = await backupStream(jsm, js, name, join(dir, 'streams'));
      manifest.streams[name] = { messages: snapshot.messages, consumers: snapshot.consumers.length };
      progress(`stream ${name}: ${snapshot.messages} messages, ${snapshot.consumers.length} consumers`);
    }
  } finally {
    await nc.close();
  }
  await writeFile(join(dir, 'manifest.json'), JSON.stringify(manifest, null, 2));
  return manifest;
}

/**
 * Restores a backup into the servers of `plan` under the same names. Without `replace` every target must be
 * absent or empty (a wiped platform), so a restore never mixes two states; stop the services first.
 */
export async function restorePlatform(
  plan: Pick<BackupPlan, 'mongoUrl' | 'postgresUrl' | 'natsUrl'>,
  dir: string,
  options: { replace?: boolean; progress?: Progress } = {},
): Promise<BackupManifest> {
  const progress = options.progress ?? (() => undefined);
  const replace = options.replace ?? false;
  const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as BackupManifest;
  if (manifest.format !== 1) throw new Error(`unknown backup format ${String(manifest.format)}`);

  const mongo = await MongoClient.connect(plan.mongoUrl);
  try {
    for (const db of Object.keys(manifest.mongo)) {
      if (replace) await mongo.db(db).dropDatabase();
      const count = await restoreMongoDatabase(mongo, db, join(dir, 'mongo', db));
      progress(`mongo ${db}: ${count} documents`);
    }
  } finally {
    await mongo.close();
  }
  for (const db of manifest.postgres) {
    await restorePostgresDatabase(plan.postgresUrl, db, join(dir, 'postgres', `${db}.dump`), replace);
    progress(`postgres ${db}: restored`);
  }
  const nc = await connect({ servers: plan.natsUrl, name: 'crm-restore' });
  try {
    const jsm = await jetstreamManager(nc);
    const js = jetstream(nc);
    for (const name of Object.keys(manifest.streams)) {
      const count = await restoreStream(jsm, js, name, join(dir, 'streams'), replace);
      progress(`stream ${name}: ${count} messages`);
    }
  } finally {
    await nc.close();
  }
  return manifest;
}
