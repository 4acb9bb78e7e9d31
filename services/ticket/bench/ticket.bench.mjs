#!/usr/bin/env node
// Benchmark (not a test), issue 10. On the real servers with real Keycloak tokens, the contact and ticket services
// each in its own process (dist/main.js, as the stack runner and the containers start them):
//   0. BENCH_OPEN_TICKETS (10k) open tickets are seeded through the service's own record store (event log,
//      snapshots, read model) with their SLA clocks and durable timers (a warning and a breach timer per running
//      target, due days ahead), in batches; they publish no events;
//   1. ticket create p50/p95/p99 under BENCH_CONCURRENCY (16) concurrent clients: BENCH_CREATES gRPC CreateTicket
//      calls as a support agent (requester matched or created through the contact service, SLA policy applied,
//      timers scheduled, events published). Each is urgent with a BENCH_PROBE_TARGET-second first-reply target,
//      so their warnings and breaches come due while the creates go on;
//   2. SLA timer lateness (a `crm.ticket.sla_breached` event's occurred_at against the target's due time) with the
//      open tickets' timers pending: (a) of step 1's tickets, whose timers come due as fast as the saturated
//      service creates tickets (a backlog measure); (b) of BENCH_PROBES tickets created at a fixed offered rate of
//      BENCH_PROBE_RATE a second with nothing else running (the accuracy the issue asks for);
//   3. the "breaching soonest" queue's first page (view=breaching, 50 rows) p50/p95 once the tickets number
//      BENCH_QUEUE_TICKETS (100k; the rest written straight into the read model and the snapshots, without
//      events or timers), for an admin, a support manager and an agent.
// Needs `pnpm build` and the local infrastructure (`pnpm infra up`). The run ends after BENCH_TIMEOUT_SECONDS at
// the latest (figures measured so far are printed; the services and databases are removed), also on Ctrl-C.
//   BENCH_OPEN_TICKETS (10000)  BENCH_CREATES (1000)  BENCH_CONCURRENCY (16)  BENCH_PROBE_TARGET (60)
//   BENCH_PROBES (200)  BENCH_PROBE_RATE (4)  BENCH_QUEUE_TICKETS (100000)  BENCH_SAMPLES (50)  BENCH_BATCH (1000)
//   BENCH_TIMEOUT_SECONDS (2400)  BENCH_NODE_OPTIONS: node options of the two services, e.g. to profile them:
//   BENCH_NODE_OPTIONS="--cpu-prof --cpu-prof-dir=/tmp/prof" (then `node scripts/flamegraph.mjs` on a profile).
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { cpus, loadavg } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const { credentials, Metadata } = require('@grpc/grpc-js');
const kit = require('@crm/service-kit');
const { v7: uuidv7 } = require('uuid');
const { CreateTicketRequest, ListTicketsRequest, TicketServiceClient } = require('@crm/proto/crm/ticket/v1/ticket');
const { CreateSlaPolicyRequest, SlaServiceClient } = require('@crm/proto/crm/ticket/v1/sla');
const { TicketSlaEvent } = require('@crm/proto/crm/ticket/v1/events');
const { Envelope } = require('@crm/proto/crm/events/v1/envelope');
const { sql } = require('kysely');
const { createTicketStores } = require('../dist/store/ticket-store.js');
const { TicketTimerProjection } = require('../dist/store/ticket-timers.js');
const { ticketMigrations, ticketRow } = require('../dist/store/read-model.js');
const { SlaContext, applySla } = require('../dist/app/sla-context.js');
const { searchTextOf } = require('../dist/domain/ticket.js');

const OPEN_TICKETS = Number(process.env.BENCH_OPEN_TICKETS ?? 10_000);
const CREATES = Number(process.env.BENCH_CREATES ?? 1000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const PROBE_TARGET = Number(process.env.BENCH_PROBE_TARGET ?? 60);
const PROBES = Number(process.env.BENCH_PROBES ?? 200);
const PROBE_RATE = Number(process.env.BENCH_PROBE_RATE ?? 4);
const TIMEOUT_SECONDS = Number(process.env.BENCH_TIMEOUT_SECONDS ?? 2400);
const QUEUE_TICKETS = Number(process.env.BENCH_QUEUE_TICKETS ?? 100_000);
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 50);
const BATCH = Number(process.env.BENCH_BATCH ?? 1000);
const DAY = 86_400;

