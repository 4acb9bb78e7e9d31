import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { once } from 'node:events';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { BSON, MongoClient, type Document, type IndexDescription } from 'mongodb';

export interface MongoDatabaseBackup {
  /** Documents per collection. */
  collections: Record<string, number>;
}

const BATCH = 500;

/**
 * Writes every collection of the database as canonical Extended JSON, one document a line (types such as dates,
 * ObjectIds and binary survive the round trip), and its secondary indexes, through the driver: the MongoDB
 * Database Tools are not served by the registries here, and this works the same on MongoDB and on FerretDB.
 */
export async function backupMongoDatabase(client: MongoClient, db: string, dir: string): Promise<MongoDatabaseBackup> {
  const database = client.db(db);
  await mkdir(dir, { recursive: true });
  const collections: Record<string, number> = {};
  const names = (await database.listCollections({}, { nameOnly: true }).toArray())
    .map((c) => c.name)
    .filter((name) => !name.startsWith('system.'))
    .sort();
  for (const name of names) {
    const out = createWriteStream(join(dir, `${name}.jsonl`));
    let count = 0;
    for await (const doc of database.collection(name).find({})) {
      if (!out.write(`${BSON.EJSON.stringify(doc, { relaxed: false })}\n`)) await once(out, 'drain');
      count += 1;
    }
    out.end();
    await once(out, 'finish');
    const indexes = (await database.collection(name).listIndexes().toArray()).filter((i) => i.name !== '_id_');
    await writeFile(join(dir, `${name}.indexes.json`), BSON.EJSON.stringify(indexes, { relaxed: false }));
    collections[name] = count;
  }
  return { collections };
}

/** Loads a database written by backupMongoDatabase into an empty (or dropped) database of the same name. */
export async function restoreMongoDatabase(client: MongoClient, db: string, dir: string): Promise<number> {
  const database = client.db(db);
  const files = (await readdir(dir)).filter((f) => f.endsWith('.jsonl')).sort();
  let total = 0;
  for (const file of files) {
    const name = file.slice(0, -'.jsonl'.length);
    const collection = database.collection(name);
    if ((await collection.findOne({})) !== null) {
      throw new Error(`${db}.${name} is not empty: restore into a wiped database (or pass --replace)`);
    }
    await database.createCollection(name).catch(() => undefined);
    const indexes = BSON.EJSON.parse(await readFile(join(dir, `${name}.indexes.json`), 'utf8')) as Document[];
    if (indexes.length) await collection.createIndexes(indexes.map(toIndexDescription));
    let batch: Document[] = [];
    const lines = createInterface({ input: createReadStream(join(dir, file)), crlfDelay: Infinity });
    for await (const line of lines) {
      if (!line) continue;
      batch.push(BSON.EJSON.parse(line, { relaxed: false }) as Document);
      if (batch.length >= BATCH) {
        await collection.insertMany(batch, { ordered: true });
        total += batch.length;
        batch = [];
      }
    }
    if (batch.length) await collection.insertMany(batch, { ordered: true });
    total += batch.length;
  }
  return total;
}

function toIndexDescription(index: Document): IndexDescription {
  const { key, name, unique, sparse, expireAfterSeconds, partialFilterExpression } = index;
  const description: IndexDescription = { key, name };
  if (unique !== undefined) description.unique = unique;
  if (sparse !== undefined) description.sparse = sparse;
  if (expireAfterSeconds !== undefined) description.expireAfterSeconds = expireAfterSeconds;
  if (partialFilterExpression !== undefined) description.partialFilterExpression = partialFilterExpression;
  return description;
}
