#!/usr/bin/env node
// Benchmark (not a test; `pnpm --filter @crm/contact-service bench`): the contact service in-process on the local
// servers (FerretDB or MongoDB, PostgreSQL, NATS, Keycloak), called through gRPC with real tokens. Prints progress
// and a summary next to the figures measured before the record store v2 (issue 9). Needs `pnpm build` and
// `pnpm infra up`.
//   BENCH_SIZES (100000,1000000)  contacts in the read model for search and lists; seeded straight into PostgreSQL
//   BENCH_SEARCHES (40)  BENCH_LISTS (30)  calls per measurement
//   BENCH_IMPORT_ROWS (100000)  BENCH_IMPORT_DUPLICATES (1000): extra rows repeating an earlier row's email
//   BENCH_PATCHES (20)  BENCH_BATCH (1000): import batch size
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';

const require = createRequire(import.meta.url);
const { credentials, Metadata } = require('@grpc/grpc-js');
const { sql } = require('kysely');
const { ContactServiceClient } = require('@crm/proto/crm/contact/v1/contact');
const { ImportServiceClient } = require('@crm/proto/crm/contact/v1/import');
const { dropDatabase } = require('@crm/service-kit');
const { infraEnv, userToken, decodeClaims } = require('@crm/testkit');
const { contactEnvSchema } = require('../dist/config.js');
const { startContactService } = require('../dist/contact-service.js');
const { phoneSearchDigits } = require('../dist/domain/search-query.js');

const SIZES = (process.env.BENCH_SIZES ?? '100000,1000000').split(',').map(Number);
const SEARCHES = Number(process.env.BENCH_SEARCHES ?? 40);
const LISTS = Number(process.env.BENCH_LISTS ?? 30);
const IMPORT_ROWS = Number(process.env.BENCH_IMPORT_ROWS ?? 100_000);
const IMPORT_DUPLICATES = Number(process.env.BENCH_IMPORT_DUPLICATES ?? 1000);
const PATCHES = Number(process.env.BENCH_PATCHES ?? 20);
const BATCH = Number(process.env.BENCH_BATCH ?? 1000);
const SEED_BATCH = 5000;

const BEFORE = {
  search100k: 'p50 591 ms / p95 3093 ms',
  search1m: 'not measured (100k took 3 s)',
  list: 'about 2 s (first unfiltered page at 100k, admin)',
  patch: 'about 14',
  import: '463 rows/s (458 end to end)',
};

const FIRST = ['Zoë', 'Ada', 'Grace', 'Alan', 'Marie', 'José', 'Søren', 'Ingrid', 'Björn', 'Chloé'];
const FIRST2 = ['Ángel', 'Mateo', 'Olivia', 'Liam', 'Noah', 'Emma', 'Hana', 'Yuki', 'Priya', 'Omar'];
const FIRSTS = [...FIRST, ...FIRST2];
const LAST = ['García', 'Müller', 'Smith', 'Nakamura', 'Okafor', 'Kowalski', 'Dubois', 'Rossi', 'Jensen', 'Silva'];
const LAST2 = ['Novak', 'Haddad', 'Chen', 'Patel', 'Ivanova', 'Brown', 'Lovelace', 'Hopper', 'Turing', 'Curie'];
const LASTS = [...LAST, ...LAST2];
const COMPANIES = ['Acme Rockets', 'Initech', 'Umbrella', 'Globex', 'Hooli', 'Vandelay Industries', 'Stark', ''];
const TEAMS = ['acme-east', 'acme-west', 'acme-north', 'acme-south', 'acme-central'];
const QUERIES = ['zoe', 'garcia', 'mull', 'grace hop', 'sor', 'chloe dub', '212200', 'ada.1', 'nakamura', 'jose'];
const SHORT = ['jo', 'ma', 'zo', 'gr', 'um'];

const log = (...args) => console.log(`[bench ${new Date().toISOString().slice(11, 19)}]`, ...args);
const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
const fold = (s) => s.normalize('NFKD').replace(/\p{M}/gu, '').replace(/ø/g, 'o').toLowerCase();
const ms = (n) => `${n.toFixed(1)} ms`;