const here = path.dirname(fileURLToPath(import.meta.url));
const serviceDir = path.resolve(here, '..');
const repoRoot = path.resolve(here, '../../..');
const infra = {
  mongoUrl: process.env.MONGODB_URL ?? 'mongodb://127.0.0.1:27017',
  postgresUrl: process.env.POSTGRES_URL ?? 'postgres://crm@127.0.0.1:5433',
  natsUrl: process.env.NATS_URL ?? 'nats://127.0.0.1:4222',
  issuer: `${(process.env.KEYCLOAK_URL ?? 'http://127.0.0.1:8180').replace(/\/$/, '')}/realms/crm`,
};

const log = (...args) => console.log(`[bench ${new Date().toISOString().slice(11, 19)}]`, ...args);

function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

function summary(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const f = (v) => (Number.isFinite(v) ? v.toFixed(1) : '-');
  return `p50 ${f(percentile(sorted, 50))} ms  p95 ${f(percentile(sorted, 95))} ms  p99 ${f(percentile(sorted, 99))} ms  max ${f(sorted.at(-1) ?? NaN)} ms  (n=${sorted.length})`;
}

async function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

/**
 * A demo user's token, fetched again before it expires (the dev realm's tokens live 5 minutes). One request at a
 * time: concurrent password grants for one user are refused by Keycloak, and the realm locks users out.
 */
function tokenOf(username) {
  let current = { value: Promise.resolve(''), at: 0 };
  const fetchToken = async () => {
    const response = await fetch(`${infra.issuer}/protocol/openid-connect/token`, {
      method: 'POST',
      body: new URLSearchParams({ grant_type: 'password', client_id: 'crm-cli', username, password: 'demo' }),
    });
    if (!response.ok) throw new Error(`no token for ${username}: ${response.status} ${await response.text()}`);
    return (await response.json()).access_token;
  };
  return () => {
    if (Date.now() - current.at > 120_000) current = { value: fetchToken(), at: Date.now() };
    return current.value;
  };
}

function unary(client, method, request, bearer) {
  const metadata = new Metadata();
  metadata.set('authorization', `Bearer ${bearer}`);
  return new Promise((resolve, reject) =>
    client[method](request, metadata, { deadline: new Date(Date.now() + 30_000) }, (error, response) =>
      error ? reject(error) : resolve(response),
    ),
  );
}

async function waitReady(url, name) {
  for (let i = 0; i < 480; i++) {
    if (
      await fetch(url).then(
        (r) => r.ok,
        () => false,
      )
    )
      return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${name} not ready at ${url}`);
}

async function startStack() {
  const namespace = `bench${Date.now().toString(36)}`;
  const db = { contact: `bench_${namespace}_contact`, ticket: `bench_${namespace}_ticket` };
  const children = [];
  const common = {
    PATH: process.env.PATH,
    LOG_LEVEL: 'warn',
    NATS_URL: infra.natsUrl,
    NATS_NAMESPACE: namespace,
    OIDC_ISSUER: infra.issuer,
    MONGODB_URL: infra.mongoUrl,
    POSTGRES_URL: infra.postgresUrl,
    ...(process.env.BENCH_NODE_OPTIONS ? { NODE_OPTIONS: process.env.BENCH_NODE_OPTIONS } : {}),
  };
  const start = async (name, env) => {
    const ports = { grpc: await freePort(), admin: await freePort() };
    const child = spawn(process.execPath, ['dist/main.js'], {
      cwd: path.join(repoRoot, 'services', name),
      env: {
        ...common,
        SERVICE_NAME: name,
        GRPC_PORT: String(ports.grpc),
        ADMIN_PORT: String(ports.admin),
        MONGODB_DB: db[name],
        POSTGRES_DB: db[name],
        OIDC_CLIENT_ID: `${name}-service`,
        OIDC_CLIENT_SECRET: `${name}-service-secret`,
        ...env,
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    child.stderr.on('data', (d) => process.stderr.write(`[${name}] ${d}`));
    children.push(child);
    await waitReady(`http://127.0.0.1:${ports.admin}/readyz`, name);
    return ports;
  };
  const contact = await start('contact', {});
  const ticket = await start('ticket', {
    CONTACT_GRPC_URL: `127.0.0.1:${contact.grpc}`,
    TICKET_CSAT_SECRET: 'bench-only-csat-secret-0123456789abcdef',
  });
  return {
    namespace,
    db,
    ticket,
    async stop() {
      await Promise.all(
        children.map(
          (child) =>
            new Promise((resolve) => {
              if (child.exitCode !== null) return resolve();
              child.on('exit', resolve);
              child.kill('SIGTERM');
              setTimeout(() => child.kill('SIGKILL'), 30_000).unref();
            }),
        ),
      );
      for (const name of Object.values(db)) {
        const mongo = await kit.connectMongo({ url: infra.mongoUrl, dbName: name });
        await mongo.dropDatabase();
        await mongo.close();
        await kit.dropDatabase(infra.postgresUrl, name);
      }
    },
  };
}

