#!/usr/bin/env node
// `pnpm test:memory [--long]`: every service and the gateway as processes of their own (on the local
// infrastructure), their resident memory idle and then sampled under a steady read and write load through the
// gateway (1 minute; --long: 10 minutes). Prints idle / peak / end RSS per process and the growth between the
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
    const token = await userToken('acme-rep1');
    let stop = false;
    let requests = 0;
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const loop = async () => {
      while (!stop) {
        const key = randomUUID();
        const created = await fetch(`${stack.gatewayUrl}/api/v1/contacts`, {
          method: 'POST',
          headers: { ...headers, 'idempotency-key': key },
          body: JSON.stringify({ firstName: 'Mem', lastName: key }),
        }).catch(() => undefined);
        const id = created?.ok ? (await created.json()).id : undefined;
        if (id) await fetch(`${stack.gatewayUrl}/api/v1/contacts/${id}`, { headers }).catch(() => undefined);
        await fetch(`${stack.gatewayUrl}/api/v1/contacts?limit=20`, { headers }).catch(() => undefined);
        await fetch(`${stack.gatewayUrl}/api/v1/deals?limit=20`, { headers }).catch(() => undefined);
        requests += 4;
      }
    };
    const loops = Array.from({ length: 4 }, loop);
    const started = Date.now();
    while (Date.now() - started < LOAD_MS) {
      await sleep(5000);
      for (const p of stack.processes) samples.get(p.name).push(rssMb(p.pid));
    }
    stop = true;
    await Promise.all(loops);
    say(`${requests} requests in ${LOAD_MS / 1000} s`);
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
