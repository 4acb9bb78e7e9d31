#!/usr/bin/env node
// Benchmark (not a test), issue 9: the board with 20 deals per column at 100k deals, for an admin (the tenant), a
// manager (their teams and their own) and a rep (their own), through real gRPC with real Keycloak tokens; also
// the totals-only board, forecasts, a deal list's first page and GetDeal. Seeds the deals through the service's
// own record store (event log, snapshots, read model, stream) in batches, waits for the PIPELINE stream's
// read-model consumer to drain, then measures. Needs `pnpm build` and `pnpm infra up`.
//   BENCH_DEALS (100000)  BENCH_SAMPLES (30)  BENCH_BATCH (1000)
//   BENCH_KEEP=1 keeps the databases; BENCH_NAME=<namespace> reuses a kept one (seeding only what is missing).
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import { infra, log, run, startStack, subjectOf, summary, token } from './lib/stack.mjs';

const require = createRequire(import.meta.url);
const { credentials, Metadata } = require('@grpc/grpc-js');
const { PipelineServiceClient } = require('@crm/proto/crm/pipeline/v1/pipeline');
const { DealServiceClient } = require('@crm/proto/crm/pipeline/v1/deal');
const kit = require('@crm/service-kit');
const { v7: uuidv7 } = require('uuid');
const { dealStore } = require('../dist/store/deal.records.js');
const { DealReadModel } = require('../dist/store/deal.read-model.js');
const { pipelineMigrations } = require('../dist/store/read-model.schema.js');
const { dealEvents } = require('../dist/events/deal-events.js');
const { stageLookupOf } = require('../dist/app/pipelines.js');
const { rankBetween } = require('../dist/domain/rank.js');
const { forecastDateOf } = require('../dist/domain/deal.js');

const DEALS = Number(process.env.BENCH_DEALS ?? 100_000);
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 30);
const BATCH = Number(process.env.BENCH_BATCH ?? 1000);
const CURRENCIES = ['USD', 'USD', 'USD', 'EUR', 'GBP'];