/** Runs `count` jobs with `concurrency` workers; returns each job's latency in ms. */
async function concurrently(count, concurrency, job, onProgress) {
  const latencies = [];
  let next = 0;
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= count) return;
      const t = performance.now();
      await job(i);
      latencies.push(performance.now() - t);
      if (latencies.length % 1000 === 0) onProgress?.(latencies.length);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return latencies;
}

async function createPolicies(sla, admin) {
  const policy = (name, position, tags, targets, warningPercent) => ({
    name,
    position,
    conditions: { priorities: [], groupIds: [], channels: [], types: [], tags },
    calendarId: '',
    targets,
    pauseStatuses: [],
    fulfilStatuses: [],
    warningPercent,
    enabled: true,
  });
  await unary(
    sla,
    'createSlaPolicy',
    CreateSlaPolicyRequest.fromPartial({
      policy: policy(
        'Bench probes',
        1,
        ['bench-probe'],
        [{ priority: 'urgent', metric: 'first_reply', targetSeconds: PROBE_TARGET, businessHours: false }],
        50,
      ),
    }),
    admin,
  );
  const targets = ['low', 'normal', 'high', 'urgent'].flatMap((priority, i) => [
    { priority, metric: 'first_reply', targetSeconds: (3 - i * 0.5) * DAY, businessHours: false },
    { priority, metric: 'resolution', targetSeconds: (7 - i) * DAY, businessHours: false },
  ]);
  await unary(
    sla,
    'createSlaPolicy',
    CreateSlaPolicyRequest.fromPartial({ policy: policy('Bench standard', 2, [], targets, 75) }),
    admin,
  );
}

async function pendingTimers(stack) {
  const readModel = await kit.openReadModel({
    url: infra.postgresUrl,
    database: stack.db.ticket,
    migrations: ticketMigrations,
  });
  try {
    const { rows } = await sql`select count(*)::int as n from kit_timers where fired_at is null`.execute(readModel.db);
    return Number(rows[0]?.n ?? 0);
  } finally {
    await readModel.close();
  }
}

