#!/usr/bin/env node
// `pnpm test:faults [--long] [--junit-dir DIR]`: the platform as real processes on a private set of servers (own
// NATS with file storage and fsync on every write, own PostgreSQL, own FerretDB, every service and the gateway) under
// a steady write load through the gateway (contacts, deals, deal moves, tickets, tasks), retried with the same
// Idempotency-Key until
// acknowledged, while the suite kill -9s one process at a time, then all of them together, and pauses one (SIGSTOP)
// past the deadlines. Afterwards every acknowledged write must be present exactly once: in the records (read by id),
// in the read models (search and lists), and on the stream (its event, once); no move applied twice (a deal's
// version is one plus its acknowledged moves). Prints acknowledged / lost / duplicated and recovery time per fault.
import { createRequire } from 'node:module';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { randomUUID } from 'node:crypto';
import { repoRoot } from '../deploy/local/lib/paths.mjs';
import { up } from '../deploy/local/infra.mjs';
import { startPrivateInfra } from './lib/private-infra.mjs';
import { startPrivateStack } from './lib/private-stack.mjs';
import { issuerOf, userToken } from './lib/tokens.mjs';

const args = process.argv.slice(2);
const long = args.includes('--long');
const junitDir = args.includes('--junit-dir') ? args[args.indexOf('--junit-dir') + 1] : undefined;
const say = (m) => process.stderr.write(`[faults] ${new Date().toISOString().slice(11, 19)} ${m}\n`);
const fromGateway = createRequire(join(repoRoot, 'gateway', 'package.json'));

// ---------------------------------------------------------------- load

/** Every write a client was told succeeded, and when it was first tried. */
const acknowledged = [];
let writesStopped = false;
let lastAckAt = 0;
const GIVE_UP_MS = 180_000;

async function send(baseUrl, token, method, path, body, key) {
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'idempotency-key': key },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(20_000),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

/** Retries with the same key until the gateway acknowledges (2xx) or refuses for good (4xx other than 409/429). */
async function untilAcknowledged(ctx, kind, method, path, body, extra = {}) {
  const key = randomUUID();
  const issuedAt = Date.now();
  // A write already issued is retried until acknowledged even after the load stops (its outcome would otherwise be
  // unknown); only one still unanswered after GIVE_UP_MS is recorded as unresolved.
  for (let attempt = 0; Date.now() - issuedAt < GIVE_UP_MS; attempt++) {
    try {
      // Tickets are the support staff's to open; everything else is written by a sales manager.
      const res = await send(ctx.baseUrl(), kind === 'ticket' ? ctx.supportToken : ctx.token, method, path, body, key);
      if (res.status >= 200 && res.status < 300) {
        const ack = { kind, key, issuedAt, at: Date.now(), fault: ctx.fault(issuedAt), body: res.body, ...extra };
        acknowledged.push(ack);
        lastAckAt = ack.at;
        return ack;
      }
      if (res.status < 500 && res.status !== 409 && res.status !== 429 && res.status !== 408) {
        ctx.refused.push(`${kind} ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`);
        return undefined;
      }
    } catch {
      // The gateway is down or did not answer in time: the same key again.
    }
    await sleep(Math.min(2000, 100 * 2 ** Math.min(attempt, 5)));
  }
  ctx.unresolved.push({ kind, ...extra });
  return undefined;
}

async function worker(ctx, n) {
  const deals = [];
  for (let i = 0; !writesStopped; i++) {
    const roll = i % 7;
    if (roll === 2 || roll === 3) {
      const marker = `F${ctx.run}w${n}i${i}z`; // z: no marker is a prefix of another (search matches prefixes)
      if (roll === 2)
        await untilAcknowledged(ctx, 'ticket', 'POST', '/api/v1/tickets', {
          subject: marker,
          requesterEmail: `${marker.toLowerCase()}@faults.example`,
        });
      else await untilAcknowledged(ctx, 'task', 'POST', '/api/v1/tasks', { title: marker });
    } else if (roll <= 1 || deals.length === 0) {
      const marker = `F${ctx.run}w${n}i${i}z`; // z: no marker is a prefix of another (search matches prefixes)
      if (roll === 0 || deals.length === 0) {
        await untilAcknowledged(ctx, 'contact', 'POST', '/api/v1/contacts', { firstName: 'Fault', lastName: marker });
      }
      if (roll === 1 || deals.length === 0) {
        const ack = await untilAcknowledged(ctx, 'deal', 'POST', '/api/v1/deals', {
          title: marker,
          amount: { amountMinor: 100, currency: 'EUR' },
        });
        if (ack) deals.push({ id: ack.body.id, stage: ack.body.stageId });
      }
    } else {
      const deal = deals[i % deals.length];
      const stages = ctx.openStages;
      const target = stages[(stages.indexOf(deal.stage) + 1) % stages.length];
      const ack = await untilAcknowledged(
        ctx,
        'move',
        'POST',
        `/api/v1/deals/${deal.id}/move`,
        { stageId: target },
        {
          dealId: deal.id,
          stageId: target,
        },
      );
      if (ack) deal.stage = target;
    }
  }
}

