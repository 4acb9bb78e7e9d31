#!/usr/bin/env node
// Benchmark (not a test): seeds 100k deals into a fresh database, rebuilds the board and forecast projections
// from them, then measures GetBoard and GetForecast latency through real gRPC with real Keycloak tokens, as an
// admin (whole tenant), a manager (team + own) and a rep (own). Needs `pnpm build` and the local
// infrastructure (`pnpm infra up`). Prints progress as it goes.
//   BENCH_DEALS (100000)  BENCH_SAMPLES (30)  BENCH_CARD_SAMPLES (2)  BENCH_BATCH (2000)
//   BENCH_KEEP=1 keeps the database; BENCH_DB=<name> measures an already seeded one instead of seeding (with
//   BENCH_REBUILD=1 rebuilding its projections first). BENCH_CARD_SAMPLES=0 skips the boards with deals;
//   BENCH_WRITE_SAMPLES (2) creates and moves that many deals (0 skips).
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';

const require = createRequire(import.meta.url);
const { credentials, Metadata } = require('@grpc/grpc-js');
const { PipelineServiceClient } = require('@crm/proto/crm/pipeline/v1/pipeline');
const { DealServiceClient } = require('@crm/proto/crm/pipeline/v1/deal');
const { decodeClaims, infraEnv, uniqueDbName, uniqueNamespace, userToken } = require('@crm/testkit');
const { pipelineEnvSchema } = require('../dist/config.js');
const { startPipelineService } = require('../dist/pipeline-service.js');
const { rebuildProjections } = require('../dist/app/rebuild-projections.js');
const { rankBetween } = require('../dist/domain/rank.js');
const { forecastDateOf } = require('../dist/domain/deal.js');
const { v7: uuidv7 } = require('uuid');

const DEALS = Number(process.env.BENCH_DEALS ?? 100_000);
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 30);
const CARD_SAMPLES = Number(process.env.BENCH_CARD_SAMPLES ?? 2);
const BATCH = Number(process.env.BENCH_BATCH ?? 2000);
const WRITE_SAMPLES = Number(process.env.BENCH_WRITE_SAMPLES ?? 2);

const log = (...args) => console.log(`[bench ${new Date().toISOString().slice(11, 19)}]`, ...args);
const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
const CURRENCIES = ['USD', 'USD', 'USD', 'EUR', 'GBP'];

function unary(client, method, request, token, timeoutMs = 600_000) {
  const metadata = new Metadata();
  metadata.set('authorization', `Bearer ${token}`);
  return new Promise((resolve, reject) =>
    client[method](request, metadata, { deadline: new Date(Date.now() + timeoutMs) }, (error, response) =>
      error ? reject(error) : resolve(response),
    ),
  );
}