/** Watches `crm.ticket.sla_breached`: each ticket's first breach lateness (occurred_at - due_at), by ticket id. */
async function watchBreaches(stack, name) {
  const bus = await kit.connectBus({ url: infra.natsUrl, name, namespace: stack.namespace });
  const lateness = new Map();
  const consumer = await bus.js.consumers.get(kit.streamName(bus, 'TICKET'), {
    filter_subjects: [kit.subjectOf(bus, 'crm.ticket.sla_breached')],
  });
  const messages = await consumer.consume();
  const waiters = new Set();
  const reading = (async () => {
    for await (const message of messages) {
      const envelope = Envelope.decode(message.data);
      if (lateness.has(envelope.aggregateId)) continue;
      const event = TicketSlaEvent.decode(envelope.payload?.value ?? new Uint8Array());
      lateness.set(envelope.aggregateId, envelope.occurredAt.getTime() - event.target.dueAt.getTime());
      for (const waiter of waiters) waiter();
    }
  })();
  return {
    lateness,
    /** Resolves once every id has its breach, or after `seconds`. */
    async until(ids, seconds) {
      const deadline = Date.now() + seconds * 1000;
      const progress = setInterval(
        () => log(`breaches seen: ${[...ids].filter((id) => lateness.has(id)).length}/${ids.size}`),
        10_000,
      );
      try {
        while ([...ids].some((id) => !lateness.has(id)) && Date.now() < deadline)
          await new Promise((resolve) => {
            waiters.add(resolve);
            setTimeout(resolve, 1000);
          }).finally(() => waiters.clear());
      } finally {
        clearInterval(progress);
      }
      return [...ids].filter((id) => lateness.has(id)).map((id) => lateness.get(id));
    },
    async close() {
      messages.stop();
      await reading.catch(() => undefined);
      await kit.drainBus(bus);
    },
  };
}

const probeTicket = (subject, i) =>
  CreateTicketRequest.fromPartial({
    ticket: {
      subject: `${subject} ${i}: printer offline`,
      description: 'The printer on floor 3 shows error E42.',
      requesterEmail: `requester${i % 500}@bench.example.test`,
      priority: 'urgent',
      tags: ['bench-probe'],
      channel: 'email',
    },
  });

async function measureCreatesAndTimers(stack, tickets, agent) {
  log(`${await pendingTimers(stack)} timers pending; ${CREATES} creates with ${CONCURRENCY} clients`);
  const breaches = await watchBreaches(stack, 'bench-timers');
  const ids = new Set();
  try {
    const started = performance.now();
    const latencies = await concurrently(
      CREATES,
      CONCURRENCY,
      async (i) => {
        const { ticket } = await unary(tickets, 'createTicket', probeTicket('Bench ticket', i), await agent());
        ids.add(ticket.id);
      },
      (done) => log(`created ${done}/${CREATES}`),
    );
    const seconds = (performance.now() - started) / 1000;
    console.log(`\n1. ticket create, ${CONCURRENCY} concurrent clients (gRPC CreateTicket as a support agent)`);
    console.log(`   ${summary(latencies)}   ${(CREATES / seconds).toFixed(1)} tickets/s`);
    const values = await breaches.until(ids, PROBE_TARGET + 300);
    console.log(
      `\n2a. SLA timer lateness of step 1's tickets (${PROBE_TARGET} s targets coming due at the saturated create rate, ${OPEN_TICKETS} open tickets' timers pending)`,
    );
    console.log(`   ${summary(values)}   ${ids.size - values.length} tickets without a breach event`);
  } finally {
    await breaches.close();
  }
}

/** Probe tickets at a fixed offered rate, nothing else running: their breach events' lateness. */
async function measureTimerAccuracy(stack, tickets, agent) {
  if (PROBES <= 0) return;
  log(`${await pendingTimers(stack)} timers pending; ${PROBES} probes at ${PROBE_RATE}/s`);
  const breaches = await watchBreaches(stack, 'bench-probes');
  const ids = new Set();
  try {
    const started = performance.now();
    const calls = [];
    for (let i = 0; i < PROBES; i++) {
      const wait = started + (i * 1000) / PROBE_RATE - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      calls.push(
        agent().then((token) =>
          unary(tickets, 'createTicket', probeTicket('Probe', i), token).then(({ ticket }) => ids.add(ticket.id)),
        ),
      );
    }
    await Promise.all(calls);
    const values = await breaches.until(ids, PROBE_TARGET + 300);
    console.log(
      `\n2b. SLA timer lateness at a fixed rate (${PROBES} tickets at ${PROBE_RATE}/s, ${PROBE_TARGET} s targets, ${OPEN_TICKETS} open tickets' timers pending)`,
    );
    console.log(`   ${summary(values)}   ${ids.size - values.length} tickets without a breach event`);
  } finally {
    await breaches.close();
  }
}