function person(i, domain) {
  const first = FIRSTS[i % FIRSTS.length];
  const last = LASTS[Math.floor(i / FIRSTS.length) % LASTS.length];
  return {
    first,
    last,
    email: `${fold(first)}.${i}@${domain}`,
    phone: `+1212${String(2_000_000 + (i % 7_000_000)).padStart(7, '0')}`,
    company: COMPANIES[i % COMPANIES.length],
  };
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

const contactInput = (fields) => ({
  firstName: '',
  lastName: '',
  emails: [],
  phones: [],
  title: '',
  companyId: '',
  lifecycleStage: '',
  leadSource: '',
  tags: [],
  tier: '',
  address: undefined,
  ownerId: '',
  teamId: '',
  customFields: undefined,
  externalId: '',
  ...fields,
});

/** Mongo commands of title-only UpdateContact calls, counted with the driver's command monitoring. */
async function patchBench(service, contacts, token) {
  const { contact } = await unary(
    contacts,
    'createContact',
    {
      contact: contactInput({ firstName: 'Patch', lastName: 'Counter', title: 'v0' }),
      allowDuplicates: false,
    },
    token,
  );
  await service.store.contacts.drain();
  const client = service.deps.mongo.getClient();
  const counts = [];
  const latencies = [];
  let version = contact.version;
  for (let i = 1; i <= PATCHES; i++) {
    let count = 0;
    const names = [];
    const listener = (event) => {
      if (!JSON.stringify(event.command).includes(contact.id)) return;
      count++;
      names.push(`${event.commandName} ${event.command[event.commandName]}`);
    };
    client.on('commandStarted', listener);
    const t = performance.now();
    const { contact: updated } = await unary(
      contacts,
      'updateContact',
      {
        id: contact.id,
        expectedVersion: version,
        contact: contactInput({ title: `v${i}` }),
        updateMask: ['title'],
        allowDuplicates: false,
      },
      token,
    );
    latencies.push(performance.now() - t);
    await service.store.contacts.drain();
    client.off('commandStarted', listener);
    version = updated.version;
    counts.push(count);
    if (i === 1) log(`PATCH round trips: ${count} (${names.join(', ')})`);
  }
  latencies.sort((a, b) => a - b);
  return { max: Math.max(...counts), min: Math.min(...counts), p50: pct(latencies, 50), p95: pct(latencies, 95) };
}

/** Contacts written straight into the read model (batched multi-row inserts): the service's own rows, faster. */
async function seed(db, from, to, owners) {
  const started = performance.now();
  for (let at = from; at < to; at += SEED_BATCH) {
    const n = Math.min(SEED_BATCH, to - at);
    const cols = {
      id: [],
      owner: [],
      team: [],
      at: [],
      first: [],
      last: [],
      company: [],
      email: [],
      phone: [],
      d1: [],
      d2: [],
      data: [],
    };
    const base = Date.UTC(2025, 0, 1);
    for (let i = at; i < at + n; i++) {
      const p = person(i, 'seed.example');
      const id = `seed-${String(i).padStart(8, '0')}`;
      const owner = owners[i % owners.length];
      const team = TEAMS[Math.floor(i / 7) % TEAMS.length];
      const updated = new Date(base + i * 1000).toISOString();
      const [d1, d2] = phoneSearchDigits(p.phone);
      cols.id.push(id);
      cols.owner.push(owner);
      cols.team.push(team);
      cols.at.push(updated);
      cols.first.push(p.first);
      cols.last.push(p.last);
      cols.company.push(p.company);
      cols.email.push(p.email);
      cols.phone.push(p.phone);
      cols.d1.push(d1);
      cols.d2.push(d2 ?? d1);
      cols.data.push(
        JSON.stringify({
          _id: id,
          tenantId: 'acme',
          ownerId: owner,
          teamId: team,
          version: 1,
          createdAt: updated,
          updatedAt: updated,
          deletedAt: null,
          firstName: p.first,
          lastName: p.last,
          emails: [{ address: p.email, primary: true, label: '' }],
          phones: [{ number: p.phone, primary: true, label: '' }],
          title: '',
          companyId: '',
          companyName: p.company,
          companyDomain: '',
          lifecycleStage: 'lead',
          leadSource: '',
          tags: ['seeded'],
          tier: 'standard',
          address: null,
          customFields: {},
          externalId: '',
          mergedInto: '',
          mergedSources: [],
          erasedAt: null,
        }),
      );
    }
    await sql`
      insert into contacts (id, tenant_id, owner_id, team_id, version, created_at, updated_at, deleted_at, first_name,
        last_name, title, company_id, company_name, company_domain, lifecycle_stage, lead_source, tier, external_id,
        tags, emails, phones, phone_digits, merged_into, erased_at, data)
      select id, 'acme', owner, team, 1, at::timestamptz, at::timestamptz, null, first, last, '', '', company, '',
        'lead', '', 'standard', '', array['seeded'], array[email], array[phone], array[d1, d2], '', null, data::jsonb
      from unnest(${cols.id}::text[], ${cols.owner}::text[], ${cols.team}::text[], ${cols.at}::text[],
        ${cols.first}::text[], ${cols.last}::text[], ${cols.company}::text[], ${cols.email}::text[],
        ${cols.phone}::text[], ${cols.d1}::text[], ${cols.d2}::text[], ${cols.data}::text[])
        as s (id, owner, team, at, first, last, company, email, phone, d1, d2, data)
    `.execute(db);
    const done = at + n;
    if ((done - from) % 50_000 === 0 || done === to)
      log(
        `seeded ${done}/${to} contacts into the read model (${Math.round((done - from) / ((performance.now() - started) / 1000))}/s)`,
      );
  }
  log('vacuum analyze (statistics and visibility maps for the planner)');
  await sql`vacuum analyze contacts`.execute(db);
  await sql`vacuum analyze contact_search_words`.execute(db);
}

async function timed(label, count, call) {
  const latencies = [];
  let results = 0;
  for (let i = 0; i < count; i++) {
    const t = performance.now();
    results += await call(i);
    latencies.push(performance.now() - t);
  }
  latencies.sort((a, b) => a - b);
  const p50 = pct(latencies, 50);
  const p95 = pct(latencies, 95);
  log(`${label}: p50 ${ms(p50)}, p95 ${ms(p95)} (${count} calls, ${results} results)`);
  return { p50, p95 };
}

async function searchAndLists(contacts, tokens, size) {
  const searches = {};
  for (const [role, tokenOf] of Object.entries(tokens)) {
    searches[role] = await timed(`search at ${size} as ${role}`, SEARCHES, async (i) => {
      const query = [...QUERIES, ...SHORT][i % (QUERIES.length + SHORT.length)];
      const { hits } = await unary(contacts, 'searchContacts', { query, limit: 10 }, await tokenOf());
      return hits.length;
    });
  }
  const lists = {};
  for (const [role, tokenOf] of Object.entries(tokens)) {
    lists[role] = await timed(`first list page (50) at ${size} as ${role}`, LISTS, async () => {
      const { contacts: page } = await unary(
        contacts,
        'listContacts',
        { filter: undefined, page: { limit: 50, cursor: '' } },
        await tokenOf(),
      );
      return page.length;
    });
  }
  return { searches, lists };
}

async function importBench(imports, tokenOf) {
  const metadata = new Metadata();
  metadata.set('authorization', `Bearer ${await tokenOf()}`);
  const started = performance.now();
  const job = await new Promise((resolve, reject) => {
    const stream = imports.startImport(metadata, { deadline: new Date(Date.now() + 3_600_000) }, (e, r) =>
      e ? reject(e) : resolve(r.job),
    );
    stream.write({ header: { entity: 'contact', fileName: 'bench.csv', mapping: [], matchBy: 'email' } });
    let buffer = 'first_name,last_name,email,phone,lifecycle_stage,tags\n';
    const total = IMPORT_ROWS + IMPORT_DUPLICATES;
    for (let r = 0; r < total; r++) {
      // Every (IMPORT_ROWS / IMPORT_DUPLICATES)th row repeats an earlier row's email: the dedup path, an update.
      const duplicate = IMPORT_DUPLICATES > 0 && r > 0 && r % Math.floor(total / IMPORT_DUPLICATES) === 0;
      const i = duplicate ? r - 1 - (r % 500) : r;
      const p = person(10_000_000 + i, 'import.example');
      buffer += `${p.first},${p.last},${p.email},${p.phone},${duplicate ? 'customer' : 'lead'},bench;imported\n`;
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
    `uploaded ${job.rowsTotal} rows (${(job.sizeBytes / 1024 / 1024).toFixed(1)} MB) in ${((uploaded - started) / 1000).toFixed(1)} s`,
  );
  for (;;) {
    await new Promise((r) => setTimeout(r, 2000));
    const { job: now } = await unary(imports, 'getImport', { id: job.id }, await tokenOf());
    const elapsed = (performance.now() - started) / 1000;
    log(
      `import ${now.status}: ${now.rowsDone}/${now.rowsTotal} rows, ${now.createdCount} created, ${now.updatedCount} updated, ${now.errorCount} errors, ${Math.round(now.rowsDone / elapsed)} rows/s`,
    );
    if (now.status === 'completed' || now.status === 'failed') {
      const processing = (now.finishedAt.getTime() - now.startedAt.getTime()) / 1000;
      return {
        rows: now.rowsDone,
        created: now.createdCount,
        updated: now.updatedCount,
        errors: now.errorCount,
        status: now.status,
        processing: now.rowsDone / processing,
        endToEnd: now.rowsDone / ((performance.now() - started) / 1000),
      };
    }
  }
}

async function main() {
  const infra = infraEnv();
  const stamp = Date.now().toString(36);
  const config = contactEnvSchema.parse({
    SERVICE_NAME: 'contact',
    LOG_LEVEL: 'warn',
    GRPC_PORT: '0',
    ADMIN_PORT: '0',
    MONGODB_URL: infra.mongoUrl,
    MONGODB_DB: `bench_contact_${stamp}`,
    POSTGRES_URL: infra.postgresUrl,
    POSTGRES_DB: `bench_contact_${stamp}`,
    NATS_URL: infra.natsUrl,
    NATS_NAMESPACE: `bench${stamp}`,
    OIDC_ISSUER: infra.issuer,
    OIDC_CLIENT_ID: 'contact-service',
    OIDC_CLIENT_SECRET: 'contact-service-secret',
    CONTACT_IMPORT_BATCH_SIZE: String(BATCH),
    CONTACT_IMPORT_LEASE_MS: '600000',
  });
  log(`databases ${config.MONGODB_DB} (records) and ${config.POSTGRES_DB} (read model); sizes ${SIZES.join(', ')}`);
  const service = await startContactService(config, { exit: () => undefined });
  const address = `127.0.0.1:${service.grpcPort}`;
  const contacts = new ContactServiceClient(address, credentials.createInsecure());
  const imports = new ImportServiceClient(address, credentials.createInsecure());
  // Tokens live a few minutes and seeding takes longer: fetched (cached until near expiry) before each call.
  const tokens = {
    admin: () => userToken('acme-admin'),
    manager: () => userToken('acme-manager'),
    rep: () => userToken('acme-rep1'),
  };
  const ids = await Promise.all(
    ['acme-rep1', 'acme-rep2', 'acme-rep3', 'acme-manager'].map(async (u) =>
      String(decodeClaims(await userToken(u)).sub),
    ),
  );
  // 50 owners; acme-rep1 owns 1 in 50 contacts, acme-manager's team (acme-east) is 1 in 5.
  const owners = [...ids, ...Array.from({ length: 46 }, (_, i) => `bench-owner-${i}`)];
  const db = service.deps.readModel.db;
  const results = { sizes: {} };
  try {
    results.patch = await patchBench(service, contacts, await tokens.rep());
    let seeded = 0;
    for (const [k, size] of SIZES.entries()) {
      await seed(db, seeded, size, owners);
      seeded = size;
      results.sizes[size] = await searchAndLists(contacts, tokens, size);
      if (k === 0 && IMPORT_ROWS > 0) results.import = await importBench(imports, tokens.admin);
    }
  } finally {
    contacts.close();
    imports.close();
    await service.shutdown('bench done');
    if (!process.env.BENCH_KEEP_DB) {
      await dropDatabase(infra.postgresUrl, config.POSTGRES_DB).catch(() => undefined);
      const { MongoClient } = require('mongoose').mongo;
      const mongo = await MongoClient.connect(infra.mongoUrl);
      await mongo
        .db(config.MONGODB_DB)
        .dropDatabase()
        .catch(() => undefined);
      await mongo.close();
    }
  }
  console.log('\n=== contact service benchmark (figures before issue 9 in brackets) ===');
  console.log(
    `records: ${infra.mongoUrl}; read model: PostgreSQL ${infra.postgresUrl}; calls through gRPC with real tokens`,
  );
  console.log('search and list sizes are contacts seeded straight into the read model (batched inserts), the words');
  console.log('index kept by its triggers, then VACUUM ANALYZE; writes (PATCH, import) go through the service.');
  const p = results.patch;
  console.log(
    `store round trips of a title-only PATCH: ${p.max} (min ${p.min}); latency p50 ${ms(p.p50)}, p95 ${ms(p.p95)} [${BEFORE.patch}]`,
  );
  for (const [size, r] of Object.entries(results.sizes)) {
    for (const [role, s] of Object.entries(r.searches))
      console.log(
        `search at ${size}, ${role}: p50 ${ms(s.p50)}, p95 ${ms(s.p95)}${role === 'admin' ? ` [${Number(size) === 100000 ? BEFORE.search100k : BEFORE.search1m}]` : ''}`,
      );
    for (const [role, l] of Object.entries(r.lists))
      console.log(
        `first list page at ${size}, ${role}: p50 ${ms(l.p50)}, p95 ${ms(l.p95)}${role === 'admin' ? ` [${BEFORE.list}]` : ''}`,
      );
  }
  const i = results.import;
  if (i)
    console.log(
      `CSV import of ${i.rows} rows with dedup by email (${i.status}: ${i.created} created, ${i.updated} updated, ${i.errors} errors): ${Math.round(i.endToEnd)} rows/s end to end incl. upload, ${Math.round(i.processing)} rows/s processing [${BEFORE.import}]`,
    );
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