/** Deterministic pseudo-random numbers, so every run seeds the same deals. */
function random(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

/** 50 owners: the demo users (so their tokens see their own deals) and synthetic colleagues in four teams. */
function owners(demo) {
  const list = [
    { ownerId: demo.rep1, teamId: 'acme-east' },
    { ownerId: demo.rep2, teamId: 'acme-east' },
    { ownerId: demo.rep3, teamId: 'acme-west' },
    { ownerId: demo.manager, teamId: 'acme-east' },
  ];
  const teams = ['acme-east', 'acme-west', 'acme-north', 'acme-south'];
  for (let i = list.length; i < 50; i++) list.push({ ownerId: `seed-user-${i}`, teamId: teams[i % teams.length] });
  return list;
}

async function seed(mongo, pipeline, people) {
  const deals = mongo.collection('deals');
  const next = random(42);
  const lastRank = new Map();
  const started = performance.now();
  const today = Date.UTC(2026, 0, 1);
  for (let at = 0; at < DEALS; at += BATCH) {
    const docs = [];
    for (let i = at; i < Math.min(DEALS, at + BATCH); i++) {
      const stage = pipeline.stages[Math.floor(next() * pipeline.stages.length)];
      const owner = people[Math.floor(next() * people.length)];
      const rank = rankBetween(lastRank.get(stage.id) ?? null, null);
      lastRank.set(stage.id, rank);
      const day = new Date(today + Math.floor(next() * 365) * 86_400_000);
      const closed = stage.kind !== 'open';
      const status = stage.kind;
      const closedAt = closed ? day : null;
      const expectedCloseDate = closed || next() < 0.9 ? day.toISOString().slice(0, 10) : '';
      const created = new Date(today - 86_400_000);
      docs.push({
        _id: uuidv7(),
        tenantId: 'acme',
        ...owner,
        version: 1,
        createdAt: created,
        updatedAt: created,
        deletedAt: null,
        outbox: [],
        title: `Seeded deal ${i}`,
        amountMinor: 1_000 + Math.floor(next() * 10_000_000),
        currency: CURRENCIES[i % CURRENCIES.length],
        pipelineId: pipeline.id,
        stageId: stage.id,
        status,
        contactId: '',
        companyId: '',
        contact: null,
        company: null,
        expectedCloseDate,
        nextStep: '',
        customFields: {},
        lostReason: status === 'lost' ? 'Seeded' : '',
        closedAt,
        rank,
        stageHistory: [{ stageId: stage.id, enteredAt: created, leftAt: null, by: owner.ownerId }],
        forecastDate: forecastDateOf({ status, closedAt, expectedCloseDate }),
      });
    }
    await deals.insertMany(docs, { ordered: false });
    const done = Math.min(DEALS, at + BATCH);
    if ((at / BATCH) % 5 === 0 || done >= DEALS)
      log(`seeded ${done}/${DEALS} deals (${Math.round(done / ((performance.now() - started) / 1000))}/s)`);
  }
}

async function measure(label, samples, call) {
  const times = [];
  let last;
  for (let i = 0; i < samples; i++) {
    const t0 = performance.now();
    last = await call();
    times.push(performance.now() - t0);
    if (samples > 5 && (i + 1) % 10 === 0) log(`  ${label}: ${i + 1}/${samples}`);
  }
  times.sort((a, b) => a - b);
  const row = {
    label,
    samples,
    p50: Math.round(pct(times, 50)),
    p95: Math.round(pct(times, 95)),
    max: Math.round(times[times.length - 1]),
  };
  log(`${label}: p50 ${row.p50} ms, p95 ${row.p95} ms, max ${row.max} ms (${samples} calls)`);
  return { row, last };
}

async function main() {
  const infra = infraEnv();
  const namespace = uniqueNamespace('pbench');
  const config = pipelineEnvSchema.parse({
    SERVICE_NAME: 'pipeline',
    LOG_LEVEL: 'warn',
    GRPC_PORT: '0',
    ADMIN_PORT: '0',
    MONGODB_URL: infra.mongoUrl,
    MONGODB_DB: process.env.BENCH_DB ?? uniqueDbName('pbench'),
    NATS_URL: infra.natsUrl,
    NATS_NAMESPACE: namespace,
    OIDC_ISSUER: infra.issuer,
    OIDC_CLIENT_ID: 'pipeline-service',
    OIDC_CLIENT_SECRET: 'pipeline-service-secret',
    CONTACT_GRPC_URL: '127.0.0.1:1',
    GRPC_DEFAULT_DEADLINE_MS: '600000',
  });
  log(`database ${config.MONGODB_DB}, NATS namespace ${namespace}`);
  const service = await startPipelineService(config, { exit: () => undefined });
  const address = `127.0.0.1:${service.grpcPort}`;
  const pipelines = new PipelineServiceClient(address, credentials.createInsecure());
  const dealsClient = new DealServiceClient(address, credentials.createInsecure());
  try {
    // Access tokens live 5 minutes and seeding takes longer: fetch them (testkit caches) right before each use.
    const tokens = {};
    const fresh = async () => {
      for (const u of ['acme-admin', 'acme-manager', 'acme-rep1', 'acme-rep2', 'acme-rep3'])
        tokens[u] = await userToken(u);
      return tokens;
    };
    await fresh();
    const sub = (u) => String(decodeClaims(tokens[u]).sub);
    const { pipeline } = await unary(pipelines, 'getPipeline', { id: '' }, tokens['acme-admin']);
    const people = owners({
      rep1: sub('acme-rep1'),
      rep2: sub('acme-rep2'),
      rep3: sub('acme-rep3'),
      manager: sub('acme-manager'),
    });

    if (process.env.BENCH_DB) log(`measuring the existing database ${process.env.BENCH_DB}`);
    else await seed(service.deps.mongo, pipeline, people);
    if (!process.env.BENCH_DB || process.env.BENCH_REBUILD) {
      const rebuildStarted = performance.now();
      const rebuilt = await rebuildProjections(
        service.app,
        'acme',
        (n) => n % 20_000 === 0 && log(`rebuild: read ${n}/${DEALS} deals`),
      );
      log(
        `projections rebuilt from ${rebuilt.deals} deals into ${rebuilt.documents} documents, and ${rebuilt.heads} column heads, in ${Math.round(performance.now() - rebuildStarted)} ms`,
      );
    }

    const rows = [];
    const callers = [
      ['admin', 'acme-admin'],
      ['manager', 'acme-manager'],
      ['rep', 'acme-rep1'],
    ];
    for (const [who, user] of callers) {
      await fresh();
      const board = await measure(`GetBoard totals (${who})`, SAMPLES, () =>
        unary(
          pipelines,
          'getBoard',
          { pipelineId: pipeline.id, dealsPerStage: -1, ownerId: '', teamId: '' },
          tokens[user],
        ),
      );
      rows.push(board.row);
      log(`  ${who} sees ${board.last.columns.reduce((n, c) => n + Number(c.dealCount), 0)} deals on the board`);
    }
    for (const [who, user] of callers) {
      await fresh();
      rows.push(
        (
          await measure(`GetForecast quarter (${who})`, SAMPLES, () =>
            unary(pipelines, 'getForecast', { quarter: '2026-Q2', pipelineId: '' }, tokens[user]),
          )
        ).row,
      );
      rows.push(
        (
          await measure(`GetForecast month (${who})`, SAMPLES, () =>
            unary(pipelines, 'getForecast', { month: '2026-03', pipelineId: '' }, tokens[user]),
          )
        ).row,
      );
    }
    rows.push(
      (
        await measure('GetForecast 12-month range (admin)', SAMPLES, () =>
          unary(
            pipelines,
            'getForecast',
            { range: { startDate: '2026-01-01', endDate: '2026-12-31' }, pipelineId: '' },
            tokens['acme-admin'],
          ),
        )
      ).row,
    );
    // The first page of each column is a ranked query on the deals collection itself.
    for (const [who, user] of CARD_SAMPLES > 0 ? callers : []) {
      await fresh();
      rows.push(
        (
          await measure(`GetBoard with 20 deals per stage (${who})`, CARD_SAMPLES, () =>
            unary(
              pipelines,
              'getBoard',
              { pipelineId: pipeline.id, dealsPerStage: 20, ownerId: '', teamId: '' },
              tokens[user],
            ),
          )
        ).row,
      );
    }
    await fresh();
    const {
      deals: [one],
    } = await unary(
      dealsClient,
      'listDeals',
      {
        filter: {
          pipelineId: pipeline.id,
          stageId: pipeline.stages[0].id,
          status: '',
          ownerId: '',
          teamId: '',
          contactId: '',
          companyId: '',
          includeDeleted: false,
        },
        page: { limit: 1, cursor: '' },
      },
      tokens['acme-rep1'],
    );
    rows.push(
      (
        await measure('GetDeal (rep)', Math.max(CARD_SAMPLES, 1), () =>
          unary(dealsClient, 'getDeal', { id: one.id, includeDeleted: false }, tokens['acme-rep1']),
        )
      ).row,
    );

    // Writes and a read of a freshly created (so last-stored) deal, for the cost of per-deal access at this size.
    for (let i = 0; i < WRITE_SAMPLES; i++) {
      await fresh();
      const rep = tokens['acme-rep1'];
      const { row: created, last } = await measure('CreateDeal (rep)', 1, () =>
        unary(
          dealsClient,
          'createDeal',
          {
            deal: {
              title: 'Bench',
              amount: { amountMinor: 100, currency: 'USD' },
              pipelineId: '',
              stageId: '',
              ownerId: '',
              teamId: '',
              contactId: '',
              companyId: '',
              expectedCloseDate: '',
              nextStep: '',
              customFields: undefined,
              lostReason: '',
            },
          },
          rep,
        ),
      );
      rows.push(created);
      rows.push(
        (
          await measure('GetDeal of the newest deal (rep)', 1, () =>
            unary(dealsClient, 'getDeal', { id: last.deal.id, includeDeleted: false }, rep),
          )
        ).row,
      );
      rows.push(
        (
          await measure('MoveDeal (rep)', 1, () =>
            unary(
              dealsClient,
              'moveDeal',
              {
                id: last.deal.id,
                expectedVersion: 1,
                stageId: pipeline.stages[1].id,
                afterDealId: '',
                beforeDealId: '',
                lostReason: '',
              },
              rep,
            ),
          )
        ).row,
      );
    }

    console.log('\n| call | samples | p50 ms | p95 ms | max ms |\n|---|---|---|---|---|');
    for (const r of rows) console.log(`| ${r.label} | ${r.samples} | ${r.p50} | ${r.p95} | ${r.max} |`);
  } finally {
    pipelines.close();
    dealsClient.close();
    if (!process.env.BENCH_KEEP && !process.env.BENCH_DB)
      await service.deps.mongo.dropDatabase().catch(() => undefined);
    await service.shutdown('benchmark done');
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
