#!/usr/bin/env node
// Benchmark (not a test): seeds 100k contacts into a fresh database, then measures type-ahead search latency
// through gRPC and the throughput of a CSV import through the real import path (upload stream, stored chunks,
// worker batches). Needs `pnpm build` and the local infrastructure (`pnpm infra up`). Prints progress as it goes.
//   BENCH_CONTACTS (100000)  BENCH_IMPORT_ROWS (100000)  BENCH_SEARCHES (20)  BENCH_LISTS (3)  BENCH_BATCH (2000)
//   BENCH_DB: reuse a database an earlier run seeded (with BENCH_KEEP_DB=1): seeding is skipped, earlier imports are removed.
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';

const require = createRequire(import.meta.url);
const { credentials, Metadata } = require('@grpc/grpc-js');
const { ContactServiceClient } = require('@crm/proto/crm/contact/v1/contact');
const { ExportServiceClient, ImportServiceClient } = require('@crm/proto/crm/contact/v1/import');
const { infraEnv, userToken } = require('@crm/testkit');
const { contactEnvSchema } = require('../dist/config.js');
const { startContactService } = require('../dist/contact-service.js');
const { EMPTY_CONTACT } = require('../dist/domain/contact.model.js');
const { deriveContactFields } = require('../dist/domain/contact-derived.js');
const { slotOf } = require('../dist/domain/list-slots.js');
const { ListSlots } = require('../dist/store/list-slots.repository.js');
const { v7: uuidv7 } = require('uuid');

const CONTACTS = Number(process.env.BENCH_CONTACTS ?? 100_000);
const IMPORT_ROWS = Number(process.env.BENCH_IMPORT_ROWS ?? 100_000);
const SEARCHES = Number(process.env.BENCH_SEARCHES ?? 20);
const BATCH = Number(process.env.BENCH_BATCH ?? 2000);
const LISTS = Number(process.env.BENCH_LISTS ?? 3);

const FIRST = [
  'Zoë',
  'Ada',
  'Grace',
  'Alan',
  'Marie',
  'José',
  'Søren',
  'Ingrid',
  'Björn',
  'Chloé',
  'Ángel',
  'Mateo',
  'Olivia',
  'Liam',
  'Noah',
  'Emma',
  'Hana',
  'Yuki',
  'Priya',
  'Omar',
];
const LAST = [
  'García',
  'Müller',
  'Smith',
  'Nakamura',
  'Okafor',
  'Kowalski',
  'Dubois',
  'Rossi',
  'Jensen',
  'Silva',
  'Novak',
  'Haddad',
  'Chen',
  'Patel',
  'Ivanova',
  'Brown',
  'Lovelace',
  'Hopper',
  'Turing',
  'Curie',
];
const pick = (list, i) => list[i % list.length];
const log = (...args) => console.log(`[bench ${new Date().toISOString().slice(11, 19)}]`, ...args);
const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

function person(i, domain) {
  const first = pick(FIRST, i);
  const last = pick(LAST, Math.floor(i / FIRST.length));
  return {
    first,
    last,
    email: `${first.normalize('NFKD').replace(/\p{M}/gu, '').replace(/ø/g, 'o').toLowerCase()}.${i}@${domain}`,
    phone: `+1212${String(2_000_000 + (i % 7_000_000)).padStart(7, '0')}`,
  };
}

async function seed(mongo, ownerId) {
  const contacts = mongo.collection('contacts');
  const keys = mongo.collection('contact_keys');
  const slots = new ListSlots(mongo, 'contact_list_slots');
  const started = performance.now();
  for (let at = 0; at < CONTACTS; at += BATCH) {
    const now = new Date();
    const docs = [];
    const claims = [];
    for (let i = at; i < Math.min(CONTACTS, at + BATCH); i++) {
      const p = person(i, 'seed.example');
      const fields = {
        ...EMPTY_CONTACT,
        firstName: p.first,
        lastName: p.last,
        emails: [{ address: p.email, primary: true, label: '' }],
        phones: [{ number: p.phone, primary: true, label: '' }],
      };
      const id = uuidv7();
      docs.push({
        _id: id,
        tenantId: 'acme',
        ownerId,
        teamId: 'acme-east',
        ...fields,
        companyId: '',
        companyName: '',
        companyDomain: '',
        ...deriveContactFields({ ...fields, companyName: '' }),
        version: 1,
        createdAt: now,
        updatedAt: now,
        deletedAt: null,
        outbox: [],
        lastActivityAt: null,
        mergedInto: '',
        mergedSources: [],
        erasedAt: null,
        importBatch: '',
        updatedSlot: slotOf(now),
      });
      claims.push({
        _id: `acme:email:${p.email}`,
        tenantId: 'acme',
        kind: 'email',
        value: p.email,
        contactId: id,
        claimedAt: now,
      });
    }
    // As the service's own writes do: the slot's markers first, then the contacts.
    await slots.mark('acme', [now]);
    await contacts.insertMany(docs, { ordered: false });
    await keys.insertMany(claims, { ordered: false }).catch(() => undefined);
    if ((at / BATCH) % 5 === 0 || at + BATCH >= CONTACTS)
      log(
        `seeded ${Math.min(CONTACTS, at + BATCH)}/${CONTACTS} contacts (${Math.round(Math.min(CONTACTS, at + BATCH) / ((performance.now() - started) / 1000))}/s)`,
      );
  }
}

