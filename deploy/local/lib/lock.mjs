import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { runDir } from './paths.mjs';
import { isAlive } from './proc.mjs';
import { note, InfraError } from './log.mjs';

function holder(path) {
  try {
    return Number(readFileSync(path, 'utf8').trim()) || null;
  } catch {
    return null;
  }
}

/**
 * Serialises infra runs: two test runners (or `pnpm dev` and a test run)
 * calling `up` at once must not both build nats-server or both spawn
 * Keycloak. A lock whose holder died is taken over.
 */
export async function withLock(fn, { timeoutMs = 20 * 60_000 } = {}) {
  mkdirSync(runDir(), { recursive: true });
  const path = join(runDir(), 'infra.lock');
  const deadline = Date.now() + timeoutMs;
  let told = false;
  for (;;) {
    try {
      writeFileSync(path, `${process.pid}\n`, { flag: 'wx' });
      break;
    } catch (err) {
      if (err.code !== 'EEXIST') throw err;
      const pid = holder(path);
      if (!pid || !isAlive(pid)) {
        rmSync(path, { force: true });
        continue;
      }
      if (Date.now() > deadline) throw new InfraError(`Another infra run (pid ${pid}) still holds ${path}.`);
      if (!told) note(`waiting for another infra run (pid ${pid}) to finish…`);
      told = true;
      await sleep(500);
    }
  }
  try {
    return await fn();
  } finally {
    if (holder(path) === process.pid) rmSync(path, { force: true });
  }
}
