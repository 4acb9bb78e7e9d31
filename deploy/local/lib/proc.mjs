import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { logFile, pidFile } from './paths.mjs';

/** Resolves a command on PATH the way a shell would; null when absent. */
export function which(cmd) {
  for (const dir of (process.env.PATH || '').split(delimiter)) {
    if (dir && existsSync(join(dir, cmd))) return join(dir, cmd);
  }
  return null;
}

/**
 * Runs a command to completion. Output is kept (bounded) so a failure can be
 * reported with its last lines instead of "exit code 1".
 */
export function run(cmd, args, { cwd, env, onLine, uid, gid } = {}) {
  return new Promise((resolvePromise) => {
    const child = spawn(cmd, args, { cwd, env: env ?? process.env, uid, gid, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const collect = (chunk) => {
      const text = chunk.toString();
      output = (output + text).slice(-20_000);
      if (onLine) text.split('\n').filter(Boolean).forEach(onLine);
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.on('error', (err) => resolvePromise({ code: -1, output: String(err) }));
    child.on('close', (code) => resolvePromise({ code, output }));
  });
}

export function lastLines(text, count = 15) {
  return text.trimEnd().split('\n').slice(-count).join('\n');
}

/**
 * Starts a long-running server in its own process group, output appended to
 * logs/<name>.log, pid recorded in run/<name>.pid. The group lets `down` stop
 * wrapper scripts (kc.sh) together with the JVM they spawn.
 *
 * `match` is a string that must appear in /proc/<pid>/cmdline for the pid
 * file to be trusted later; it guards against killing a recycled pid.
 * `uid`/`gid` run it as another user; `stopSignal` is what `down` sends first.
 */
export function spawnDetached(name, cmd, args, { cwd, env, match, uid, gid, stopSignal = 'SIGTERM' }) {
  const log = logFile(name);
  mkdirSync(dirname(log), { recursive: true });
  mkdirSync(dirname(pidFile(name)), { recursive: true });
  const fd = openSync(log, 'a');
  writeSync(fd, `\n===== ${new Date().toISOString()} starting: ${cmd} ${args.join(' ')}\n`);
  try {
    const child = spawn(cmd, args, {
      cwd,
      env: env ?? process.env,
      uid,
      gid,
      detached: true,
      stdio: ['ignore', fd, fd],
    });
    child.unref();
    const record = { pid: child.pid, cmd, match: match ?? cmd, stopSignal, startedAt: new Date().toISOString() };
    writeFileSync(pidFile(name), `${JSON.stringify(record)}\n`);
    return child.pid;
  } finally {
    closeSync(fd);
  }
}

export function readPidRecord(name) {
  try {
    const text = readFileSync(pidFile(name), 'utf8').trim();
    return text.startsWith('{') ? JSON.parse(text) : { pid: Number(text) };
  } catch {
    return null;
  }
}

export function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return err.code === 'EPERM';
  }
}

function cmdlineMatches(pid, match) {
  const proc = `/proc/${pid}/cmdline`;
  if (!match || !existsSync('/proc/self/cmdline')) return true;
  try {
    return readFileSync(proc, 'utf8').includes(match);
  } catch {
    return false;
  }
}

/** The pid we started for `name` if it is still that process; a stale pid file is removed. */
export function ownedPid(name) {
  const record = readPidRecord(name);
  if (!record) return null;
  if (record.pid > 0 && isAlive(record.pid) && cmdlineMatches(record.pid, record.match)) return record.pid;
  rmSync(pidFile(name), { force: true });
  return null;
}

function signalGroup(pid, signal) {
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      /* already gone */
    }
  }
}

function groupAlive(pid) {
  try {
    process.kill(-pid, 0);
    return true;
  } catch (err) {
    return err.code === 'EPERM' || isAlive(pid);
  }
}

/** Signal the process group (SIGTERM unless it was started with another stopSignal), give it `graceMs`, then SIGKILL. Returns false if nothing was running. */
export async function stopOwned(name, { graceMs = 20_000 } = {}) {
  const pid = ownedPid(name);
  if (!pid) return false;
  signalGroup(pid, readPidRecord(name)?.stopSignal ?? 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (groupAlive(pid) && Date.now() < deadline) await sleep(200);
  if (groupAlive(pid)) {
    signalGroup(pid, 'SIGKILL');
    while (groupAlive(pid)) await sleep(100);
  }
  rmSync(pidFile(name), { force: true });
  return true;
}

/**
 * Polls `check` until it returns a truthy value. `alive` lets the caller fail
 * fast when the process died instead of waiting out the timeout; `onSlow`
 * gets called every `slowEveryMs` so long waits stay visible.
 */
export async function waitFor(check, { timeoutMs, intervalMs = 500, alive, onSlow, slowEveryMs = 15_000 }) {
  const start = Date.now();
  let nextSlow = start + slowEveryMs;
  for (;;) {
    const result = await check();
    if (result) return result;
    if (alive && !alive()) return null;
    const now = Date.now();
    if (now - start > timeoutMs) return null;
    if (onSlow && now >= nextSlow) {
      onSlow(Math.round((now - start) / 1000));
      nextSlow = now + slowEveryMs;
    }
    await sleep(intervalMs);
  }
}

/** True when something accepts TCP connections on host:port. */
export function tcpOpen(host, port, timeoutMs = 1000) {
  return new Promise((resolvePromise) => {
    const socket = connect({ host, port });
    const done = (ok) => {
      socket.destroy();
      resolvePromise(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** GET with a timeout; null on any network error. */
export async function httpGet(url, timeoutMs = 2000) {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    return { status: res.status, body: await res.text() };
  } catch {
    return null;
  }
}

export function tailFile(path, count = 100) {
  if (!existsSync(path)) return '';
  return lastLines(readFileSync(path, 'utf8'), count);
}