// ---------------------------------------------------------------- faults

/** Processes the suite itself is killing: their exits are expected, the supervisor leaves them alone. */
const faulted = new Set();
/** Exits nobody asked for (a crash the fault provoked in another process): each is a finding. */
const crashes = [];

async function killAndRestart(proc, downMs) {
  faulted.add(proc);
  try {
    proc.signal('SIGKILL');
    await proc.waitExit();
    await sleep(downMs);
    proc.start();
    await proc.ready();
  } finally {
    faulted.delete(proc);
  }
}

/** Restarts an app that exited on its own, as Kubernetes would, and records the crash. */
function supervise(processes) {
  const timer = setInterval(() => {
    for (const proc of processes) {
      if (proc.running || faulted.has(proc) || !proc.child) continue;
      const exit = proc.exits.at(-1);
      crashes.push({ name: proc.name, code: exit?.code, signal: exit?.signal });
      say(`${proc.name} exited on its own (code ${exit?.code}, signal ${exit?.signal}); restarting it`);
      faulted.add(proc);
      proc.start();
      proc.ready().finally(() => faulted.delete(proc));
    }
  }, 500);
  return () => clearInterval(timer);
}

async function main() {
  const { env: shared } = await up({ quiet: true, only: ['keycloak'] });
  const run = Date.now().toString(36);
  const workDir = join(tmpdir(), `crm-faults-${run}`);
  const infra = await startPrivateInfra(join(workDir, 'servers'), say);
  const stack = await startPrivateStack({
    infra: { ...infra.env, OIDC_ISSUER: issuerOf(shared) },
    namespace: `faults${run}`,
    logDir: join(workDir, 'logs'),
    env: { NATS_STREAM_REPLICAS: '1' },
    gatewayEnv: {
      RATE_LIMIT_CLIENT_BURST: '1000000',
      RATE_LIMIT_CLIENT_PER_SEC: '100000',
      RATE_LIMIT_TENANT_BURST: '1000000',
      RATE_LIMIT_TENANT_PER_SEC: '100000',
    },
    say,
  });
  const windows = [{ name: 'steady load', start: Date.now(), end: Infinity }];
  const ctx = {
    run,
    token: await userToken('acme-manager', issuerOf(shared)),
    supportToken: await userToken('acme-support-lead', issuerOf(shared)),
    baseUrl: () => stack.gatewayUrl,
    refused: [],
    unresolved: [],
    openStages: [],
    fault: (at) => [...windows].reverse().find((w) => at >= w.start)?.name ?? 'steady load',
  };
  const pipelines = await (
    await fetch(`${stack.gatewayUrl}/api/v1/pipelines`, { headers: { authorization: `Bearer ${ctx.token}` } })
  ).json();
  ctx.openStages = pipelines.data[0].stages.filter((s) => s.kind === 'open').map((s) => s.id);
  const tokenRefresh = setInterval(async () => {
    ctx.token = await userToken('acme-manager', issuerOf(shared)).catch(() => ctx.token);
    ctx.supportToken = await userToken('acme-support-lead', issuerOf(shared)).catch(() => ctx.supportToken);
  }, 60_000);

  const workers = Array.from({ length: 4 }, (_, n) => worker(ctx, n));
  const results = [];
  const byName = Object.fromEntries(stack.processes.map((p) => [p.name, p]));
  const downMs = 2000;
  const fault = async (name, action) => {
    await sleep(long ? 10_000 : 4000);
    const started = Date.now();
    windows.push({ name, start: started });
    say(`fault: ${name}`);
    await action();
    const restored = Date.now();
    const acksBefore = acknowledged.length;
    while (acknowledged.length === acksBefore && Date.now() - restored < GIVE_UP_MS) await sleep(100);
    const recovered = acknowledged.length > acksBefore;
    results.push({
      name,
      recovered,
      recoverySec: recovered ? (lastAckAt - started) / 1000 : undefined,
      restartSec: (restored - started) / 1000,
    });
    say(
      recovered
        ? `  first acknowledged write ${((lastAckAt - started) / 1000).toFixed(1)} s after the fault`
        : `  no write acknowledged within ${GIVE_UP_MS / 1000} s after the fault`,
    );
  };

  const unsupervise = supervise(stack.processes);
  try {
    const services = stack.services.map((s) => s.name);
    const singles = long
      ? [...services, 'gateway', 'nats', 'mongo', 'postgres']
      : ['contact', 'pipeline', 'nats', 'postgres'];
    for (const target of singles) {
      const proc = byName[target] ?? infra.servers[target];
      await fault(`kill -9 ${target}`, () => killAndRestart(proc, downMs));
    }
    if (long) {
      await fault('kill -9 everything at once', async () => {
        for (const p of stack.processes) faulted.add(p);
        const all = [...Object.values(infra.servers), ...stack.processes];
        for (const p of all) p.signal('SIGKILL');
        await Promise.all(all.map((p) => p.waitExit()));
        await sleep(downMs);
        for (const s of [infra.servers.nats, infra.servers.postgres]) s.start();
        await Promise.all([infra.servers.nats.ready(), infra.servers.postgres.ready()]);
        infra.servers.mongo.start();
        await infra.servers.mongo.ready();
        for (const p of stack.services) p.start();
        await Promise.all(stack.services.map((p) => p.ready()));
        stack.gateway.start();
        await stack.gateway.ready();
        faulted.clear();
      });
    }
    // Paused past the gRPC deadline and the request budget: callers time out, retry, and the work resumes.
    await fault('SIGSTOP contact past the deadlines', async () => {
      byName.contact.signal('SIGSTOP');
      await sleep(long ? 30_000 : 15_000);
      byName.contact.signal('SIGCONT');
    });
    await sleep(3000);
  } finally {
    writesStopped = true;
    await Promise.all(workers);
    clearInterval(tokenRefresh);
    unsupervise();
  }

  say(`load stopped: ${acknowledged.length} writes acknowledged; checking the records, read models and streams…`);
  const verdicts = await verify(stack, infra, ctx);
  await stack.stop();
  await infra.stop();
  report(results, verdicts, ctx);
  rmSync(workDir, { recursive: true, force: true });
  process.exit(verdicts.lost + verdicts.duplicated === 0 && ctx.refused.length === 0 ? 0 : 1);
}

