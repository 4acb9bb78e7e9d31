#!/usr/bin/env node
// Benchmark (not a test), issue 9: 16 concurrent API clients through the real gateway, with real Keycloak tokens
// (rate limits raised by config), each creating a deal in one pipeline and moving it to another stage, over and
// over for 60 s. Prints errors (by status), deals/s, and create and move p50/p95/p99. Each service is its own
// process (contact, pipeline, gateway). Needs `pnpm build` and `pnpm infra up`.
//   BENCH_CLIENTS (16)  BENCH_SECONDS (60)  BENCH_WARMUP_SECONDS (3)
import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';
import { log, run, startStack, summary, token } from './lib/stack.mjs';

const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 16);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 60);
const WARMUP = Number(process.env.BENCH_WARMUP_SECONDS ?? 3);
const USERS = ['acme-rep1', 'acme-rep2', 'acme-rep3', 'acme-manager', 'acme-admin'];

function http(port, agent) {
  return (method, path, bearer, body, headers = {}) =>
    new Promise((resolve) => {
      const payload = body === undefined ? undefined : JSON.stringify(body);
      const req = request(
        {
          host: '127.0.0.1',
          port,
          path,
          method,
          agent,
          headers: {
            authorization: `Bearer ${bearer}`,
            ...(payload ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {}),
            ...headers,
          },
        },
        (res) => {
          let text = '';
          res.on('data', (c) => (text += c));
          res.on('end', () => resolve({ status: res.statusCode, body: text ? JSON.parse(text) : undefined }));
        },
      );
      req.on('error', (error) => resolve({ status: 0, body: { detail: String(error) } }));
      req.end(payload);
    });
}

run(async (onExit) => {
  const stack = await startStack({
    gateway: true,
    gatewayEnv: {
      RATE_LIMIT_CLIENT_BURST: '100000000',
      RATE_LIMIT_CLIENT_PER_SEC: '1000000',
      RATE_LIMIT_TENANT_BURST: '100000000',
      RATE_LIMIT_TENANT_PER_SEC: '1000000',
    },
  });
  onExit(() => stack.stop());
  const call = http(stack.gateway.http, new Agent({ keepAlive: true, maxSockets: CLIENTS * 2 }));
  const tokens = Object.fromEntries(await Promise.all(USERS.map(async (u) => [u, await token(u)])));
  const created = await call('POST', '/api/v1/pipelines', tokens['acme-admin'], { name: 'Bench pipeline' });
  if (created.status !== 201) throw new Error(`no pipeline: ${created.status} ${JSON.stringify(created.body)}`);
  const pipeline = created.body;
  const open = pipeline.stages.filter((s) => s.kind === 'open');
  log(`stack up (namespace ${stack.namespace}); ${CLIENTS} clients, ${WARMUP} s warm-up, then ${SECONDS} s`);

  const measure = async (seconds, record) => {
    const creates = [];
    const moves = [];
    const errors = new Map();
    let deals = 0;
    const fail = (what, answer) => {
      const key = `${what} ${answer.status} ${answer.body?.reason ?? answer.body?.title ?? ''}`.trim();
      errors.set(key, (errors.get(key) ?? 0) + 1);
    };
    const until = performance.now() + seconds * 1000;
    await Promise.all(
      Array.from({ length: CLIENTS }, async (_, client) => {
        const bearer = tokens[USERS[client % USERS.length]];
        for (let i = 0; performance.now() < until; i++) {
          let t = performance.now();
          const deal = await call('POST', '/api/v1/deals', bearer, {
            title: `Bench ${client}-${i}`,
            pipelineId: pipeline.id,
            stageId: open[0].id,
            amount: { amountMinor: 1000 + i, currency: 'USD' },
          });
          if (record) creates.push(performance.now() - t);
          if (deal.status !== 201) {
            if (record) fail('create', deal);
            continue;
          }
          t = performance.now();
          const moved = await call(
            'POST',
            `/api/v1/deals/${deal.body.id}/move`,
            bearer,
            { stageId: open[1 + (i % (open.length - 1))].id },
            { 'if-match': `"${deal.body.version}"` },
          );
          if (record) moves.push(performance.now() - t);
          if (moved.status !== 200) {
            if (record) fail('move', moved);
            continue;
          }
          if (record) deals++;
        }
      }),
    );
    return { creates, moves, errors, deals };
  };
  await measure(WARMUP, false);
  const started = performance.now();
  const { creates, moves, errors, deals } = await measure(SECONDS, true);
  const elapsed = (performance.now() - started) / 1000;
  const errorCount = [...errors.values()].reduce((a, b) => a + b, 0);
  console.log(`\n16 API clients through the gateway, one pipeline, ${elapsed.toFixed(1)} s:`);
  console.log(
    `  deals created and moved: ${deals} (${(deals / elapsed).toFixed(1)} deals/s, ${((creates.length + moves.length) / elapsed).toFixed(1)} requests/s)`,
  );
  console.log(`  errors: ${errorCount}${errorCount ? ` ${JSON.stringify(Object.fromEntries(errors))}` : ''}`);
  console.log(`  create  ${summary(creates).text}`);
  console.log(`  move    ${summary(moves).text}`);
});