/**
 * Seeds tickets [from, to) through the service's record store, with their durable timers if `timers`; `direct`
 * writes the snapshots and read-model rows straight (no events, no timers), as a quick way to a large queue.
 */
async function seed(stack, people, from, to, { timers, statuses, spreadSeconds, direct = false }) {
  const klog = kit.createLogger('bench', { level: 'warn' });
  const mongo = await kit.connectMongo({ url: infra.mongoUrl, dbName: stack.db.ticket });
  const bus = await kit.connectBus({ url: infra.natsUrl, name: 'bench-seed', namespace: stack.namespace });
  const readModel = await kit.openReadModel({
    url: infra.postgresUrl,
    database: stack.db.ticket,
    migrations: ticketMigrations,
  });
  let now = new Date();
  const projection = timers
    ? new TicketTimerProjection(readModel.db, () => durableTimers, 4 * DAY * 1000, klog)
    : undefined;
  const durableTimers = new kit.DurableTimers(readModel.db, { log: klog });
  const stores = createTicketStores(
    {
      mongo,
      db: readModel.db,
      events: new kit.EventLog(mongo),
      publisher: new kit.EventPublisher(bus),
      log: klog,
      clock: () => now,
    },
    projection ? [projection] : [],
  );
  const sla = await new SlaContext(stores).load('acme');
  const service = kit.systemPrincipal('acme', 'ticket');
  const priorities = ['low', 'normal', 'normal', 'high', 'urgent'];
  const end = Date.now();
  const started = performance.now();
  try {
    for (let at = from; at < to; at += BATCH) {
      now = new Date(end - Math.floor(((to - at) / (to - from)) * spreadSeconds * 1000));
      const batch = [];
      for (let i = at; i < Math.min(to, at + BATCH); i++) {
        const person = people[i % people.length];
        const status = statuses[i % statuses.length];
        const draft = {
          _id: uuidv7(),
          tenantId: 'acme',
          ownerId: person.ownerId,
          teamId: person.teamId,
          version: 1,
          createdAt: now,
          updatedAt: now,
          deletedAt: null,
          subject: `Seeded ticket ${i}`,
          description: 'Seeded for the queue benchmark.',
          requesterContactId: '',
          requesterEmail: `seeded${i % 5000}@bench.example.test`,
          contactOwnerId: '',
          companyId: '',
          priority: priorities[i % priorities.length],
          status,
          type: '',
          tags: ['seeded'],
          customFields: {},
          channel: 'email',
          dealIds: [],
          mergedInto: '',
          slaLog: [{ at: now, kind: 'status', status }],
          slaMarks: {},
          sla: null,
          firstReplyBusinessSeconds: 0,
          resolutionBusinessSeconds: 0,
          csat: null,
          csatTokenId: '',
          commentCount: 0,
          firstRepliedAt: null,
          solvedAt: status === 'solved' ? now : null,
          closedAt: null,
          searchText: '',
        };
        const record = { ...draft, searchText: searchTextOf(draft), ...applySla(draft, sla, now).set };
        const { tenantId: _t, version: _v, createdAt: _c, updatedAt: _u, ...fields } = record;
        batch.push({ record: fields, messages: () => [] });
      }
      if (direct) {
        const states = batch.map(({ record }) => ({
          ...record,
          tenantId: 'acme',
          version: 1,
          createdAt: now,
          updatedAt: now,
        }));
        await mongo.collection('tickets').insertMany(states, { ordered: false });
        await kit.upsertNewer(readModel.db, 'tickets', states.map(ticketRow));
      } else await stores.tickets.createMany(service, batch);
      await projection?.settle();
      const done = Math.min(to, at + BATCH);
      const rate = Math.round((done - from) / ((performance.now() - started) / 1000));
      if (((at - from) / BATCH) % 10 === 0 || done >= to) log(`seeded ${done}/${to} (${rate}/s)`);
    }
    await stores.tickets.drain();
  } finally {
    await readModel.close();
    await kit.drainBus(bus);
    await mongo.close();
  }
}

