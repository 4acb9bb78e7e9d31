// Benchmark, not a test: the workflow service in this process on the real infrastructure (`pnpm infra up`), with
// its own databases and NATS namespace, measuring
//   1. event-to-action latency: contact.created events published on the CONTACT stream at a fixed rate (200/s), a
//      rule creating a task for each; from publish to the task's task.created on the WORKFLOW stream (p50/p99);
//   2. timer lateness with 100k timers scheduled in the service's durable timers: a share falls due during the
//      run, the rest later; how late each fires (p50/p99/max) and how many fire per second;
//   3. webhook deliveries per second to a local receiver over loopback (development mode), signed, from
//      company.created events published as fast as the bus takes them.
// Beside each figure, the service's round trips per event, timer or delivery (not wall-clock sensitive): MongoDB
// operations (mongoose's collection calls), PostgreSQL transactions of its database (pg_stat_database; every
// statement outside a transaction is one) and NATS messages it sent (publishes, acks, pulls).
// Run: pnpm --filter @crm/workflow-service bench
//   BENCH_RATE (200), BENCH_SECONDS (10), BENCH_TIMERS (100000), BENCH_TIMERS_DUE (20000), BENCH_DELIVERIES (2000),
//   BENCH_ONLY (events,timers,webhooks)
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Contact } from '@crm/proto/crm/contact/v1/contact';
import { Company } from '@crm/proto/crm/contact/v1/company';
import { CompanyChanged, ContactChanged } from '@crm/proto/crm/contact/v1/events';
import { Envelope } from '@crm/proto/crm/events/v1/envelope';
import { TaskChanged } from '@crm/proto/crm/workflow/v1/events';
import {
  connectBus,
  drainBus,
  dropDatabase,
  EventPublisher,
  subjectOf,
  systemPrincipal,
  toEventMessage,
  type Bus,
} from '@crm/service-kit';
import { infraEnv, uniqueDbName, uniqueNamespace } from '@crm/testkit';
import { sql } from 'kysely';
import { workflowEnvSchema } from '../src/config';
import { startWorkflowService, type RunningWorkflowService } from '../src/workflow-service';

const RATE = Number(process.env.BENCH_RATE ?? 200);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const TIMERS = Number(process.env.BENCH_TIMERS ?? 100_000);
const TIMERS_DUE = Number(process.env.BENCH_TIMERS_DUE ?? 20_000);
const DELIVERIES = Number(process.env.BENCH_DELIVERIES ?? 2_000);
/** Comma-separated parts to run: events, timers, webhooks (default all). */
const ONLY = new Set((process.env.BENCH_ONLY ?? 'events,timers,webhooks').split(',').map((p) => p.trim()));
const TENANT = 'bench';
const OWNER = 'bench-owner';
const actor = { userId: 'bench', clientId: 'bench' };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
}

function summary(values: number[]): { p50: number; p99: number; max: number } {
  const sorted = [...values].sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: sorted.at(-1) ?? NaN };
}

const ms = (v: number) => `${v.toFixed(1)} ms`;

interface Ops {
  mongo: number;
  pg: number;
  nats: number;
}

/** Counts the service's round trips to its stores and the bus. */
function opsCounter(service: RunningWorkflowService, db: string) {
  let mongo = 0;
  service.deps.mongo.set('debug', () => void mongo++);
  const pgTransactions = async () => {
    // PostgreSQL publishes a backend's counts within a second or so of its transactions.
    await sleep(1_500);
    const { rows } = await sql<{ n: string }>`
      select xact_commit + xact_rollback as n from pg_stat_database where datname = ${db}`.execute(service.app.deps.db);
    return Number(rows[0]?.n ?? 0);
  };
  const snapshot = async (): Promise<Ops> => ({
    mongo,
    pg: await pgTransactions(),
    nats: service.deps.bus.nc.stats().outMsgs,
  });
  return {
    snapshot,
    per: async (from: Ops, units: number, unit: string): Promise<string> => {
      const to = await snapshot();
      const f = (n: number) => (n / Math.max(units, 1)).toFixed(1);
      return (
        `   round trips per ${unit}: MongoDB ${f(to.mongo - from.mongo)}, PostgreSQL ${f(to.pg - from.pg - 1)}, ` +
        `NATS out ${f(to.nats - from.nats)}`
      );
    },
  };
}

type Counter = ReturnType<typeof opsCounter>;

function contactEvent(id: string, namespace: string) {
  const contact = Contact.fromPartial({ id, tenantId: TENANT, firstName: `C${id.slice(-6)}`, ownerId: OWNER });
  return toEventMessage(
    {
      type: 'contact.created',
      tenantId: TENANT,
      aggregateId: id,
      aggregateVersion: 1,
      ownerId: OWNER,
      teamId: '',
      payloadType: 'crm.contact.v1.ContactChanged',
      payload: ContactChanged.encode({ contact, changedFields: [] }).finish(),
    },
    actor,
    namespace,
  );
}