// ---------------------------------------------------------------- verification

async function get(ctx, path, token = ctx.token) {
  for (let attempt = 0; attempt < 50; attempt++) {
    try {
      const res = await fetch(`${ctx.baseUrl()}${path}`, { headers: { authorization: `Bearer ${token}` } });
      if (res.status < 500) return { status: res.status, body: await res.json() };
    } catch {
      /* retry */
    }
    await sleep(500);
  }
  throw new Error(`GET ${path} kept failing`);
}

/** How many times each aggregate id appears with the event type in a stream. */
async function streamCounts(natsUrl, stream, type) {
  const { connect } = fromGateway('@nats-io/transport-node');
  const { jetstream } = fromGateway('@nats-io/jetstream');
  const { Envelope } = fromGateway('@crm/proto/crm/events/v1/envelope');
  const nc = await connect({ servers: natsUrl });
  const counts = new Map();
  try {
    const js = jetstream(nc);
    const consumer = await js.consumers.get(stream);
    const info = await (await js.jetstreamManager()).streams.info(stream);
    let left = info.state.messages;
    while (left > 0) {
      const batch = await consumer.fetch({ max_messages: Math.min(500, left), expires: 5000 });
      let got = 0;
      for await (const m of batch) {
        got++;
        const envelope = Envelope.decode(m.data);
        if (envelope.type === type) counts.set(envelope.aggregateId, (counts.get(envelope.aggregateId) ?? 0) + 1);
      }
      if (got === 0) break;
      left -= got;
    }
  } finally {
    await nc.close();
  }
  return counts;
}