/** A reused database keeps its seeded contacts; what earlier imports wrote goes, so this import creates again. */
async function forgetImports(mongo) {
  const seeded = await mongo.collection('contacts').countDocuments({ importBatch: '' });
  log(`reusing ${seeded} seeded contacts; removing earlier imports`);
  await mongo.collection('contacts').deleteMany({ importBatch: { $ne: '' } });
  await mongo.collection('contact_keys').deleteMany({ value: /@import\.example$/ });
  for (const name of ['import_jobs', 'import_chunks', 'import_errors', 'import_outbox'])
    await mongo.collection(name).deleteMany({});
}

function unary(client, method, request, token, timeoutMs = 600_000) {
  const metadata = new Metadata();
  metadata.set('authorization', `Bearer ${token}`);
  return new Promise((resolve, reject) =>
    client[method](request, metadata, { deadline: new Date(Date.now() + timeoutMs) }, (e, r) =>
      e ? reject(e) : resolve(r),
    ),
  );
}

async function searchBench(client, tokenOf) {
  const queries = ['zoe', 'garcia', 'mull', 'grace hop', 'sor', 'chloe dub', '212200', 'ada.1', 'nakamura', 'jose'];
  const latencies = [];
  let hits = 0;
  for (let i = 0; i < SEARCHES; i++) {
    const query = queries[i % queries.length];
    const token = await tokenOf();
    const t = performance.now();
    const response = await unary(client, 'searchContacts', { query, limit: 10 }, token);
    const ms = performance.now() - t;
    latencies.push(ms);
    hits += response.hits.length;
    log(
      `search ${i + 1}/${SEARCHES} "${query}": ${response.hits.length} hits in ${ms.toFixed(1)} ms (top: ${response.hits[0]?.contact?.firstName ?? '-'} ${response.hits[0]?.contact?.lastName ?? ''})`,
    );
  }
  latencies.sort((a, b) => a - b);
  return { p50: pct(latencies, 50), p95: pct(latencies, 95), hits };
}

/** The first page of the unfiltered contact list, which walks the time slots newest first. */
async function listBench(client, tokenOf) {
  const latencies = [];
  for (let i = 0; i < LISTS; i++) {
    const t = performance.now();
    const response = await unary(
      client,
      'listContacts',
      {
        filter: {
          ownerId: '',
          teamId: '',
          lifecycleStage: '',
          tag: '',
          companyId: '',
          updatedSince: undefined,
          includeDeleted: false,
        },
        page: { limit: 50, cursor: '' },
      },
      await tokenOf(),
    );
    latencies.push(performance.now() - t);
    log(`list ${i + 1}/${LISTS}: ${response.contacts.length} contacts in ${latencies[i].toFixed(1)} ms`);
  }
  latencies.sort((a, b) => a - b);
  return { p50: pct(latencies, 50), p95: pct(latencies, 95) };
}

/** An NDJSON export of every contact (admin scope), through the server stream. */
async function exportBench(client, tokenOf) {
  const metadata = new Metadata();
  metadata.set('authorization', `Bearer ${await tokenOf()}`);
  const started = performance.now();
  let bytes = 0;
  let rows = 0;
  const stream = client.exportContacts(
    {
      format: 'ndjson',
      filter: {
        ownerId: '',
        teamId: '',
        lifecycleStage: '',
        tag: '',
        companyId: '',
        updatedSince: undefined,
        includeDeleted: false,
      },
    },
    metadata,
    { deadline: new Date(Date.now() + 3_600_000) },
  );
  for await (const piece of stream) {
    bytes += piece.data.length;
    for (const byte of piece.data) if (byte === 10) rows++;
  }
  const seconds = (performance.now() - started) / 1000;
  log(`exported ${rows} contacts (${(bytes / 1024 / 1024).toFixed(1)} MB NDJSON) in ${seconds.toFixed(1)} s`);
  return { rows, seconds };
}