function companyEvent(id: string, namespace: string) {
  const company = Company.fromPartial({ id, tenantId: TENANT, name: `Co ${id.slice(-6)}`, ownerId: OWNER });
  return toEventMessage(
    {
      type: 'company.created',
      tenantId: TENANT,
      aggregateId: id,
      aggregateVersion: 1,
      ownerId: OWNER,
      teamId: '',
      payloadType: 'crm.contact.v1.CompanyChanged',
      payload: CompanyChanged.encode({ company, changedFields: [] }).finish(),
    },
    actor,
    namespace,
  );
}

async function eventToAction(service: RunningWorkflowService, bus: Bus, ops: Counter): Promise<void> {
  const admin = systemPrincipal(TENANT, 'bench');
  await service.app.rules.create(admin, {
    key: 'bench-welcome',
    name: 'A task for every new contact',
    description: '',
    enabled: true,
    trigger: { type: 'event', event: 'contact.created' },
    conditions: null,
    actions: [{ id: 'task', type: 'create_task', title: 'Welcome {{record.firstName}}' }],
  });
  const sent = new Map<string, number>();
  const latencies: number[] = [];
  const subscription = bus.nc.subscribe(subjectOf(bus, 'crm.task.created'), {
    callback: (_err, msg) => {
      const envelope = Envelope.decode(msg.data);
      const task = envelope.payload ? TaskChanged.decode(envelope.payload.value).task : undefined;
      const start = task ? sent.get(task.contactId) : undefined;
      // The first sight of each task: an event published again (the sweeper's) reaches core subscribers too.
      if (start === undefined || !task) return;
      sent.delete(task.contactId);
      latencies.push(performance.now() - start);
    },
  });
  const publisher = new EventPublisher(bus);
  const total = RATE * SECONDS;
  const before = await ops.snapshot();
  const began = performance.now();
  let published = 0;
  // Paced by the clock: event n goes out at n / RATE seconds, however long a publish takes.
  while (published < total) {
    const due = began + (published * 1000) / RATE;
    const wait = due - performance.now();
    if (wait > 1) await sleep(wait);
    const id = `c-${String(published).padStart(8, '0')}-${Date.now()}`;
    sent.set(id, performance.now());
    void publisher.publish(contactEvent(id, bus.namespace));
    published++;
  }
  const pubSeconds = (performance.now() - began) / 1000;
  for (let i = 0; i < 600 && latencies.length < total; i++) await sleep(100);
  subscription.unsubscribe();
  const s = summary(latencies);
  console.log(
    `1. event-to-action: ${published} contact.created at ${(published / pubSeconds).toFixed(0)}/s → ` +
      `${latencies.length} tasks; latency p50 ${ms(s.p50)}, p99 ${ms(s.p99)}, max ${ms(s.max)}`,
  );
  console.log(await ops.per(before, latencies.length, 'event acted on'));
}

async function timerLateness(service: RunningWorkflowService, ops: Counter): Promise<void> {
  const timers = service.app.deps.timers;
  const lateness: number[] = [];
  const fired: number[] = [];
  timers.on('bench.noop', async (timer) => {
    const now = Date.now();
    lateness.push(now - timer.dueAt.getTime());
    fired.push(now);
  });
  // The timers not due in the run first (they are the load the due ones fire among), then the due ones: 1000 a
  // second from 5 s after they are all in.
  const schedule = async (from: number, to: number, dueAt: (j: number) => Date) => {
    for (let i = from; i < to; i += 2_000) {
      const batch = [];
      for (let j = i; j < Math.min(to, i + 2_000); j++)
        batch.push({
          id: `bench:${String(j).padStart(7, '0')}`,
          tenantId: TENANT,
          kind: 'bench.noop',
          dueAt: dueAt(j),
          payload: null,
        });
      await timers.schedule(batch);
    }
  };
  const began = Date.now();
  const later = Date.now() + 3_600_000;
  await schedule(TIMERS_DUE, TIMERS, (j) => new Date(later + j));
  const dueWindowMs = Math.max(1_000, TIMERS_DUE);
  const before = await ops.snapshot();
  const start = Date.now() + 5_000 + TIMERS_DUE / 10;
  await schedule(0, TIMERS_DUE, (j) => new Date(start + Math.floor((j * dueWindowMs) / TIMERS_DUE)));
  const scheduledIn = (Date.now() - began) / 1000;
  if (Date.now() > start) console.log('   (scheduling ended after the first timers were due)');
  const deadline = start + dueWindowMs + 120_000;
  while (lateness.length < TIMERS_DUE && Date.now() < deadline) await sleep(250);
  const s = summary(lateness);
  const spanSec = fired.length > 1 ? ((fired.at(-1) as number) - (fired[0] as number)) / 1000 : NaN;
  console.log(
    `2. timers: ${TIMERS} scheduled in ${scheduledIn.toFixed(1)} s (${(TIMERS / scheduledIn).toFixed(0)}/s), ` +
      `${TIMERS_DUE} due over ${(dueWindowMs / 1000).toFixed(0)} s: ${lateness.length} fired ` +
      `(${(fired.length / spanSec).toFixed(0)}/s); lateness p50 ${ms(s.p50)}, p99 ${ms(s.p99)}, max ${ms(s.max)}`,
  );
  console.log(await ops.per(before, lateness.length, 'timer scheduled and fired (the due ones)'));
  await timers.cancelPrefix('bench:');
}

