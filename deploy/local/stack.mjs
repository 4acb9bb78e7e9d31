#!/usr/bin/env node
// Runs the CRM's own processes (services/* and gateway/) against the local
// infrastructure: `dev` in the foreground with prefixed logs, `up` detached
// with pid and log files, `down` and `status` for the detached ones.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { HOST, INFRA_PORTS } from './ports.mjs';
import { repoRoot, logFile } from './lib/paths.mjs';
import { ignoreEpipe, InfraError } from './lib/log.mjs';
import { httpGet, isAlive, ownedPid, run, spawnDetached, stopOwned, tailFile, waitFor, which } from './lib/proc.mjs';
import { appEnv, discoverApps, needsBuild } from './lib/apps.mjs';
import { infraEnv, isMainModule, up as infraUp } from './infra.mjs';

const READY_TIMEOUT_MS = 120_000;
const STOP_GRACE_MS = 30_000; // a little over the services' SHUTDOWN_GRACE_MS default

const say = (message) => process.stderr.write(`[stack] ${message}\n`);

function noApps() {
  say('no services found (nothing under services/*/package.json or gateway/package.json); infra is up.');
  printUrls([]);
}

/** One `pnpm build` (incremental tsc -b) when any dist/main.js is missing or stale. */
async function buildIfNeeded(apps) {
  if (!needsBuild(apps)) return;
  const pnpm = which('pnpm');
  if (!pnpm)
    throw new InfraError(
      'Building the apps needs `pnpm` on PATH (enable it with `corepack enable`), then run `pnpm install`.',
    );
  say('building (pnpm build)…');
  const { code, output } = await run(pnpm, ['build'], {
    cwd: repoRoot,
    onLine: (line) => process.stderr.write(`[build] ${line}\n`),
  });
  if (code !== 0)
    throw new InfraError(
      `pnpm build failed (exit ${code}); fix the errors above.${output ? '' : ' It printed nothing.'}`,
    );
}

const readyUrl = (app) => `http://${HOST}:${app.ports.admin}/readyz`;

async function isReady(app) {
  return (await httpGet(readyUrl(app), 1500))?.status === 200;
}

async function waitReady(app, pid) {
  const ready = await waitFor(() => isReady(app), {
    timeoutMs: READY_TIMEOUT_MS,
    alive: () => isAlive(pid),
    onSlow: (s) => say(`${app.name}: still waiting for ${readyUrl(app)} (${s}s)…`),
  });
  if (ready) return;
  const why = isAlive(pid) ? `not ready after ${READY_TIMEOUT_MS / 1000}s` : 'exited while starting';
  throw new InfraError(`${app.name} ${why}. Last lines of ${logFile(app.name)}:\n${tailFile(logFile(app.name), 25)}`);
}

function printUrls(apps) {
  const lines = [];
  if (apps.some((a) => a.name === 'gateway')) {
    lines.push(`Gateway         http://${HOST}:8080`, `API docs        http://${HOST}:8080/docs`);
  }
  for (const app of apps.filter((a) => a.kind === 'service')) {
    lines.push(`${app.name.padEnd(15)} grpc ${HOST}:${app.ports.grpc}  admin http://${HOST}:${app.ports.admin}`);
  }
  const env = infraEnv();
  lines.push(`Keycloak        ${env.KEYCLOAK_URL}  (issuer ${env.OIDC_ISSUER})`);
  if (!process.env.NATS_URL) lines.push(`NATS monitor    http://${HOST}:${INFRA_PORTS.natsMonitor}`);
  process.stdout.write(`\n${lines.map((l) => `  ${l}`).join('\n')}\n\n`);
}

async function prepare() {
  const { env } = await infraUp({ quiet: true });
  const apps = discoverApps();
  if (apps.length) await buildIfNeeded(apps);
  return { apps, env };
}

/** Detached: pid files and logs in the state dir, waits for every /readyz. */
export async function up() {
  const { apps, env } = await prepare();
  if (!apps.length) return noApps();
  const waits = apps.map(async (app) => {
    let pid = ownedPid(app.name);
    if (pid) {
      say(`${app.name}: already running (pid ${pid})`);
    } else {
      const main = join(app.dir, 'dist', 'main.js');
      pid = spawnDetached(app.name, process.execPath, [main], {
        cwd: app.dir,
        env: appEnv(app, apps, env),
        match: main,
      });
      say(`${app.name}: started (pid ${pid}), log ${logFile(app.name)}`);
    }
    await waitReady(app, pid);
    say(`${app.name}: ready`);
  });
  const failures = (await Promise.allSettled(waits)).filter((r) => r.status === 'rejected').map((r) => r.reason);
  if (failures.length)
    throw failures.length === 1 ? failures[0] : new InfraError(failures.map((f) => f.message).join('\n\n'));
  printUrls(apps);
}