async function verify(stack, infra, ctx) {
  // Give the read models' own-stream consumers and the outbox sweeper time to converge after the last fault.
  await sleep(8000);
  const namespace = stack.namespace.toUpperCase();
  const created = await streamCounts(infra.env.NATS_URL, `${namespace}_CONTACT`, 'contact.created');
  const dealsCreated = await streamCounts(infra.env.NATS_URL, `${namespace}_PIPELINE`, 'deal.created');
  const ticketsCreated = await streamCounts(infra.env.NATS_URL, `${namespace}_TICKET`, 'ticket.created');
  const tasksCreated = await streamCounts(infra.env.NATS_URL, `${namespace}_WORKFLOW`, 'task.created');
  // The task list (the workflow service's read model), every page.
  const listedTasks = new Map();
  // A retry applied twice would be a second task with the same title (and another id).
  const taskTitles = new Map();
  let taskCursor = '';
  do {
    const page = await get(ctx, `/api/v1/tasks?limit=200${taskCursor ? `&cursor=${taskCursor}` : ''}`);
    for (const t of page.body.data ?? []) {
      listedTasks.set(t.id, (listedTasks.get(t.id) ?? 0) + 1);
      taskTitles.set(t.title, (taskTitles.get(t.title) ?? 0) + 1);
    }
    taskCursor = page.body.nextCursor ?? '';
  } while (taskCursor);
  // The deals list (a read model), page by page, per stage the load moves deals through.
  const listedDeals = new Map();
  for (const stageId of ctx.openStages) {
    let cursor = '';
    do {
      const page = await get(ctx, `/api/v1/deals?stageId=${stageId}&limit=200${cursor ? `&cursor=${cursor}` : ''}`);
      for (const d of page.body.data ?? []) listedDeals.set(d.id, [...(listedDeals.get(d.id) ?? []), d]);
      cursor = page.body.nextCursor ?? '';
    } while (cursor);
  }
  const perFault = new Map();
  const row = (fault) => {
    if (!perFault.has(fault)) perFault.set(fault, { acknowledged: 0, lost: 0, duplicated: 0, problems: [] });
    return perFault.get(fault);
  };
  const movesByDeal = new Map();
  for (const ack of acknowledged.filter((a) => a.kind === 'move'))
    movesByDeal.set(ack.dealId, [...(movesByDeal.get(ack.dealId) ?? []), ack]);

  for (const ack of acknowledged) {
    const r = row(ack.fault);
    r.acknowledged++;
    if (ack.kind === 'contact') {
      const id = ack.body.id;
      const record = await get(ctx, `/api/v1/contacts/${id}`);
      const search = await get(ctx, `/api/v1/contacts?q=${ack.body.lastName}&limit=10`);
      const inReadModel = search.body.data.filter((c) => c.lastName === ack.body.lastName).length;
      const onStream = created.get(id) ?? 0;
      if (record.status !== 200 || inReadModel === 0 || onStream === 0) {
        r.lost++;
        r.problems.push(`contact ${id}: record ${record.status}, read model ${inReadModel}, stream ${onStream}`);
      } else if (inReadModel > 1 || onStream > 1) {
        r.duplicated++;
        r.problems.push(`contact ${id}: read model ${inReadModel}, stream ${onStream}`);
      }
    } else if (ack.kind === 'ticket') {
      const id = ack.body.id;
      const record = await get(ctx, `/api/v1/tickets/${id}`, ctx.supportToken);
      const search = await get(ctx, `/api/v1/tickets?q=${ack.body.subject}&limit=50`, ctx.supportToken);
      const inReadModel = (search.body.data ?? []).filter((t) => t.subject === ack.body.subject).length;
      const onStream = ticketsCreated.get(id) ?? 0;
      if (record.status !== 200 || inReadModel === 0 || onStream === 0) {
        r.lost++;
        r.problems.push(`ticket ${id}: record ${record.status}, read model ${inReadModel}, stream ${onStream}`);
      } else if (inReadModel > 1 || onStream > 1) {
        r.duplicated++;
        r.problems.push(`ticket ${id}: read model ${inReadModel}, stream ${onStream}`);
      }
    } else if (ack.kind === 'task') {
      const id = ack.body.id;
      const record = await get(ctx, `/api/v1/tasks/${id}`);
      const sameTitle = taskTitles.get(ack.body.title) ?? 0;
      const listed = listedTasks.get(id) ?? 0;
      const onStream = tasksCreated.get(id) ?? 0;
      if (record.status !== 200 || listed === 0 || onStream === 0) {
        r.lost++;
        r.problems.push(`task ${id}: record ${record.status}, list ${listed}, stream ${onStream}`);
      } else if (listed > 1 || onStream > 1 || sameTitle > 1) {
        r.duplicated++;
        r.problems.push(`task ${id}: list ${listed}, stream ${onStream}, ${sameTitle} listed with its title`);
      }
    } else if (ack.kind === 'deal') {
      const id = ack.body.id;
      const record = await get(ctx, `/api/v1/deals/${id}`);
      const onStream = dealsCreated.get(id) ?? 0;
      const moves = movesByDeal.get(id) ?? [];
      const expectedStage = moves.length ? moves[moves.length - 1].stageId : ack.body.stageId;
      const listed = listedDeals.get(id) ?? [];
      if (record.status !== 200 || onStream === 0 || listed.length === 0) {
        r.lost++;
        r.problems.push(`deal ${id}: record ${record.status}, stream ${onStream}, list ${listed.length}`);
      } else if (
        onStream > 1 ||
        listed.length > 1 ||
        record.body.version < 1 + moves.length ||
        record.body.version > 1 + moves.length + ctx.unresolved.filter((u) => u.dealId === id).length
      ) {
        r.duplicated++;
        r.problems.push(
          `deal ${id}: stream ${onStream}, list ${listed.length}, version ${record.body.version} for ${moves.length} moves`,
        );
      } else if (
        !ctx.unresolved.some((u) => u.dealId === id) &&
        (record.body.stageId !== expectedStage || listed[0].stageId !== expectedStage)
      ) {
        r.lost++;
        r.problems.push(`deal ${id}: stage ${record.body.stageId}/${listed[0].stageId}, expected ${expectedStage}`);
      }
    }
  }
  // A move is lost or applied twice if its deal's version says so: attribute the deal's verdict to each move.
  for (const ack of acknowledged.filter((a) => a.kind === 'move')) row(ack.fault);
  const lost = [...perFault.values()].reduce((a, r) => a + r.lost, 0);
  const duplicated = [...perFault.values()].reduce((a, r) => a + r.duplicated, 0);
  return { perFault, lost, duplicated };
}