async function deliveries(service: RunningWorkflowService, bus: Bus, ops: Counter): Promise<void> {
  const received = new Set<string>();
  let last = 0;
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const id = req.headers['webhook-id'];
      if (typeof id === 'string') received.add(id);
      last = performance.now();
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  await service.app.webhooks.create(systemPrincipal(TENANT, 'bench'), {
    url,
    description: 'bench receiver',
    eventTypes: ['company.created'],
    status: 'enabled',
  });
  const publisher = new EventPublisher(bus);
  const before = await ops.snapshot();
  const began = performance.now();
  for (let i = 0; i < DELIVERIES; i += 100)
    await Promise.all(
      Array.from({ length: Math.min(100, DELIVERIES - i) }, (_, k) =>
        publisher.publish(companyEvent(`co-${String(i + k).padStart(8, '0')}-${Date.now()}`, bus.namespace)),
      ),
    );
  for (let i = 0; i < 1_200 && received.size < DELIVERIES; i++) await sleep(100);
  const seconds = (last - began) / 1000;
  console.log(
    `3. webhooks: ${received.size}/${DELIVERIES} signed deliveries to a loopback receiver in ${seconds.toFixed(1)} s ` +
      `→ ${(received.size / seconds).toFixed(0)} deliveries/s`,
  );
  console.log(await ops.per(before, received.size, 'delivery'));
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

async function main(): Promise<void> {
  const infra = infraEnv();
  const namespace = uniqueNamespace('wfbench');
  const db = uniqueDbName('wfbench');
  const mongoDb = uniqueDbName('wfbenchm');
  const service = await startWorkflowService(
    workflowEnvSchema.parse({
      LOG_LEVEL: 'error',
      SERVICE_NAME: 'workflow',
      GRPC_PORT: '0',
      ADMIN_PORT: '0',
      WORKFLOW_MODE: 'development',
      MONGODB_URL: infra.mongoUrl,
      MONGODB_DB: mongoDb,
      POSTGRES_URL: infra.postgresUrl,
      POSTGRES_DB: db,
      NATS_URL: infra.natsUrl,
      NATS_NAMESPACE: namespace,
      OIDC_ISSUER: infra.issuer,
      OIDC_CLIENT_ID: 'workflow-service',
      OIDC_CLIENT_SECRET: 'workflow-service-secret',
      // No peer is called: the rules here create tasks and send webhooks only.
      CONTACT_GRPC_URL: '127.0.0.1:1',
      PIPELINE_GRPC_URL: '127.0.0.1:1',
      TICKET_GRPC_URL: '127.0.0.1:1',
      // The service's own knobs, when set (e.g. TRIGGER_CONCURRENCY, RUN_CONCURRENCY, TIMER_CONCURRENCY).
      ...Object.fromEntries(
        ['TRIGGER_CONCURRENCY', 'RUN_CONCURRENCY', 'TIMER_CONCURRENCY']
          .filter((k) => process.env[k])
          .map((k) => [k, process.env[k]]),
      ),
    }),
    { exit: () => undefined },
  );
  const bus = await connectBus({ url: infra.natsUrl, name: 'workflow-bench', namespace });
  try {
    console.log(`workflow benchmark (namespace ${namespace}); ${new Date().toISOString()}`);
    const ops = opsCounter(service, db);
    if (ONLY.has('events')) await eventToAction(service, bus, ops);
    if (ONLY.has('timers')) await timerLateness(service, ops);
    if (ONLY.has('webhooks')) await deliveries(service, bus, ops);
  } finally {
    await drainBus(bus);
    await service.deps.mongo.dropDatabase().catch(() => undefined);
    await service.shutdown('bench done');
    await dropDatabase(infra.postgresUrl, db).catch(() => undefined);
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