function unary(client, method, request, bearer) {
  const metadata = new Metadata();
  metadata.set('authorization', `Bearer ${bearer}`);
  return new Promise((resolve, reject) =>
    client[method](request, metadata, { deadline: new Date(Date.now() + 60_000) }, (error, response) =>
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

async function seed(stack, pipeline, people, existing) {
  const klog = kit.createLogger('bench', { level: 'warn' });
  const mongo = await kit.connectMongo({ url: infra.mongoUrl, dbName: stack.db.pipeline });
  const bus = await kit.connectBus({ url: infra.natsUrl, name: 'bench-seed', namespace: stack.namespace });
  const readModel = await kit.openReadModel({
    url: infra.postgresUrl,
    database: stack.db.pipeline,
    migrations: pipelineMigrations,
  });
  const deps = { mongo, events: new kit.EventLog(mongo), publisher: new kit.EventPublisher(bus), log: klog };
  const store = dealStore(deps, [new DealReadModel(readModel.db).projection()]);
  const service = kit.systemPrincipal('acme', 'pipeline-service');
  const stageOf = stageLookupOf([pipeline]);
  const next = random(42 + existing);
  const lastRank = new Map();
  const started = performance.now();
  const start = Date.UTC(2026, 0, 1);
  try {
    for (let at = existing; at < DEALS; at += BATCH) {
      const batch = [];
      for (let i = at; i < Math.min(DEALS, at + BATCH); i++) {
        const stage = pipeline.stages[Math.floor(next() * pipeline.stages.length)];
        const owner = people[Math.floor(next() * people.length)];
        const rank = rankBetween(lastRank.get(stage.id) ?? null, null);
        lastRank.set(stage.id, rank);
        const day = new Date(start + Math.floor(next() * 365) * 86_400_000);
        const status = stage.kind;
        const closedAt = status === 'open' ? null : day;
        const expectedCloseDate = status !== 'open' || next() < 0.9 ? day.toISOString().slice(0, 10) : '';
        const record = {
          _id: uuidv7(),
          ...owner,
          title: `Seeded deal ${i}`,
          amountMinor: 1_000 + Math.floor(next() * 10_000_000),
          currency: CURRENCIES[i % CURRENCIES.length],
          pipelineId: pipeline.id,
          stageId: stage.id,
          status,
          contactId: '',
          companyId: '',
          expectedCloseDate,
          nextStep: '',
          customFields: {},
          lostReason: status === 'lost' ? 'Seeded' : '',
          closedAt,
          rank,
          stageHistory: [{ stageId: stage.id, enteredAt: new Date(start), leftAt: null, by: owner.ownerId }],
          forecastDate: forecastDateOf({ status, closedAt, expectedCloseDate }),
        };
        const messages = dealEvents({
          state: 'deal.created',
          previous: undefined,
          changedFields: ['title', 'amount', 'pipeline_id', 'stage_id', 'owner_id'],
          stageOf,
          actor: service,
          namespace: stack.namespace,
        });
        batch.push({ record, messages });
      }
      await store.createMany(service, batch);
      const done = Math.min(DEALS, at + BATCH);
      if (((at - existing) / BATCH) % 10 === 0 || done >= DEALS)
        log(
          `seeded ${done}/${DEALS} deals (${Math.round((done - existing) / ((performance.now() - started) / 1000))}/s)`,
        );
    }
    await store.drain();
  } finally {
    await readModel.close();
    await kit.drainBus(bus);
    await mongo.close();
  }
}

async function countDeals(stack) {
  const readModel = await kit.openReadModel({
    url: infra.postgresUrl,
    database: stack.db.pipeline,
    migrations: pipelineMigrations,
  });
  try {
    const row = await readModel.db
      .selectFrom('deals')
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirst();
    return Number(row?.n ?? 0);
  } finally {
    await readModel.close();
  }
}

/** The service's consumer of its own stream re-applies what the seeding published; measure once it is idle. */
async function waitForConsumer(stack) {
  const bus = await kit.connectBus({ url: infra.natsUrl, name: 'bench-wait', namespace: stack.namespace });
  try {
    const stream = kit.streamName(bus, 'PIPELINE');
    for (;;) {
      const info = await bus.jsm.consumers.info(stream, 'pipeline-read-model');
      const left = info.num_pending + info.num_ack_pending;
      if (left === 0) return;
      log(`waiting for the read-model consumer: ${left} messages left`);
      await new Promise((r) => setTimeout(r, 5_000));
    }
  } finally {
    await kit.drainBus(bus);
  }
}

async function time(label, samples, fn) {
  await fn(); // warm
  const latencies = [];
  for (let i = 0; i < samples; i++) {
    const t = performance.now();
    await fn();
    latencies.push(performance.now() - t);
  }
  const s = summary(latencies);
  console.log(`  ${label.padEnd(44)} p50 ${s.p50.toFixed(1).padStart(7)} ms   p95 ${s.p95.toFixed(1).padStart(7)} ms`);
  return s;
}

run(async (onExit) => {
  const keep = process.env.BENCH_KEEP === '1' || Boolean(process.env.BENCH_NAME);
  const stack = await startStack({ name: process.env.BENCH_NAME, keep });
  onExit(() => stack.stop());
  const [admin, manager, rep1, rep2, rep3] = await Promise.all(
    ['acme-admin', 'acme-manager', 'acme-rep1', 'acme-rep2', 'acme-rep3'].map(token),
  );
  const address = `127.0.0.1:${stack.pipelines[0].grpc}`;
  const pipelines = new PipelineServiceClient(address, credentials.createInsecure());
  const deals = new DealServiceClient(address, credentials.createInsecure());
  onExit(async () => {
    pipelines.close();
    deals.close();
  });
  const { pipeline } = await unary(pipelines, 'getPipeline', { id: '' }, admin);
  const people = owners({
    rep1: subjectOf(rep1),
    rep2: subjectOf(rep2),
    rep3: subjectOf(rep3),
    manager: subjectOf(manager),
  });
  const existing = await countDeals(stack);
  if (existing < DEALS) {
    log(`seeding ${DEALS - existing} deals into ${stack.db.pipeline} (namespace ${stack.namespace})`);
    await seed(stack, pipeline, people, existing);
  }
  await waitForConsumer(stack);

  // Seeding takes longer than a token lives: the measured calls use fresh ones.
  const roles = {
    admin: await token('acme-admin'),
    manager: await token('acme-manager'),
    rep: await token('acme-rep1'),
  };
  for (const [role, bearer] of Object.entries(roles)) {
    const board = await unary(
      pipelines,
      'getBoard',
      { pipelineId: pipeline.id, dealsPerStage: -1, ownerId: '', teamId: '' },
      bearer,
    );
    log(`${role} sees ${board.columns.reduce((n, c) => n + Number(c.dealCount), 0)} deals`);
  }
  console.log(`\nGetBoard and friends at ${DEALS} deals (${SAMPLES} calls each, after one warm-up call):`);
  for (const [role, bearer] of Object.entries(roles))
    await time(`GetBoard 20 deals per stage, ${role}`, SAMPLES, () =>
      unary(pipelines, 'getBoard', { pipelineId: pipeline.id, dealsPerStage: 20, ownerId: '', teamId: '' }, bearer),
    );
  for (const [role, bearer] of Object.entries(roles))
    await time(`GetBoard totals only, ${role}`, SAMPLES, () =>
      unary(pipelines, 'getBoard', { pipelineId: pipeline.id, dealsPerStage: -1, ownerId: '', teamId: '' }, bearer),
    );
  for (const [role, bearer] of Object.entries(roles))
    await time(`GetForecast quarter, ${role}`, SAMPLES, () =>
      unary(pipelines, 'getForecast', { quarter: '2026-Q2', pipelineId: '' }, bearer),
    );
  await time('GetForecast month, admin', SAMPLES, () =>
    unary(pipelines, 'getForecast', { month: '2026-05', pipelineId: '' }, roles.admin),
  );
  await time('GetForecast 12-month range, admin', SAMPLES, () =>
    unary(
      pipelines,
      'getForecast',
      { range: { startDate: '2026-01-01', endDate: '2026-12-31' }, pipelineId: '' },
      roles.admin,
    ),
  );
  const filter = {
    pipelineId: pipeline.id,
    stageId: '',
    status: '',
    ownerId: '',
    teamId: '',
    contactId: '',
    companyId: '',
    includeDeleted: false,
  };
  for (const [role, bearer] of Object.entries(roles))
    await time(`ListDeals first page of 50, ${role}`, SAMPLES, () =>
      unary(deals, 'listDeals', { filter, page: { limit: 50, cursor: '' } }, bearer),
    );
  const { deals: sample } = await unary(deals, 'listDeals', { filter, page: { limit: 1, cursor: '' } }, roles.admin);
  await time('GetDeal', SAMPLES, () =>
    unary(deals, 'getDeal', { id: sample[0].id, includeDeleted: false }, roles.admin),
  );
});