export async function down() {
  for (const app of discoverApps().reverse()) {
    say(`${app.name}: ${(await stopOwned(app.name, { graceMs: STOP_GRACE_MS })) ? 'stopped' : 'not running'}`);
  }
  say('infra is still running; stop it with `pnpm infra down`.');
}

export async function status() {
  const apps = discoverApps();
  if (!apps.length) return say('no services found.');
  const rows = await Promise.all(
    apps.map(async (app) => {
      const pid = ownedPid(app.name);
      const port = app.ports.http ? `http ${app.ports.http}` : `grpc ${app.ports.grpc}`;
      return [
        app.name,
        pid ? String(pid) : '-',
        port,
        `admin ${app.ports.admin}`,
        (await isReady(app)) ? 'ready' : 'not ready',
      ];
    }),
  );
  for (const row of [['APP', 'PID', 'PORT', 'ADMIN', 'READY'], ...rows]) {
    process.stdout.write(
      `${row
        .map((c, i) => c.padEnd([12, 8, 12, 12, 10][i]))
        .join(' ')
        .trimEnd()}\n`,
    );
  }
}

function pipePrefixed(stream, name, out) {
  createInterface({ input: stream }).on('line', (line) => out.write(`[${name}] ${line}\n`));
}

/** Foreground: every app with prefixed output; Ctrl-C stops them all and leaves infra running. */
export async function dev() {
  const { apps, env } = await prepare();
  if (!apps.length) return noApps();
  const children = apps.map((app) => {
    const child = spawn(process.execPath, [join(app.dir, 'dist', 'main.js')], {
      cwd: app.dir,
      env: appEnv(app, apps, env),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    pipePrefixed(child.stdout, app.name, process.stdout);
    pipePrefixed(child.stderr, app.name, process.stderr);
    child.on('exit', (code, signal) => say(`${app.name} exited (${signal ?? `code ${code}`})`));
    return { app, child };
  });
  let stopping = false;
  const stopAll = async () => {
    if (stopping) return;
    stopping = true;
    say('stopping apps…');
    const running = children.filter(({ child }) => child.exitCode === null && child.signalCode === null);
    running.forEach(({ child }) => child.kill('SIGTERM'));
    const timer = setTimeout(() => running.forEach(({ child }) => child.kill('SIGKILL')), STOP_GRACE_MS);
    await Promise.all(
      running.map(
        ({ child }) =>
          new Promise((r) => (child.exitCode !== null || child.signalCode !== null ? r() : child.once('exit', r))),
      ),
    );
    clearTimeout(timer);
    say('all apps stopped; infra is still running (`pnpm infra down` stops it).');
  };
  process.on('SIGINT', stopAll);
  process.on('SIGTERM', stopAll);
  const waiting = { timeoutMs: READY_TIMEOUT_MS, alive: () => !stopping };
  Promise.all(apps.map((app) => waitFor(() => isReady(app), waiting))).then((ready) => {
    if (!stopping && ready.every(Boolean)) printUrls(apps);
    else if (!stopping) say('not every app became ready; see the logs above.');
  });
  await Promise.all(
    children.map(({ child }) => new Promise((r) => (child.exitCode !== null ? r() : child.once('exit', r)))),
  );
  await stopAll();
}

export async function logs(name, { lines = 200 } = {}) {
  process.stdout.write(`${tailFile(logFile(name), lines)}\n`);
}

const USAGE = `usage: pnpm stack <up|down|status|logs <app>>   |   pnpm dev
  up       infra up, build if needed, start every app detached, wait for /readyz, print URLs
  down     stop the apps started by \`stack up\` (infra keeps running)
  status   list apps with pid, ports and readiness
  dev      infra up, then run every app in the foreground; Ctrl-C stops them`;

async function cli([command, ...rest]) {
  switch (command) {
    case 'up':
      return up();
    case 'down':
      return down();
    case 'status':
      return status();
    case 'dev':
      return dev();
    case 'logs':
      if (!rest[0]) throw new InfraError('usage: pnpm stack logs <app>');
      return logs(rest[0]);
    default:
      process.stdout.write(`${USAGE}\n`);
      if (command && command !== 'help' && command !== '--help') process.exitCode = 2;
  }
}

if (isMainModule(import.meta.url)) {
  ignoreEpipe();
  cli(process.argv.slice(2)).catch((err) => {
    process.stderr.write(err instanceof InfraError ? `\n[stack] ${err.message}\n` : `${err.stack ?? err}\n`);
    process.exitCode = 1;
  });
}
