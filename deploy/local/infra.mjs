#!/usr/bin/env node
// Local infrastructure without Docker: NATS (JetStream), a MongoDB-wire
// server and Keycloak on 127.0.0.1, provisioned into a cache outside the repo.
// Usable as a CLI (`pnpm infra up|down|status|logs|reset`) and as a module
// (`await up({ quiet: true })` from a test global-setup).
import { existsSync, readFileSync, realpathSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { HOST } from './ports.mjs';
import { cacheDir, logFile, stateDir } from './lib/paths.mjs';
import { ignoreEpipe, InfraError, note, progress } from './lib/log.mjs';
import { isAlive, ownedPid, stopOwned, tailFile, tcpOpen, waitFor } from './lib/proc.mjs';
import { withLock } from './lib/lock.mjs';
import { nats } from './lib/nats.mjs';
import { mongo } from './lib/mongo.mjs';
import { postgres } from './lib/postgres.mjs';
import { keycloak } from './lib/keycloak.mjs';

export { InfraError } from './lib/log.mjs';
// PostgreSQL holds every service's read model (and FerretDB's data). Listed before mongo so `down`, which goes in
// reverse, stops FerretDB before its backend.
export const components = [nats, postgres, mongo, keycloak];
const ENV_OVERRIDE = { nats: 'NATS_URL', postgres: 'POSTGRES_URL', mongo: 'MONGODB_URL', keycloak: 'KEYCLOAK_URL' };

function select(names) {
  if (!names?.length) return components;
  return names.map((name) => {
    const found = components.find((c) => c.name === name);
    if (!found)
      throw new InfraError(`Unknown component "${name}"; known: ${components.map((c) => c.name).join(', ')}.`);
    return found;
  });
}

/** Connection settings for whatever `up` provides (or the env points at), in the names services read. */
export function infraEnv() {
  return Object.assign({}, ...components.map((c) => c.env()));
}

async function waitHealthy(component, pid) {
  const healthy = await waitFor(
    async () => {
      const probe = await component.probe({ own: true });
      return probe.ok ? probe : null;
    },
    {
      timeoutMs: component.startTimeoutMs,
      alive: () => isAlive(pid),
      onSlow: (seconds) => progress(component.name, `still waiting for health (${seconds}s)…`),
    },
  );
  if (healthy) return healthy;
  const why = isAlive(pid)
    ? `did not become healthy within ${component.startTimeoutMs / 1000}s`
    : 'exited while starting';
  throw new InfraError(
    `${component.name} ${why}. Last lines of ${logFile(component.name)}:\n${tailFile(logFile(component.name), 25)}`,
  );
}

async function ensureExternal(component, url) {
  const probe = await component.probe();
  if (probe.ok) return { name: component.name, state: 'external', url, detail: probe.detail };
  const envName = ENV_OVERRIDE[component.name];
  throw new InfraError(
    `${envName}=${url} is set, so ${component.name} is treated as external and not started here, but it is not ` +
      `usable at that address (${probe.detail}). Start it there, fix ${envName}, or unset ${envName} to let infra run one.`,
  );
}

async function ensureForeign(component) {
  const probe = await component.probe();
  if (probe.ok) return { name: component.name, state: 'foreign', detail: probe.detail };
  throw new InfraError(
    `Port ${HOST}:${component.port} is already taken by a process infra did not start, and it is not a usable ` +
      `${component.name} (${probe.detail}). Stop that process, or point ${ENV_OVERRIDE[component.name]} at a ` +
      `${component.name} server to use instead.`,
  );
}

async function ensureOne(component, { quiet }) {
  const say = (message) => progress(component.name, message);
  const external = component.external();
  if (external) {
    const result = await ensureExternal(component, external);
    if (!quiet) say(`external (${ENV_OVERRIDE[component.name]}), reachable: ${result.detail}`);
    return result;
  }
  const running = ownedPid(component.name);
  if (running) {
    const probe = await waitHealthy(component, running);
    await component.prepare?.();
    if (!quiet) say(`already running (pid ${running}): ${probe.detail}`);
    return { name: component.name, state: 'running', pid: running, detail: probe.detail };
  }
  if (await tcpOpen(HOST, component.port)) {
    const result = await ensureForeign(component);
    say(`already answering on ${HOST}:${component.port} (not started by infra, left alone): ${result.detail}`);
    return result;
  }
  await component.install();
  const pid = await component.start();
  say(`started (pid ${pid}), waiting for health…`);
  const probe = await waitHealthy(component, pid);
  await component.prepare?.();
  say(`healthy: ${probe.detail}`);
  return { name: component.name, state: 'started', pid, detail: probe.detail };
}

function printSummary(selected) {
  const lines = selected.flatMap((c) => c.summary());
  process.stdout.write(`\nLocal infrastructure is up:\n${lines.map((l) => `  ${l}`).join('\n')}\n`);
  process.stdout.write(`  Logs            ${join(stateDir(), 'logs')}  (pnpm infra logs <name>)\n\n`);
}

/**
 * Brings up the selected components (all by default) and waits until each is
 * healthy. Components whose env override is set are only checked.
 * @param {{ quiet?: boolean, only?: string[] }} [opts]
 * @returns {Promise<{ components: object[], env: Record<string, string> }>}
 */
export async function up({ quiet = false, only } = {}) {
  const selected = select(only);
  const started = Date.now();
  return withLock(async () => {
    const settled = await Promise.allSettled(selected.map((c) => ensureOne(c, { quiet })));
    const failures = settled.filter((s) => s.status === 'rejected').map((s) => s.reason);
    if (failures.length) {
      const unexpected = failures.find((f) => !(f instanceof InfraError));
      if (unexpected) throw unexpected;
      throw new InfraError(failures.map((f) => f.message).join('\n\n'));
    }
    note(`ready in ${((Date.now() - started) / 1000).toFixed(1)}s`);
    if (!quiet) printSummary(selected);
    return { components: settled.map((s) => s.value), env: infraEnv() };
  });
}

/** Stops what infra started (pid files only); external or foreign servers are never touched. */
export async function down({ quiet = false, only } = {}) {
  const selected = [...select(only)].reverse();
  return withLock(async () => {
    const stopped = [];
    for (const component of selected) {
      if (await stopOwned(component.name)) {
        stopped.push(component.name);
        progress(component.name, 'stopped');
      } else if (!quiet) {
        progress(component.name, 'not running (nothing started by infra)');
      }
    }
    return { stopped };
  });
}

/** One entry per component: state is running | stopped | external | foreign. */
export async function status({ only } = {}) {
  const entries = [];
  for (const component of select(only)) {
    const pid = ownedPid(component.name);
    const external = component.external();
    const probe = await component.probe({ own: Boolean(pid) });
    const state = external ? 'external' : pid ? 'running' : probe.ok ? 'foreign' : 'stopped';
    entries.push({
      name: component.name,
      state,
      pid,
      port: component.port,
      url: component.url(),
      healthy: probe.ok,
      detail: probe.detail,
    });
  }
  return entries;
}

function printStatus(entries) {
  const rows = entries.map((e) => [
    e.name,
    e.state,
    e.pid ? String(e.pid) : '-',
    e.external ? '-' : String(e.port),
    e.healthy ? 'healthy' : 'down',
    e.healthy ? e.detail : e.state === 'running' ? e.detail : '',
  ]);
  const header = ['COMPONENT', 'STATE', 'PID', 'PORT', 'HEALTH', 'DETAIL'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  for (const row of [header, ...rows]) {
    process.stdout.write(
      `${row
        .map((cell, i) => cell.padEnd(widths[i]))
        .join('  ')
        .trimEnd()}\n`,
    );
  }
  process.stdout.write(`\nstate dir: ${stateDir()}\ncache dir: ${cacheDir()}\n`);
}

/** Prints the last `lines` of a component's log; with `follow`, keeps printing what is appended. */
export async function logs(name, { lines = 200, follow = false } = {}) {
  const [component] = select([name]);
  const path = logFile(component.name);
  if (!existsSync(path)) throw new InfraError(`No log yet for ${component.name} (${path}).`);
  process.stdout.write(`${tailFile(path, lines)}\n`);
  let offset = statSync(path).size;
  while (follow) {
    await sleep(500);
    const size = statSync(path).size;
    if (size < offset) offset = 0;
    if (size > offset) process.stdout.write(readFileSync(path).subarray(offset, size));
    offset = size;
  }
}

/** down, then delete the data of every component (the cache with binaries and downloads is kept). */
export async function reset({ quiet = false } = {}) {
  await down({ quiet });
  rmSync(join(stateDir(), 'data'), { recursive: true, force: true });
  postgres.removeData();
  note(`deleted ${join(stateDir(), 'data')} (cache ${cacheDir()} kept)`);
}

const USAGE = `usage: pnpm infra <command>
  up [name…]          provision and start nats, mongo, keycloak (idempotent)
  down [name…]        stop what infra started
  status [name…]      show each component with pid, port and health
  logs <name> [-n N] [-f]   print (and follow) a component's log
  reset               down, then delete all data (keeps the download/build cache)
env: CRM_CACHE_DIR, CRM_STATE_DIR, NATS_URL, MONGODB_URL, KEYCLOAK_URL, CRM_KEYCLOAK_REALM_DIR, KC_JAVA_HOME`;

async function cli(argv) {
  const [command, ...rest] = argv;
  const flags = rest.filter((a) => a.startsWith('-'));
  const names = rest.filter((a, i) => !a.startsWith('-') && rest[i - 1] !== '-n');
  const quiet = flags.includes('--quiet') || flags.includes('-q');
  switch (command) {
    case 'up':
      return void (await up({ quiet, only: names }));
    case 'down':
      return void (await down({ only: names }));
    case 'status':
      return printStatus(await status({ only: names }));
    case 'reset':
      return reset();
    case 'logs': {
      if (names.length !== 1)
        throw new InfraError(`usage: pnpm infra logs <${components.map((c) => c.name).join('|')}> [-n N] [-f]`);
      const n = rest.indexOf('-n');
      const follow = flags.includes('-f') || flags.includes('--follow');
      return logs(names[0], { lines: n >= 0 ? Number(rest[n + 1]) : 200, follow });
    }
    default:
      process.stdout.write(`${USAGE}\n`);
      if (command && command !== 'help' && command !== '--help') process.exitCode = 2;
  }
}

export function isMainModule(moduleUrl) {
  try {
    return Boolean(process.argv[1]) && realpathSync(process.argv[1]) === realpathSync(fileURLToPath(moduleUrl));
  } catch {
    return false;
  }
}

if (isMainModule(import.meta.url)) {
  ignoreEpipe();
  cli(process.argv.slice(2)).catch((err) => {
    process.stderr.write(err instanceof InfraError ? `\n[infra] ${err.message}\n` : `${err.stack ?? err}\n`);
    process.exitCode = 1;
  });
}
