#!/usr/bin/env node
// Benchmark (not a test), issue 12. Three parts, each bounded, on fresh databases and NATS namespaces that are
// dropped afterwards; the reporting service runs as its own process (built dist/main.js), called over real gRPC with
// real Keycloak tokens. Needs `pnpm build` and `pnpm infra up`.
//  dashboard  the sales dashboard's p50/p95 for an admin, a manager and a rep at BENCH_DEALS deals and BENCH_STAYS
//             stage changes: the facts are seeded straight in PostgreSQL (generate_series) over several tenants,
//             owners, teams, pipelines and currencies, created over three years; then GetDashboard for 2025, whole,
//             by month and by owner, and for 2025-Q4.
//  lag        real deal events (creations, and stage moves of deals created earlier) published on the PIPELINE
//             stream at BENCH_RATE events/s for BENCH_SECONDS (open loop), each timed from the stream's ack to its
//             deal row at that version being visible; then BENCH_BURST creations at once, timed until applied.
//  rebuild    BENCH_REBUILD_EVENTS events (deals with their moves, contacts, activities) in the streams of a new
//             namespace, then `node dist/rebuild.js` on an empty database, timed, with its progress.
// Knobs: BENCH_PARTS (dashboard,lag,rebuild)  BENCH_DEALS (1000000)  BENCH_STAYS (10000000)  BENCH_TENANTS (5; half
//   the deals are acme's, whose demo users call)  BENCH_ACTIVITIES (1000000)  BENCH_SAMPLES (20)  BENCH_RATE (500)
//   BENCH_SECONDS (120)  BENCH_BURST (20000)  BENCH_REBUILD_EVENTS (1000000)  BENCH_MAX_MINUTES (90, then it stops)
//   BENCH_QUICK=1: 20000 deals, 200000 stays, 20000 activities, 5 samples, 20 s, a 2000 burst, 20000 events rebuilt.
//   BENCH_KEEP=1 keeps the dashboard database (its name is printed); BENCH_DATABASE=<it> reuses its facts.
import { execFileSync, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
// The pipeline's benchmark helpers: percentiles, free ports, logging, clean-up on exit.
import { freePort, log, run, summary } from '../../pipeline/bench/lib/stack.mjs';

const require = createRequire(import.meta.url);
const { credentials } = require('@grpc/grpc-js');
const pg = require('pg');
const kit = require('@crm/service-kit');
const { bindClient, decodeClaims, eventually, infraEnv, uniqueNamespace, userToken } = require('@crm/testkit');
const { ReportingServiceClient } = require('@crm/proto/crm/reporting/v1/reporting');
const { DealChanged } = require('@crm/proto/crm/pipeline/v1/events');
const { ActivityLogged, ContactChanged } = require('@crm/proto/crm/contact/v1/events');

const here = path.dirname(fileURLToPath(import.meta.url));
const serviceDir = path.resolve(here, '..');
const quick = process.env.BENCH_QUICK === '1';
const knob = (name, full, small) => Number(process.env[name] ?? (quick ? small : full));
const PARTS = (process.env.BENCH_PARTS ?? 'dashboard,lag,rebuild').split(',');
const DEALS = knob('BENCH_DEALS', 1_000_000, 20_000);
const STAYS = knob('BENCH_STAYS', 10_000_000, 200_000);
const TENANTS = knob('BENCH_TENANTS', 5, 5);
const ACTIVITIES = knob('BENCH_ACTIVITIES', 1_000_000, 20_000);
const SAMPLES = knob('BENCH_SAMPLES', 20, 5);
const RATE = knob('BENCH_RATE', 500, 500);
const SECONDS = knob('BENCH_SECONDS', 120, 20);
const BURST = knob('BENCH_BURST', 20_000, 2_000);
const REBUILD_EVENTS = knob('BENCH_REBUILD_EVENTS', 1_000_000, 20_000);
const DEADLINE = Date.now() + knob('BENCH_MAX_MINUTES', 90, 20) * 60_000;
const CHUNK = 50_000;
const infra = infraEnv();
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function checkDeadline() {
  if (Date.now() > DEADLINE) throw new Error('BENCH_MAX_MINUTES reached: stopping');
}

const STAGES = [
  { id: 'st-lead', kind: 'open', probability: 10, category: 'pipeline' },
  { id: 'st-qualified', kind: 'open', probability: 30, category: 'pipeline' },
  { id: 'st-proposal', kind: 'open', probability: 60, category: 'best_case' },
  { id: 'st-negotiation', kind: 'open', probability: 80, category: 'commit' },
  { id: 'st-parked', kind: 'open', probability: 5, category: 'omitted' },
  { id: 'st-won', kind: 'won', probability: 100, category: 'closed' },
  { id: 'st-lost', kind: 'lost', probability: 0, category: 'omitted' },
];
const OPEN = STAGES.slice(0, 4).map((s) => s.id);
const PIPELINES = 3;

/** The reporting service as a process on its own database and namespace; stop() kills it. */
async function startReporting(namespace, database) {
  const ports = { grpc: await freePort(), admin: await freePort() };
  const child = spawn(process.execPath, ['dist/main.js'], {
    cwd: serviceDir,
    env: {
      PATH: process.env.PATH,
      SERVICE_NAME: 'reporting',
      LOG_LEVEL: 'warn',
      GRPC_PORT: String(ports.grpc),
      ADMIN_PORT: String(ports.admin),
      NATS_URL: infra.natsUrl,
      NATS_NAMESPACE: namespace,
      OIDC_ISSUER: infra.issuer,
      OIDC_CLIENT_ID: 'reporting-service',
      OIDC_CLIENT_SECRET: 'reporting-service-secret',
      MONGODB_URL: infra.mongoUrl,
      MONGODB_DB: `${database}_m`,
      POSTGRES_URL: infra.postgresUrl,
      POSTGRES_DB: database,
      REPORTING_LAG_POLL_MS: '1000',
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  child.stderr.on('data', (d) => process.stderr.write(`[reporting] ${d}`));
  const exited = new Promise((resolve) => child.on('exit', resolve));
  // Ready once its migrations ran (a new index over 10M stays takes minutes on a loaded machine).
  await eventually(
    async () => {
      if (child.exitCode !== null) throw new Error(`reporting exited with ${child.exitCode}`);
      return (await fetch(`http://127.0.0.1:${ports.admin}/readyz`)).ok || undefined;
    },
    Math.max(1000, DEADLINE - Date.now()),
    250,
  ).catch((error) => {
    child.kill('SIGKILL');
    throw error;
  });
  return {
    ...ports,
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
        await exited;
        clearTimeout(timer);
      }
    },
  };
}

/** Streams, consumers and databases of a namespace, removed at the end. */
async function dropNamespace(bus, databases, mongoDatabases = databases.map((d) => `${d}_m`)) {
  const names = [];
  for await (const name of bus.jsm.streams.names())
    if (name.startsWith(`${bus.namespace.toUpperCase()}_`)) names.push(name);
  for (const name of names) await bus.jsm.streams.delete(name);
  for (const database of databases) await kit.dropDatabase(infra.postgresUrl, database);
  for (const database of mongoDatabases) {
    const mongo = await kit.connectMongo({ url: infra.mongoUrl, dbName: database });
    await mongo.dropDatabase();
    await mongo.close();
  }
  log(`dropped namespace ${bus.namespace} (${names.length} streams) and ${databases.join(', ')}`);
}

async function callers() {
  const users = { admin: 'acme-admin', manager: 'acme-manager', rep: 'acme-rep1' };
  const out = {};
  for (const [role, user] of Object.entries(users)) {
    out[role] = { user, sub: String(decodeClaims(await userToken(user)).sub) };
  }
  for (const user of ['acme-rep2', 'acme-rep3']) out[user] = { sub: String(decodeClaims(await userToken(user)).sub) };
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// dashboard: facts straight in PostgreSQL

/** A non-negative pseudo-random int from a row number and a salt (the same every run). */
const h = (salt) => `(hashint8(g::bigint * 64 + ${salt}) & 2147483647)`;

/**
 * One chunk of deals [lo, hi] and their stays, in one statement. Half the deals are acme's (50 owners: the demo
 * users and 46 colleagues in four teams), the rest spread over the other tenants; 3 pipelines, USD/EUR/GBP, created
 * over 2023-2025, 35% won and 30% lost after 1-180 days; each deal moved 1..(2*avg-1) times through the open stages.
 */
function dealChunkSql(avgStays) {
  return `
    with src as (
      select g,
        case when g % 2 = 0 then 'acme' else ($3::text[])[1 + (g / 2) % cardinality($3::text[])] end as tenant_id,
        ${h(1)} % 50 as ow,
        'pl-' || (${h(2)} % ${PIPELINES}) as pipeline_id,
        case when ${h(3)} % 20 < 12 then 'USD' when ${h(3)} % 20 < 17 then 'EUR' else 'GBP' end as currency,
        10000 + ${h(4)} % 5000000 as amount_minor,
        timestamptz '2023-01-01T00:00:00Z' + (${h(5)} % (3 * 365 * 86400)) * interval '1 second' as created_at,
        case when ${h(6)} % 100 < 35 then 'won' when ${h(6)} % 100 < 65 then 'lost' else 'open' end as status,
        86400 + ${h(7)} % (180 * 86400) as cycle,
        1 + ${h(8)} % ${2 * avgStays - 1} as k,
        'c' || (${h(9)} % 20000) as contact_id,
        ${h(10)} % 100 = 0 as deleted
      from generate_series($1::int, $2::int) g
    ), d as (
      select src.*, 'd' || lpad(g::text, 9, '0') as deal_id,
        case when tenant_id = 'acme' then ($4::text[])[1 + ow] else tenant_id || '-u' || ow end as owner_id,
        case when tenant_id = 'acme' then ($5::text[])[1 + ow] else tenant_id || '-t' || (ow % 4) end as team_id,
        case when status = 'open' then null else created_at + cycle * interval '1 second' end as closed_at,
        case status when 'won' then 'st-won' when 'lost' then 'st-lost'
          else ($6::text[])[1 + (k - 1) % 4] end as stage_id
      from src
    ), deals_in as (
      insert into deals
      select d.tenant_id, d.deal_id, d.k, d.pipeline_id, d.stage_id, d.status, d.amount_minor, d.currency,
        st.probability, st.category, d.owner_id, d.team_id, d.contact_id, '',
        (d.created_at + d.cycle * interval '1 second')::date, d.created_at, d.closed_at,
        case when d.status = 'lost' then 'price' else '' end, d.deleted, coalesce(d.closed_at, d.created_at)
      from d join (select * from unnest($7::text[], $8::int[], $9::text[]) as t(id, probability, category)) st
        on st.id = d.stage_id
      returning 1
    ), stays as (
      select d.tenant_id, d.deal_id, j, d.pipeline_id, d.amount_minor, d.currency, d.owner_id, d.team_id, d.deleted,
        case when j = d.k and d.status <> 'open' then d.stage_id else ($6::text[])[1 + (j - 1) % 4] end as stage_id,
        case when j = d.k then d.status else 'open' end as status,
        case when j = d.k and d.status <> 'open' then d.closed_at
          else d.created_at + (d.cycle * (j - 1) / d.k) * interval '1 second' end as entered_at
      from d cross join lateral generate_series(1, d.k) j
    ), linked as (
      select s.*, lead(entered_at) over w as left_at, lead(j) over w as left_version,
        lead(stage_id) over w as next_stage_id, lead(status) over w as next_status
      from stays s window w as (partition by deal_id order by j)
    )
    insert into deal_stays
    select tenant_id, deal_id, j, pipeline_id, stage_id, status, entered_at, amount_minor, currency, owner_id,
      team_id, left_at, left_version, next_stage_id, next_status, deleted
    from linked, (select count(*) from deals_in) forced`;
}

async function seedFacts(client, tenants, acmeOwners) {
  const others = tenants.filter((t) => t !== 'acme');
  const avgStays = Math.max(1, Math.round(STAYS / DEALS));
  const started = performance.now();
  for (const tenant of tenants)
    for (let p = 0; p < PIPELINES; p++) {
      await client.query(`insert into pipelines values ($1, $2, $3, 1)`, [tenant, `pl-${p}`, `Pipeline ${p}`]);
      for (const [i, s] of STAGES.entries())
        await client.query(`insert into pipeline_stages values ($1, $2, $3, $4, $5, $6, $7, $8, false)`, [
          tenant,
          `pl-${p}`,
          s.id,
          s.id.slice(3),
          i,
          s.kind,
          s.probability,
          s.category,
        ]);
    }
  // The migration's secondary indexes are built once after the rows are in (faster than maintained row by row).
  const { rows: indexes } = await client.query(
    `select indexname, indexdef from pg_indexes where schemaname = 'public'
       and tablename in ('deals', 'deal_stays', 'contacts', 'companies', 'activities') and indexname not like '%_pkey'`,
  );
  for (const index of indexes) await client.query(`drop index ${index.indexname}`);
  const sqlText = dealChunkSql(avgStays);
  const stageCols = [STAGES.map((s) => s.id), STAGES.map((s) => s.probability), STAGES.map((s) => s.category)];
  for (let lo = 1; lo <= DEALS; lo += CHUNK) {
    checkDeadline();
    const hi = Math.min(DEALS, lo + CHUNK - 1);
    await client.query(sqlText, [lo, hi, others, acmeOwners.ids, acmeOwners.teams, OPEN, ...stageCols]);
    const rate = Math.round(hi / ((performance.now() - started) / 1000));
    if ((hi / CHUNK) % 4 === 0 || hi === DEALS) log(`seeded ${hi}/${DEALS} deals and their stays (${rate} deals/s)`);
  }
  // Contacts (the deals' lead sources), companies and activities, per tenant.
  const people = `case when tenant_id = 'acme' then ($2::text[])[1 + ow] else tenant_id || '-u' || ow end`;
  const teams = `case when tenant_id = 'acme' then ($3::text[])[1 + ow] else tenant_id || '-t' || (ow % 4) end`;
  const spread = `timestamptz '2023-01-01T00:00:00Z' + (${h(5)} % (3 * 365 * 86400)) * interval '1 second'`;
  await client.query(
    `insert into contacts select tenant_id, 'c' || g, 1, created_at,
       ($4::text[])[1 + ${h(3)} % 5], 'lead', ${people}, ${teams}, false, false
     from (select t.tenant_id, g, ${h(1)} % 50 as ow, ${spread} as created_at
           from unnest($1::text[]) t(tenant_id), generate_series(0, 19999) g) x`,
    [tenants, acmeOwners.ids, acmeOwners.teams, ['web', 'referral', 'event', 'outbound', 'partner']],
  );
  await client.query(
    `insert into companies select tenant_id, 'co' || g, 1, created_at, ${people}, ${teams}, false
     from (select t.tenant_id, g, ${h(1)} % 50 as ow, ${spread} as created_at
           from unnest($1::text[]) t(tenant_id), generate_series(0, 4999) g) x`,
    [tenants, acmeOwners.ids, acmeOwners.teams],
  );
  for (let lo = 1; lo <= ACTIVITIES; lo += CHUNK * 4) {
    checkDeadline();
    await client.query(
      `insert into activities select tenant_id, 'a' || g, 1, ($6::text[])[1 + ${h(3)} % 4], created_at,
         ${people}, ${teams}, 'c' || (${h(9)} % 20000), '', '', false
       from (select g, case when g % 2 = 0 then 'acme' else ($1::text[])[1 + (g / 2) % cardinality($1::text[])] end
               as tenant_id, ${h(1)} % 50 as ow, ${spread} as created_at
             from generate_series($4::int, $5::int) g) x`,
      [
        others,
        acmeOwners.ids,
        acmeOwners.teams,
        lo,
        Math.min(ACTIVITIES, lo + CHUNK * 4 - 1),
        ['call', 'email', 'meeting', 'note'],
      ],
    );
  }
  log(`seeded in ${((performance.now() - started) / 1000).toFixed(0)} s; building ${indexes.length} indexes`);
  for (const index of indexes) await client.query(index.indexdef);
  log(`indexes built at ${((performance.now() - started) / 1000).toFixed(0)} s; vacuum analyze`);
  await client.query('vacuum analyze');
  const { rows } = await client.query(
    `select (select count(*) from deals) as deals, (select count(*) from deal_stays) as stays,
            (select count(*) from deals where tenant_id = 'acme') as acme_deals,
            (select count(*) from deal_stays where tenant_id = 'acme') as acme_stays,
            pg_size_pretty(pg_database_size(current_database())) as size`,
  );
  log(
    `facts: ${rows[0].deals} deals (acme ${rows[0].acme_deals}), ${rows[0].stays} stage changes (acme ${rows[0].acme_stays}); database ${rows[0].size}; ${((performance.now() - started) / 1000).toFixed(0)} s`,
  );
}

/** `prepare` gives the call to time (tokens live 300 s: testkit's cache renews them, outside the timing). */
async function timeCalls(label, prepare) {
  await (
    await prepare()
  )(); // warm
  const latencies = [];
  for (let i = 0; i < SAMPLES; i++) {
    checkDeadline();
    const fn = await prepare();
    const t = performance.now();
    await fn();
    latencies.push(performance.now() - t);
  }
  const s = summary(latencies);
  console.log(`  ${label.padEnd(44)} p50 ${s.p50.toFixed(0).padStart(6)} ms   p95 ${s.p95.toFixed(0).padStart(6)} ms`);
  return s;
}

async function dashboardPart(ctx) {
  const acmeOwners = { ids: [], teams: [] };
  const demo = [
    [ctx.people.rep.sub, 'acme-east'],
    [ctx.people['acme-rep2'].sub, 'acme-east'],
    [ctx.people['acme-rep3'].sub, 'acme-west'],
    [ctx.people.manager.sub, 'acme-east'],
  ];
  const teams = ['acme-east', 'acme-west', 'acme-north', 'acme-south'];
  for (let i = 0; i < 50; i++) {
    const [id, team] = demo[i] ?? [`acme-u${i}`, teams[i % 4]];
    acmeOwners.ids.push(id);
    acmeOwners.teams.push(team);
  }
  const tenants = ['acme', 'globex', ...Array.from({ length: Math.max(0, TENANTS - 2) }, (_, i) => `bench-t${i + 3}`)];
  log(`seeding ${DEALS} deals, ~${STAYS} stage changes, ${ACTIVITIES} activities over ${tenants.length} tenants`);
  const client = new pg.Client({ connectionString: kit.databaseUrl(infra.postgresUrl, ctx.database) });
  await client.connect();
  try {
    const { rows } = await client.query('select count(*)::int as n from deals');
    if (rows[0].n > 0) log(`reusing ${ctx.database}: ${rows[0].n} deals already there`);
    else await seedFacts(client, tenants, acmeOwners);
  } finally {
    await client.end();
  }
  const grpc = new ReportingServiceClient(`127.0.0.1:${ctx.service.grpc}`, credentials.createInsecure());
  ctx.onExit(async () => grpc.close());
  const request = (groupBy, from = '2025-01-01', to = '2025-12-31') => ({
    dashboard: 'sales',
    from,
    to,
    period: '',
    groupBy,
    currency: '',
    table: '',
  });
  console.log(
    `\nGetDashboard sales at ${DEALS} deals / ${STAYS} stage changes (${SAMPLES} calls each after a warm-up; uptime: ${await uptime()}):`,
  );
  const results = {};
  for (const role of ['admin', 'manager', 'rep']) {
    // Not returned from an async function: the bound client is a proxy, and awaiting it would look for `then`.
    const as = async () => ({ reporting: bindClient(grpc, await userToken(ctx.people[role].user), 120_000) });
    const whole = await (await as()).reporting.getDashboard(request(''));
    const summaryTable = whole.tables.find((t) => t.name === 'summary');
    const won = summaryTable?.rows[0]?.values[summaryTable.columns.findIndex((c) => c.key === 'won_deals')]?.number;
    log(`${role} sees ${won} deals won in 2025`);
    for (const [label, req] of [
      ['2025, every table', request('')],
      ['2025 by month', request('month')],
      ['2025 by owner', request('owner')],
      ['2025-Q4, every table', request('', '2025-10-01', '2025-12-31')],
    ])
      results[`${role} ${label}`] = await timeCalls(`${role}: ${label}`, async () => {
        const { reporting } = await as();
        return () => reporting.getDashboard(req);
      });
  }
  return results;
}

// ---------------------------------------------------------------------------------------------------------------
// events as the pipeline and contact services publish them

function dealSnapshot(deal, version, stage, at) {
  return {
    id: deal.id,
    title: `Deal ${deal.id}`,
    amount: { amountMinor: deal.amount, currency: deal.currency },
    pipelineId: deal.pipelineId,
    stageId: stage.id,
    stageName: stage.id.slice(3),
    status: stage.kind,
    probability: stage.probability,
    forecastCategory: stage.category,
    ownerId: deal.ownerId,
    teamId: deal.teamId,
    contactId: deal.contactId,
    companyId: '',
    expectedCloseDate: deal.expectedCloseDate,
    closedAt: stage.kind === 'open' ? undefined : at,
    lostReason: stage.kind === 'lost' ? 'price' : '',
    deleted: false,
    version,
    createdAt: deal.createdAt,
  };
}

/** The state event of a deal's version (and its won/lost signal), as the pipeline service publishes them. */
function dealEvents(deal, version, stage, previousStage, at) {
  const payload = DealChanged.encode({
    deal: dealSnapshot(deal, version, stage, at),
    previous: previousStage ? dealSnapshot(deal, version - 1, previousStage, at) : undefined,
    changedFields: previousStage ? ['stage_id'] : [],
  }).finish();
  const event = (type) => ({
    type,
    tenantId: deal.tenantId,
    aggregateId: deal.id,
    aggregateVersion: version,
    ownerId: deal.ownerId,
    teamId: deal.teamId,
    payloadType: 'crm.pipeline.v1.DealChanged',
    payload,
    occurredAt: at,
  });
  const signal = stage.kind === 'won' ? 'deal.won' : stage.kind === 'lost' ? 'deal.lost' : undefined;
  return [event(previousStage ? 'deal.stage_changed' : 'deal.created'), ...(signal ? [event(signal)] : [])];
}

function contactEvent(tenantId, id, owner, at, leadSource) {
  return {
    type: 'contact.created',
    tenantId,
    aggregateId: id,
    aggregateVersion: 1,
    ownerId: owner.id,
    teamId: owner.team,
    payloadType: 'crm.contact.v1.ContactChanged',
    payload: ContactChanged.encode(
      ContactChanged.fromPartial({
        contact: {
          id,
          tenantId,
          firstName: 'A',
          lastName: 'B',
          lifecycleStage: 'lead',
          leadSource,
          tier: 'standard',
          ownerId: owner.id,
          teamId: owner.team,
          version: 1,
          createdAt: at,
          updatedAt: at,
        },
      }),
    ).finish(),
    occurredAt: at,
  };
}

function activityEvent(tenantId, id, owner, at, contactId, type) {
  return {
    type: 'activity.logged',
    tenantId,
    aggregateId: id,
    aggregateVersion: 1,
    ownerId: owner.id,
    teamId: owner.team,
    payloadType: 'crm.contact.v1.ActivityLogged',
    payload: ActivityLogged.encode(
      ActivityLogged.fromPartial({
        activity: {
          id,
          tenantId,
          type,
          contactId,
          subject: 's',
          occurredAt: at,
          ownerId: owner.id,
          teamId: owner.team,
          version: 1,
          createdAt: at,
          updatedAt: at,
        },
        contactLastActivityAt: at,
      }),
    ).finish(),
    occurredAt: at,
  };
}

/** Publishes as the owners do (Nats-Msg-Id = event id); resolves with the stream's ack. */
function publish(bus, event) {
  const message = kit.toEventMessage(event, { userId: event.ownerId || 'bench', clientId: 'bench' }, bus.namespace);
  return bus.js.publish(message.subject, message.data, { msgID: message.id });
}

function newDeal(n, tenantId, owner, prefix = 'bench') {
  const at = new Date(Date.UTC(2025, 0, 1) + (n % 365) * 86_400_000);
  return {
    id: `${prefix}-${n}`,
    tenantId,
    ownerId: owner.id,
    teamId: owner.team,
    pipelineId: `pl-${n % PIPELINES}`,
    amount: 10_000 + ((n * 7919) % 5_000_000),
    currency: ['USD', 'USD', 'EUR', 'GBP'][n % 4],
    contactId: `c${n % 20000}`,
    expectedCloseDate: new Date(at.getTime() + 60 * 86_400_000).toISOString().slice(0, 10),
    createdAt: at,
    version: 1,
    stage: 0,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// lag: a fixed offered rate, ack -> fact row visible

async function lagPart(ctx) {
  const owners = [ctx.people.rep, ctx.people.manager].map((p) => ({ id: p.sub, team: 'acme-east' }));
  const pool = new pg.Pool({ connectionString: kit.databaseUrl(infra.postgresUrl, ctx.database), max: 4 });
  ctx.onExit(() => pool.end());
  const pending = new Map(); // deal id -> { version, ackedAt, deal }
  const idle = [];
  const visible = [];
  const publishLatency = [];
  let published = 0;
  let failed = 0;
  let applied = 0;
  let polling = true;
  const poller = (async () => {
    while (polling || pending.size > 0) {
      if (pending.size > 0) {
        const ids = [...pending.keys()];
        const { rows } = await pool.query(
          `select deal_id, version from deals where tenant_id = 'acme' and deal_id = any($1::text[])`,
          [ids],
        );
        const now = performance.now();
        for (const row of rows) {
          const p = pending.get(row.deal_id);
          if (p && Number(row.version) >= p.version) {
            pending.delete(row.deal_id);
            visible.push(now - p.ackedAt);
            applied++;
            idle.push(p.deal);
          }
        }
        for (const [id, p] of pending)
          if (now - p.ackedAt > 60_000) {
            pending.delete(id);
            failed++;
          }
      }
      await sleep(5);
    }
  })();

  let n = 0;
  const write = async (i, deal) => {
    let events;
    if (deal) {
      const from = STAGES[deal.stage];
      deal.stage = (deal.stage + 1) % OPEN.length;
      deal.version++;
      events = dealEvents(deal, deal.version, STAGES[deal.stage], from, new Date());
    } else {
      deal = newDeal(i, 'acme', owners[i % owners.length], ctx.namespace);
      events = dealEvents(deal, 1, STAGES[0], undefined, new Date());
    }
    const started = performance.now();
    try {
      for (const event of events) await publish(ctx.bus, event);
      const ackedAt = performance.now();
      publishLatency.push(ackedAt - started);
      published++;
      pending.set(deal.id, { version: deal.version, ackedAt, deal });
    } catch {
      failed++;
    }
  };

  log(`lag: ${RATE} deal events/s for ${SECONDS} s (half creations, half stage moves), acme tenant`);
  const started = performance.now();
  const end = started + SECONDS * 1000;
  let behind = 0;
  const inFlight = new Set();
  const ticker = setInterval(() => {
    const s = (performance.now() - started) / 1000;
    if (Math.round(s) % 10 === 0)
      log(`${s.toFixed(0)} s: published ${published}, applied ${applied}, pending ${pending.size}`);
  }, 1000);
  try {
    while (performance.now() < end) {
      checkDeadline();
      const due = Math.floor(((performance.now() - started) / 1000) * RATE);
      while (n < due) {
        if (inFlight.size >= 512) {
          behind += due - n;
          n = due;
          break;
        }
        const i = n++;
        const deal =
          i % 2 === 1 && idle.length > 0 ? idle.splice(Math.floor(Math.random() * idle.length), 1)[0] : undefined;
        const p = write(i, deal).finally(() => inFlight.delete(p));
        inFlight.add(p);
      }
      await sleep(2);
    }
    await Promise.all([...inFlight]);
    const offeredSeconds = (performance.now() - started) / 1000;
    polling = false;
    await poller;
    const lagSummary = summary(visible);
    console.log(`\nProjection at ${RATE} offered events/s for ${SECONDS} s (uptime: ${await uptime()}):`);
    console.log(
      `  published ${published} (${(published / offeredSeconds).toFixed(0)}/s), applied ${applied}, not seen in 60 s or failed ${failed}, not offered (over 512 in flight) ${behind}`,
    );
    console.log(`  publish -> stream ack  ${summary(publishLatency).text}`);
    console.log(`  stream ack -> fact row ${lagSummary.text}`);

    // Throughput: a burst of creations published at once, timed until every row is there.
    log(`burst: ${BURST} deal creations published at once`);
    const burstStarted = performance.now();
    const burstDeals = [];
    for (let i = 0; i < BURST; i += 500) {
      checkDeadline();
      await Promise.all(
        Array.from({ length: Math.min(500, BURST - i) }, (_, j) => {
          const deal = newDeal(10_000_000 + i + j, 'acme', owners[j % owners.length], ctx.namespace);
          burstDeals.push(deal.id);
          return publish(ctx.bus, dealEvents(deal, 1, STAGES[0], undefined, new Date())[0]);
        }),
      );
    }
    const publishedIn = (performance.now() - burstStarted) / 1000;
    await eventually(
      async () => {
        checkDeadline();
        const { rows } = await pool.query(
          `select count(*)::int as n from deals where tenant_id = 'acme' and deal_id = any($1::text[])`,
          [burstDeals],
        );
        return rows[0].n === burstDeals.length ? true : undefined;
      },
      600_000,
      200,
    );
    const burstSeconds = (performance.now() - burstStarted) / 1000;
    console.log(
      `  burst of ${BURST} creations: published in ${publishedIn.toFixed(1)} s, all applied ${burstSeconds.toFixed(1)} s after the first: ${(BURST / burstSeconds).toFixed(0)} events/s (uptime: ${await uptime()})`,
    );
    return { lag: lagSummary, burstRate: BURST / burstSeconds };
  } finally {
    clearInterval(ticker);
    polling = false;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// rebuild: 1M events in the streams, `node dist/rebuild.js`

/** About 10 events per unit: a contact, a deal created and moved 4-5 times (won, lost or open), 3 activities. */
function* historyEvents(tenants) {
  let u = 0;
  for (;;) {
    const tenantId = tenants[u % tenants.length];
    const owner = { id: `${tenantId}-u${u % 50}`, team: `${tenantId}-t${u % 4}` };
    const at = new Date(Date.UTC(2025, 0, 1) + ((u * 37) % 365) * 86_400_000);
    const contactId = `rc${u}`;
    yield contactEvent(tenantId, contactId, owner, at, ['web', 'referral', 'event'][u % 3]);
    const deal = { ...newDeal(u, tenantId, owner), contactId, createdAt: at };
    yield* dealEvents(deal, 1, STAGES[0], undefined, at);
    for (let v = 2; v <= 5; v++) yield* dealEvents(deal, v, STAGES[v - 1], STAGES[v - 2], at);
    const outcome = u % 3 === 0 ? STAGES[5] : u % 3 === 1 ? STAGES[6] : undefined;
    if (outcome) yield* dealEvents(deal, 6, outcome, STAGES[4], new Date(at.getTime() + 30 * 86_400_000));
    for (let a = 0; a < 3; a++) yield activityEvent(tenantId, `ra${u}-${a}`, owner, at, contactId, 'call');
    u++;
  }
}

async function rebuildPart(ctx) {
  const namespace = uniqueNamespace('benchrb');
  const database = `bench_${namespace}_reporting`;
  const bus = await kit.connectBus({ url: infra.natsUrl, name: 'bench-rebuild', namespace });
  ctx.onExit(async () => {
    await dropNamespace(bus, [database]);
    await kit.drainBus(bus);
  });
  for (const stream of ['CONTACT', 'PIPELINE', 'TICKET', 'WORKFLOW']) await kit.ensureStream(bus, kit.STREAMS[stream]);
  log(`rebuild: publishing ${REBUILD_EVENTS} events into namespace ${namespace}`);
  const tenants = ['acme', 'globex', 'bench-t3', 'bench-t4', 'bench-t5'].slice(0, Math.max(1, TENANTS));
  const source = historyEvents(tenants);
  const started = performance.now();
  for (let done = 0; done < REBUILD_EVENTS; ) {
    checkDeadline();
    const batch = [];
    while (batch.length < 1000 && done + batch.length < REBUILD_EVENTS) batch.push(source.next().value);
    await Promise.all(batch.map((e) => publish(bus, e)));
    done += batch.length;
    if (done % 100_000 === 0 || done === REBUILD_EVENTS)
      log(`published ${done} (${Math.round(done / ((performance.now() - started) / 1000))}/s)`);
  }
  // What keeping the history in the streams costs: their bytes per event (retention sizing).
  let bytes = 0;
  let messages = 0;
  for (const stream of ['CONTACT', 'PIPELINE']) {
    const info = await bus.jsm.streams.info(kit.streamName(bus, stream));
    bytes += info.state.bytes;
    messages += info.state.messages;
  }
  log(
    `streams hold ${messages} events in ${(bytes / 2 ** 20).toFixed(0)} MiB: ${(bytes / messages).toFixed(0)} bytes per event`,
  );
  const child = spawn(process.execPath, ['dist/rebuild.js'], {
    cwd: serviceDir,
    env: {
      PATH: process.env.PATH,
      SERVICE_NAME: 'reporting',
      LOG_LEVEL: 'warn',
      NATS_URL: infra.natsUrl,
      NATS_NAMESPACE: namespace,
      OIDC_ISSUER: infra.issuer,
      MONGODB_URL: infra.mongoUrl,
      POSTGRES_URL: infra.postgresUrl,
      POSTGRES_DB: database,
      OIDC_CLIENT_ID: 'reporting-service',
      OIDC_CLIENT_SECRET: 'reporting-service-secret',
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  ctx.onExit(async () => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  let last = '';
  let lines = 0;
  child.stderr.on('data', (d) => {
    for (const line of String(d).split('\n').filter(Boolean)) {
      last = line;
      if (lines++ % 10 === 0 || /done|failed/.test(line)) log(line);
    }
  });
  const rebuildStarted = performance.now();
  const killer = setTimeout(() => child.kill('SIGKILL'), Math.max(1000, DEADLINE - Date.now()));
  const code = await new Promise((resolve) => child.on('exit', resolve));
  clearTimeout(killer);
  const seconds = (performance.now() - rebuildStarted) / 1000;
  if (code !== 0) throw new Error(`rebuild exited with ${code}: ${last}`);
  const client = new pg.Client({ connectionString: kit.databaseUrl(infra.postgresUrl, database) });
  await client.connect();
  const { rows } = await client.query(
    `select (select count(*) from deals)::int as deals, (select count(*) from deal_stays)::int as stays,
            (select count(*) from contacts)::int as contacts, (select count(*) from activities)::int as activities`,
  );
  await client.end();
  console.log(`\nRebuild of ${REBUILD_EVENTS} events (process start to exit; uptime: ${await uptime()}):`);
  console.log(
    `  ${seconds.toFixed(1)} s = ${(REBUILD_EVENTS / seconds).toFixed(0)} events/s; ${last.replace(/^\[rebuild\] /, '')}`,
  );
  console.log(
    `  facts: ${rows[0].deals} deals, ${rows[0].stays} stays, ${rows[0].contacts} contacts, ${rows[0].activities} activities`,
  );
  return { seconds };
}

async function uptime() {
  return execFileSync('uptime', { encoding: 'utf8' })
    .trim()
    .replace(/^.*load/, 'load');
}

run(async (onExit) => {
  log(`parts ${PARTS.join(', ')}${quick ? ' (quick)' : ''}; ${await uptime()}`);
  const people = await callers();
  const namespace = uniqueNamespace('benchrp');
  // BENCH_DATABASE: a database kept by BENCH_KEEP=1, whose facts are reused (not seeded again).
  const database = process.env.BENCH_DATABASE ?? `bench_${namespace}_reporting`;
  const keep = process.env.BENCH_KEEP === '1' || Boolean(process.env.BENCH_DATABASE);
  if (PARTS.includes('dashboard') || PARTS.includes('lag')) {
    const bus = await kit.connectBus({ url: infra.natsUrl, name: 'bench-reporting', namespace });
    onExit(async () => {
      await dropNamespace(bus, keep ? [] : [database], [`${database}_m`]);
      if (keep) log(`kept database ${database} (BENCH_DATABASE=${database} reuses it)`);
      await kit.drainBus(bus);
    });
    for (const stream of ['CONTACT', 'PIPELINE', 'TICKET', 'WORKFLOW'])
      await kit.ensureStream(bus, kit.STREAMS[stream]);
    const service = await startReporting(namespace, database);
    onExit(() => service.stop());
    const ctx = { people, namespace, database, bus, service, onExit };
    if (PARTS.includes('dashboard')) await dashboardPart(ctx);
    if (PARTS.includes('lag')) await lagPart(ctx);
  }
  if (PARTS.includes('rebuild')) await rebuildPart({ people, onExit });
});