function report(results, verdicts, ctx) {
  const lines = ['', 'fault                                   acknowledged  lost  duplicated  recovery (s)'];
  const names = ['steady load', ...results.map((r) => r.name)];
  for (const name of names) {
    const v = verdicts.perFault.get(name) ?? { acknowledged: 0, lost: 0, duplicated: 0 };
    const rec = results.find((r) => r.name === name);
    const recovery = !rec ? '-' : rec.recovered ? rec.recoverySec.toFixed(1) : 'never';
    lines.push(
      `${name.padEnd(40)}${String(v.acknowledged).padStart(12)}${String(v.lost).padStart(6)}${String(v.duplicated).padStart(12)}${recovery.padStart(14)}`,
    );
  }
  lines.push(
    `total acknowledged ${acknowledged.length}, lost ${verdicts.lost}, duplicated ${verdicts.duplicated}, unresolved after ${GIVE_UP_MS / 1000} s ${ctx.unresolved.length}`,
  );
  for (const v of verdicts.perFault.values()) for (const p of v.problems.slice(0, 10)) lines.push(`  ${p}`);
  for (const r of ctx.refused.slice(0, 10)) lines.push(`  refused: ${r}`);
  for (const c of crashes) lines.push(`  crashed: ${c.name} (code ${c.code}, signal ${c.signal})`);
  process.stdout.write(`${lines.join('\n')}\n`);
  if (junitDir) {
    mkdirSync(junitDir, { recursive: true });
    const cases = names.map((name) => {
      const v = verdicts.perFault.get(name) ?? { acknowledged: 0, lost: 0, duplicated: 0, problems: [] };
      const rec = results.find((r) => r.name === name);
      // A fault passes when nothing was lost or doubled and writes were acknowledged again after it.
      const ok = v.lost === 0 && v.duplicated === 0 && (rec ? rec.recovered : v.acknowledged > 0);
      if (rec && !rec.recovered) v.problems.push(`no write acknowledged within ${GIVE_UP_MS / 1000} s after the fault`);
      const title = `${name}: ${v.acknowledged} acknowledged, ${v.lost} lost, ${v.duplicated} duplicated`;
      const esc = (s) => s.replace(/[<>&"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[c]);
      return ok
        ? `  <testcase classname="faults" name="${esc(title)}"/>`
        : `  <testcase classname="faults" name="${esc(title)}"><failure>${esc(v.problems.join('\n'))}</failure></testcase>`;
    });
    cases.push(
      crashes.length
        ? `  <testcase classname="faults" name="no process crashed"><failure>${crashes.map((c) => c.name).join(', ')}</failure></testcase>`
        : `  <testcase classname="faults" name="no process crashed"/>`,
    );
    if (ctx.unresolved.length)
      cases.push(
        `  <testcase classname="faults" name="every write resolved"><failure>${ctx.unresolved.length} unresolved</failure></testcase>`,
      );
    if (ctx.refused.length)
      cases.push(
        `  <testcase classname="faults" name="no write refused"><failure>${ctx.refused.length} refused</failure></testcase>`,
      );
    writeFileSync(
      join(junitDir, 'faults.xml'),
      `<?xml version="1.0"?>\n<testsuite name="faults">\n${cases.join('\n')}\n</testsuite>\n`,
    );
  }
}

main().catch((error) => {
  process.stderr.write(`${error.stack ?? error}\n`);
  process.exit(1);
});
