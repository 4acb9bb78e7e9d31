#!/usr/bin/env node
// Benchmark (not a test), issue 9: the time from an acknowledged contact write to its read-model row as another
// instance sees it, at a sustained write rate. Two contact instances (separate processes, built dist/main.js) share
// the stores; writes (creates with an email, and title PATCHes of contacts created earlier) go to instance A over
// gRPC with real tokens at a fixed rate (open loop); on each acknowledgement a separate connection pool (another
// reader of the read model, as instance B is) polls for the row at that version. Also samples the CONTACT stream's
// read-model consumer backlog every second (the projection must keep up) and how long it takes to drain after the
// load. Needs `pnpm build` and `pnpm infra up`.
//   BENCH_RATE (200 writes/s)  BENCH_SECONDS (300; e.g. 30 for a quick run)  BENCH_MAX_IN_FLIGHT (256)
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
// The stack runner the pipeline's benchmarks use: services as processes on fresh databases and a fresh namespace.
import { infra, log, run, startStack, summary, token } from '../../pipeline/bench/lib/stack.mjs';

const require = createRequire(import.meta.url);
const { credentials, Metadata } = require('@grpc/grpc-js');
const { ContactServiceClient } = require('@crm/proto/crm/contact/v1/contact');
const kit = require('@crm/service-kit');
const { contactReadModelMigrations } = require('../dist/store/read-model/migrations.js');

const RATE = Number(process.env.BENCH_RATE ?? 200);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 300);
const MAX_IN_FLIGHT = Number(process.env.BENCH_MAX_IN_FLIGHT ?? 256);
const VISIBLE_TIMEOUT_MS = 30_000;
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

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const input = (fields) => ({
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

run(async (onExit) => {
  const stack = await startStack({ contacts: 2, pipelines: 0 });
  onExit(() => stack.stop());
  const tokens = await Promise.all(USERS.map(token));
  const contacts = new ContactServiceClient(`127.0.0.1:${stack.contacts[0].grpc}`, credentials.createInsecure());
  onExit(async () => contacts.close());
  const observer = await kit.openReadModel({
    url: infra.postgresUrl,
    database: stack.db.contact,
    migrations: contactReadModelMigrations,
    poolSize: 20,
  });
  onExit(() => observer.close());
  const bus = await kit.connectBus({ url: infra.natsUrl, name: 'bench-contact-lag', namespace: stack.namespace });
  onExit(() => kit.drainBus(bus));
  const backlog = async () => {
    const info = await bus.jsm.consumers.info(kit.streamName(bus, 'CONTACT'), 'contact-read-model');
    return info.num_pending + info.num_ack_pending;
  };

  const writeLatency = [];
  const visibleLatency = [];
  const errors = new Map();
  let missing = 0;
  let issued = 0;
  let acked = 0;
  let inFlight = 0;
  let behind = 0;
  const idle = []; // contacts no write is under way for: { id, version, bearer }
  const watchers = new Set();

  const seeRow = async (id, version, ackedAt) => {
    for (;;) {
      const row = await observer.db.selectFrom('contacts').select('version').where('id', '=', id).executeTakeFirst();
      if (row && row.version >= version) return visibleLatency.push(performance.now() - ackedAt);
      if (performance.now() - ackedAt > VISIBLE_TIMEOUT_MS) return missing++;
      await sleep(2);
    }
  };

  const writeOnce = async (n) => {
    const contact =
      n % 2 === 1 && idle.length > 0 ? idle.splice(Math.floor(Math.random() * idle.length), 1)[0] : undefined;
    const bearer = contact?.bearer ?? tokens[n % tokens.length];
    const started = performance.now();
    try {
      const answer = contact
        ? await unary(
            contacts,
            'updateContact',
            {
              id: contact.id,
              expectedVersion: contact.version,
              contact: input({ title: `Title ${n}` }),
              updateMask: ['title'],
              allowDuplicates: false,
            },
            bearer,
          )
        : await unary(
            contacts,
            'createContact',
            {
              contact: input({
                firstName: 'Lag',
                lastName: `Writer ${n}`,
                emails: [{ address: `lag.${n}@lag.example`, primary: true, label: '' }],
              }),
              allowDuplicates: false,
            },
            bearer,
          );
      const ackedAt = performance.now();
      writeLatency.push(ackedAt - started);
      acked++;
      const watcher = seeRow(answer.contact.id, answer.contact.version, ackedAt).finally(() =>
        watchers.delete(watcher),
      );
      watchers.add(watcher);
      idle.push({ id: answer.contact.id, version: answer.contact.version, bearer });
    } catch (error) {
      const key = error?.details ?? String(error);
      errors.set(key, (errors.get(key) ?? 0) + 1);
      if (contact) idle.push(contact);
    }
  };

  log(`two contact instances up (namespace ${stack.namespace}); ${RATE} writes/s for ${SECONDS} s`);
  const backlogSamples = [];
  const started = performance.now();
  const sampler = setInterval(() => {
    backlog().then(
      (n) => backlogSamples.push(n),
      () => undefined,
    );
    const elapsed = (performance.now() - started) / 1000;
    if (Math.round(elapsed) % 10 === 0)
      log(
        `${elapsed.toFixed(0)} s: ${acked} acknowledged (${(acked / elapsed).toFixed(0)}/s), in flight ${inFlight}, consumer backlog ${backlogSamples.at(-1) ?? '?'}`,
      );
  }, 1_000);
  const end = started + SECONDS * 1000;
  while (performance.now() < end) {
    const due = Math.floor(((performance.now() - started) / 1000) * RATE);
    while (issued < due) {
      if (inFlight >= MAX_IN_FLIGHT) {
        behind += due - issued;
        issued = due;
        break;
      }
      const n = issued++;
      inFlight++;
      void writeOnce(n).finally(() => inFlight--);
    }
    await sleep(2);
  }
  while (inFlight > 0) await sleep(10);
  const elapsed = (performance.now() - started) / 1000;
  clearInterval(sampler);
  await Promise.all([...watchers]);
  const drainStarted = performance.now();
  let left = await backlog();
  while (left > 0 && performance.now() - drainStarted < 300_000) {
    await sleep(200);
    left = await backlog();
  }
  const drain = (performance.now() - drainStarted) / 1000;

  const errorCount = [...errors.values()].reduce((x, y) => x + y, 0);
  const sortedBacklog = [...backlogSamples].sort((x, y) => x - y);
  console.log(`\n${RATE} contact writes/s asked for ${SECONDS} s, to instance A; rows read back on another pool:`);
  console.log(
    `  writes acknowledged: ${acked} (${(acked / elapsed).toFixed(1)}/s), errors ${errorCount}${errorCount ? ` ${JSON.stringify(Object.fromEntries(errors))}` : ''}, not issued (over ${MAX_IN_FLIGHT} in flight): ${behind}`,
  );
  console.log(`  write latency       ${summary(writeLatency).text}`);
  console.log(
    `  ack -> row visible  ${summary(visibleLatency).text}; never seen within ${VISIBLE_TIMEOUT_MS / 1000} s: ${missing}`,
  );
  console.log(
    `  stream read-model consumer backlog (messages, sampled each second): p50 ${sortedBacklog[Math.floor(sortedBacklog.length / 2)] ?? '-'}, p99 ${sortedBacklog[Math.floor(sortedBacklog.length * 0.99)] ?? '-'}, max ${sortedBacklog.at(-1) ?? '-'}; drained ${left === 0 ? `${drain.toFixed(1)} s after the load` : `NOT within 300 s (${left} left)`}`,
  );
});
