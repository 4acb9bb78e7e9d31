#!/usr/bin/env node
// `pnpm test:memory [--long]`: every service and the gateway as processes of their own (on the local
// infrastructure), their resident memory idle and then sampled under a steady load through the gateway that gives
// every service work (contacts, deals, tickets and replies, queues, dashboards; workflow and reporting consume the
// events) for 1 minute (--long: 10 minutes). Prints idle / peak / end RSS per process and the growth between the
// first and the last third of the run; goals: < 150 MB idle, < 300 MB under load, no growth over the run.
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { randomUUID } from 'node:crypto';
import { up } from '../deploy/local/infra.mjs';
import { startPrivateStack } from './lib/private-stack.mjs';
import { issuerOf, userToken } from './lib/tokens.mjs';

const long = process.argv.includes('--long');
const LOAD_MS = (long ? 600 : 60) * 1000;
const say = (m) => process.stderr.write(`[memory] ${m}\n`);

function rssMb(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

async function main() {
  const { env } = await up({ quiet: true });
  const namespace = `mem${Date.now().toString(36)}`;
  const stack = await startPrivateStack({
    infra: { ...env, OIDC_ISSUER: issuerOf() },
    namespace,
    logDir: join(tmpdir(), `crm-${namespace}`),
    gatewayEnv: {
      RATE_LIMIT_CLIENT_BURST: '1000000',
      RATE_LIMIT_CLIENT_PER_SEC: '100000',
      RATE_LIMIT_TENANT_BURST: '1000000',
      RATE_LIMIT_TENANT_PER_SEC: '100000',
    },
    say,
  });
  const samples = new Map(stack.processes.map((p) => [p.name, []]));
  const idle = {};
  try {
    await sleep(10_000);
    for (const p of stack.processes) idle[p.name] = rssMb(p.pid);
    // Tokens live 5 minutes: renewed every 2, so the long run measures work, not a storm of 401s.
    const tokens = {};
    const renew = async () => {
      for (const user of ['acme-rep1', 'acme-agent1', 'acme-manager'])
        tokens[user] = await userToken(user).catch(() => tokens[user]);
    };
    await renew();
    const renewal = setInterval(renew, 120_000);
    let stop = false;
    let requests = 0;
    const statuses = new Map();
    // Every service does work: contacts and deals (contact, pipeline), tickets (ticket), the events they publish
    // (workflow's rules, reporting's facts) and the dashboards reporting serves.
    const call = async (method, path, user, body) => {
      requests += 1;
      const response = await fetch(`${stack.gatewayUrl}/api/v1${path}`, {
        method,
        headers: {
          authorization: `Bearer ${tokens[user]}`,
          'content-type': 'application/json',
          ...(method === 'POST' ? { 'idempotency-key': randomUUID() } : {}),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      }).catch(() => undefined);
      const status = response?.status ?? 'no answer';
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
      return response?.ok ? response.json().catch(() => undefined) : undefined;
    };
    const loop = async () => {
      for (let n = 0; !stop; n++) {
        const created = await call('POST', '/contacts', 'acme-rep1', { firstName: 'Mem', lastName: randomUUID() });
        if (created?.id) await call('GET', `/contacts/${created.id}`, 'acme-rep1');
        await call('GET', '/contacts?limit=20', 'acme-rep1');
        await call('POST', '/deals', 'acme-rep1', {
          title: `Mem ${n}`,
          amount: { amountMinor: 1000, currency: 'EUR' },
        });
        await call('GET', '/deals?limit=20', 'acme-rep1');
        const ticket = await call('POST', '/tickets', 'acme-agent1', {
          subject: `Memory ${n}`,
          description: 'Steady load',
          requesterEmail: `mem-${n % 20}@example.test`,
          channel: 'api',
        });
        if (ticket?.id)
          await call('POST', `/tickets/${ticket.id}/comments`, 'acme-agent1', { body: 'On it', public: true });
        await call('GET', '/tickets?view=group_open&limit=20', 'acme-agent1');
        if (n % 5 === 0) await call('GET', '/dashboards/sales?period=this_month', 'acme-manager');
      }
    };
    const loops = Array.from({ length: 4 }, loop);
    const started = Date.now();
    while (Date.now() - started < LOAD_MS) {
      await sleep(5000);
      for (const p of stack.processes) samples.get(p.name).push(rssMb(p.pid));
    }
    stop = true;
    clearInterval(renewal);
    await Promise.all(loops);
    say(
      `${requests} requests in ${LOAD_MS / 1000} s; by status: ${[...statuses].map(([k, v]) => `${k} ${v}`).join(', ')}`,
    );
  } finally {
    await stack.stop();
  }
  const rows = ['process      idle MB  peak MB   end MB  growth (last third vs first) MB'];
  let ok = true;
  for (const [name, list] of samples) {
    const third = Math.max(1, Math.floor(list.length / 3));
    const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const growth = mean(list.slice(-third)) - mean(list.slice(0, third));
    const peak = Math.max(...list);
    rows.push(
      `${name.padEnd(12)} ${idle[name].toFixed(0).padStart(7)} ${peak.toFixed(0).padStart(8)} ${list.at(-1).toFixed(0).padStart(8)} ${growth.toFixed(1).padStart(10)}`,
    );
    if (idle[name] > 150 || peak > 300) ok = false;
  }
  process.stdout.write(`\n${rows.join('\n')}\n(goals: < 150 MB idle, < 300 MB under load, no growth)\n`);
  process.exit(ok ? 0 : 1);
}

main().catch((error) => {
  process.stderr.write(`${error.stack ?? error}\n`);
  process.exit(1);
});
