#!/usr/bin/env node
// Benchmark (not a test), issue 9: the time from an acknowledged write to its read-model row as another instance
// sees it, at a sustained write rate. Two pipeline instances share the stores; writes (creates, and stage moves of
// deals created earlier) go to instance A over gRPC with real tokens, at a fixed rate (open loop); on each
// acknowledgement a separate connection pool (another reader of the read model, as instance B is) polls for the
// row at that version. Also samples the PIPELINE stream's read-model consumer backlog every second (the
// projection must keep up) and, after the load, how long it takes to drain (the loop is the test kit's
// measureProjectionLag, shared with the contact service's). Needs `pnpm build`, `pnpm infra up`.
//   BENCH_RATE (200 writes/s)  BENCH_SECONDS (300; e.g. 30 for a quick run)  BENCH_MAX_IN_FLIGHT (256)
import { createRequire } from 'node:module';
import { infra, log, run, startStack, token } from './lib/stack.mjs';

const require = createRequire(import.meta.url);
const { credentials, Metadata } = require('@grpc/grpc-js');
const { DealServiceClient } = require('@crm/proto/crm/pipeline/v1/deal');
const { PipelineServiceClient } = require('@crm/proto/crm/pipeline/v1/pipeline');
const kit = require('@crm/service-kit');
const { measureProjectionLag, projectionLagReport } = require('@crm/testkit');
const { pipelineMigrations } = require('../dist/store/read-model.schema.js');

const RATE = Number(process.env.BENCH_RATE ?? 200);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 300);
const MAX_IN_FLIGHT = Number(process.env.BENCH_MAX_IN_FLIGHT ?? 256);
const USERS = ['acme-rep1', 'acme-rep2', 'acme-rep3', 'acme-manager'];

function unary(client, method, request, bearer) {
  const metadata = new Metadata();
  metadata.set('authorization', `Bearer ${bearer}`);
  return new Promise((resolve, reject) =>
    client[method](request, metadata, { deadline: new Date(Date.now() + 10_000) }, (error, response) =>
      error ? reject(error) : resolve(response),
    ),
  );
}

run(async (onExit) => {
  const stack = await startStack({ pipelines: 2 });
  onExit(() => stack.stop());
  const tokens = await Promise.all(USERS.map(token));
  const [a, b] = stack.pipelines.map((p) => `127.0.0.1:${p.grpc}`);
  const deals = new DealServiceClient(a, credentials.createInsecure());
  const pipelines = new PipelineServiceClient(b, credentials.createInsecure());
  onExit(async () => {
    deals.close();
    pipelines.close();
  });
  const { pipeline } = await unary(pipelines, 'getPipeline', { id: '' }, tokens[0]);
  const open = pipeline.stages.filter((s) => s.kind === 'open');
  const observer = await kit.openReadModel({
    url: infra.postgresUrl,
    database: stack.db.pipeline,
    migrations: pipelineMigrations,
    poolSize: 20,
  });
  onExit(() => observer.close());
  const bus = await kit.connectBus({ url: infra.natsUrl, name: 'bench-lag', namespace: stack.namespace });
  onExit(() => kit.drainBus(bus));
  const backlog = async () => {
    const info = await bus.jsm.consumers.info(kit.streamName(bus, 'PIPELINE'), 'pipeline-read-model');
    return info.num_pending + info.num_ack_pending;
  };

  // Every second write moves a deal written earlier (at the version acknowledged) to the next open stage.
  const write = async (n, deal) => {
    const bearer = deal?.bearer ?? tokens[n % tokens.length];
    const answer = deal
      ? await unary(
          deals,
          'moveDeal',
          {
            id: deal.id,
            expectedVersion: deal.version,
            stageId: open[(open.findIndex((s) => s.id === deal.stage) + 1) % open.length].id,
            afterDealId: '',
            beforeDealId: '',
            lostReason: '',
          },
          bearer,
        )
      : await unary(
          deals,
          'createDeal',
          {
            deal: {
              title: `Lag ${n}`,
              amount: { amountMinor: n, currency: 'USD' },
              pipelineId: pipeline.id,
              stageId: open[0].id,
              ownerId: '',
              teamId: '',
              contactId: '',
              companyId: '',
              expectedCloseDate: '',
              nextStep: '',
              lostReason: '',
            },
          },
          bearer,
        );
    return { id: answer.deal.id, version: answer.deal.version, stage: answer.deal.stageId, bearer };
  };
  const rowVersion = async (id) =>
    (await observer.db.selectFrom('deals').select('version').where('id', '=', id).executeTakeFirst())?.version;

  log(`two pipeline instances up (namespace ${stack.namespace}); ${RATE} writes/s for ${SECONDS} s`);
  const result = await measureProjectionLag({
    rate: RATE,
    seconds: SECONDS,
    maxInFlight: MAX_IN_FLIGHT,
    write,
    rowVersion,
    backlog,
    log,
  });
  console.log(projectionLagReport('deal', result));
});