async function importBench(client, tokenOf) {
  const metadata = new Metadata();
  metadata.set('authorization', `Bearer ${await tokenOf()}`);
  const started = performance.now();
  const job = await new Promise((resolve, reject) => {
    const stream = client.startImport(metadata, { deadline: new Date(Date.now() + 3_600_000) }, (e, r) =>
      e ? reject(e) : resolve(r.job),
    );
    stream.write({ header: { entity: 'contact', fileName: 'bench.csv', mapping: [], matchBy: 'email' } });
    let buffer = 'first_name,last_name,email,phone,lifecycle_stage,tags\n';
    for (let i = 0; i < IMPORT_ROWS; i++) {
      const p = person(CONTACTS + i, 'import.example');
      buffer += `${p.first},${p.last},${p.email},${p.phone},lead,bench;imported\n`;
      if (buffer.length > 64 * 1024) {
        stream.write({ data: Buffer.from(buffer) });
        buffer = '';
      }
    }
    stream.write({ data: Buffer.from(buffer) });
    stream.end();
  });
  const uploaded = performance.now();
  log(
    `uploaded ${job.rowsTotal} rows (${(job.sizeBytes / 1024 / 1024).toFixed(1)} MB) in ${((uploaded - started) / 1000).toFixed(1)} s; job ${job.id} ${job.status}`,
  );
  for (;;) {
    await new Promise((r) => setTimeout(r, 2000));
    const { job: now } = await unary(client, 'getImport', { id: job.id }, await tokenOf());
    const elapsed = (performance.now() - uploaded) / 1000;
    log(
      `import ${now.status}: ${now.rowsDone}/${now.rowsTotal} rows, ${now.createdCount} created, ${now.errorCount} errors, ${Math.round(now.rowsDone / elapsed)} rows/s`,
    );
    if (now.status === 'completed' || now.status === 'failed') {
      const processing = (now.finishedAt.getTime() - now.startedAt.getTime()) / 1000;
      return {
        rows: now.rowsDone,
        created: now.createdCount,
        errors: now.errorCount,
        processingRowsPerSec: now.rowsDone / processing,
        endToEndRowsPerSec: now.rowsDone / ((performance.now() - started) / 1000),
        status: now.status,
      };
    }
  }
}

async function main() {
  const infra = infraEnv();
  const stamp = Date.now().toString(36);
  const reuse = process.env.BENCH_DB;
  const config = contactEnvSchema.parse({
    SERVICE_NAME: 'contact',
    LOG_LEVEL: 'warn',
    GRPC_PORT: '0',
    ADMIN_PORT: '0',
    MONGODB_URL: infra.mongoUrl,
    MONGODB_DB: reuse ?? `bench_contact_${stamp}`,
    NATS_URL: infra.natsUrl,
    NATS_NAMESPACE: `bench${stamp}`,
    OIDC_ISSUER: infra.issuer,
    OIDC_CLIENT_ID: 'contact-service',
    OIDC_CLIENT_SECRET: 'contact-service-secret',
    CONTACT_IMPORT_BATCH_SIZE: String(BATCH),
    CONTACT_IMPORT_LEASE_MS: '600000',
  });
  log(
    `${reuse ? 'reused' : 'fresh'} database ${config.MONGODB_DB}; ${CONTACTS} contacts to seed, ${IMPORT_ROWS} rows to import, ${SEARCHES} searches`,
  );
  const service = await startContactService(config, { exit: () => undefined });
  const address = `127.0.0.1:${service.grpcPort}`;
  // Tokens live a few minutes and seeding takes longer: fetch (cached until near expiry) before each call.
  const tokenOf = () => userToken('acme-admin');
  const rep = await userToken('acme-rep1');
  const repId = JSON.parse(Buffer.from(rep.split('.')[1], 'base64url').toString()).sub;
  const contacts = new ContactServiceClient(address, credentials.createInsecure());
  const imports = new ImportServiceClient(address, credentials.createInsecure());
  const exports = new ExportServiceClient(address, credentials.createInsecure());
  try {
    if (reuse) await forgetImports(service.deps.mongo);
    else await seed(service.deps.mongo, repId);
    const search = await searchBench(contacts, tokenOf);
    const list = LISTS > 0 ? await listBench(contacts, tokenOf) : undefined;
    const exported = await exportBench(exports, tokenOf);
    const imported = IMPORT_ROWS > 0 ? await importBench(imports, tokenOf) : undefined;
    console.log('\n=== contact service benchmark ===');
    console.log(`store: ${infra.mongoUrl} (db ${config.MONGODB_DB})`);
    console.log(`seeded contacts: ${CONTACTS}`);
    console.log(
      `search over ${CONTACTS} contacts (${SEARCHES} queries, gRPC, admin scope): p50 ${search.p50.toFixed(1)} ms, p95 ${search.p95.toFixed(1)} ms`,
    );
    if (list)
      console.log(
        `unfiltered list, first 50 of ${CONTACTS} (${LISTS} calls, admin scope): p50 ${list.p50.toFixed(1)} ms, p95 ${list.p95.toFixed(1)} ms`,
      );
    console.log(
      `NDJSON export of ${exported.rows} contacts (admin scope): ${exported.seconds.toFixed(1)} s, ${Math.round(exported.rows / exported.seconds)} rows/s`,
    );
    if (imported)
      console.log(
        `CSV import of ${imported.rows} rows (${imported.status}, ${imported.created} created, ${imported.errors} errors): ${imported.processingRowsPerSec.toFixed(0)} rows/s processing, ${imported.endToEndRowsPerSec.toFixed(0)} rows/s end to end incl. upload`,
      );
  } finally {
    contacts.close();
    imports.close();
    exports.close();
    if (!process.env.BENCH_KEEP_DB) await service.deps.mongo.dropDatabase().catch(() => undefined);
    await service.shutdown('bench done');
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