async function measureQueue(tickets, users) {
  console.log(`\n3. queue "breaching soonest" (view=breaching), first page of 50, at ${QUEUE_TICKETS} tickets`);
  for (const [label, bearer] of users) {
    const token = await bearer();
    const request = ListTicketsRequest.fromPartial({ view: 'breaching', page: { limit: 50, cursor: '' } });
    const first = await unary(tickets, 'listTickets', request, token); // warm
    const latencies = [];
    for (let i = 0; i < SAMPLES; i++) {
      const t = performance.now();
      await unary(tickets, 'listTickets', request, token);
      latencies.push(performance.now() - t);
    }
    console.log(`   ${label.padEnd(16)} ${summary(latencies)}   rows ${first.tickets.length}`);
  }
}

async function main(onExit) {
  const stack = await startStack();
  onExit(() => stack.stop());
  const address = `127.0.0.1:${stack.ticket.grpc}`;
  const tickets = new TicketServiceClient(address, credentials.createInsecure());
  const sla = new SlaServiceClient(address, credentials.createInsecure());
  onExit(async () => {
    tickets.close();
    sla.close();
  });
  const admin = tokenOf('acme-admin');
  const lead = tokenOf('acme-support-lead');
  const agent = tokenOf('acme-agent1');
  await createPolicies(sla, await admin());
  const agentId = JSON.parse(Buffer.from((await agent()).split('.')[1], 'base64url').toString()).sub;
  const teams = ['acme-support', 'acme-support', 'support-tier2', 'support-billing', 'support-emea'];
  const people = [
    { ownerId: agentId, teamId: 'acme-support' },
    { ownerId: '', teamId: 'acme-support' },
  ];
  for (let i = 0; i < 40; i++) people.push({ ownerId: i % 5 === 0 ? '' : `seed-agent-${i}`, teamId: teams[i % 5] });
  log(`namespace ${stack.namespace}; seeding ${OPEN_TICKETS} open tickets with their timers`);
  console.log(`uptime at start: ${uptime()}`);
  await seed(stack, people, 0, OPEN_TICKETS, { timers: true, statuses: ['new', 'open', 'open'], spreadSeconds: DAY });
  await measureCreatesAndTimers(stack, tickets, agent);
  await measureTimerAccuracy(stack, tickets, agent);
  const statuses = ['new', 'open', 'open', 'open', 'pending', 'solved'];
  const queueFrom = OPEN_TICKETS + CREATES + PROBES;
  log(`seeding ${Math.max(0, QUEUE_TICKETS - queueFrom)} more tickets straight into the snapshots and the read model`);
  await seed(stack, people, queueFrom, QUEUE_TICKETS, { statuses, spreadSeconds: 2 * DAY, direct: true });
  await measureQueue(tickets, [
    ['admin', admin],
    ['support manager', lead],
    ['agent', agent],
  ]);
}

function uptime() {
  const [one, five, fifteen] = loadavg().map((v) => v.toFixed(2));
  return `load average ${one}, ${five}, ${fifteen} (${cpus().length} cores)`;
}

const cleanups = [];
let finishing;
/** Removes the services and databases once, whether the run ended, failed, timed out or was interrupted. */
function finish(code) {
  finishing ??= (async () => {
    console.log(`\nuptime at end: ${uptime()}`);
    for (const fn of cleanups.reverse()) await fn().catch((e) => console.error('cleanup failed:', e));
    process.exit(code);
  })();
  return finishing;
}
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => void finish(130));
setTimeout(() => {
  console.error(`\nstopped after BENCH_TIMEOUT_SECONDS=${TIMEOUT_SECONDS}: the figures above are all there are`);
  void finish(1);
}, TIMEOUT_SECONDS * 1000).unref();
main((fn) => cleanups.push(fn)).then(
  () => finish(0),
  (error) => {
    console.error(error);
    return finish(1);
  },
);
