#!/usr/bin/env node
// Installs the workspace with pnpm (through corepack, so pnpm need not be installed) and builds it.
// Used by `npm test` and `npm run dev`, so both work on a fresh machine with only Node 20.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

export const repoRoot = fileURLToPath(new URL('..', import.meta.url));

// corepack's bundled signing keys can lag behind the registry's; the registry's own integrity hash still applies.
export const pnpmEnv = {
  ...process.env,
  COREPACK_ENABLE_DOWNLOAD_PROMPT: '0',
  COREPACK_INTEGRITY_KEYS: process.env.COREPACK_INTEGRITY_KEYS ?? '0',
};

export function step(message) {
  process.stderr.write(`\n[setup] ${message}\n`);
}

export function pnpm(args, options = {}) {
  execFileSync('corepack', ['pnpm', ...args], { cwd: repoRoot, env: pnpmEnv, stdio: 'inherit', ...options });
}

export function installAndBuild() {
  step('installing dependencies (pnpm via corepack)');
  pnpm(['install', '--frozen-lockfile', '--reporter=append-only']);
  step('building packages (tsc -b)');
  pnpm(['run', '--silent', 'build']);
}

export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** The browser tests drive Debian's Chromium (playwright-core cannot download its own here); install it once. */
export function ensureChromium() {
  if (existsSync(chromiumPath)) return;
  if (process.env.CHROMIUM_PATH) throw new Error(`CHROMIUM_PATH=${chromiumPath} does not exist`);
  if (process.getuid?.() !== 0)
    throw new Error(`${chromiumPath} is missing: install Debian's chromium package (apt-get install chromium)`);
  step('installing Chromium from Debian for the browser tests (apt-get, first run only)');
  const apt = (args) => {
    const run = spawnSync('apt-get', args, {
      stdio: 'inherit',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
    if (run.status !== 0) throw new Error(`apt-get ${args.join(' ')} failed (${run.status})`);
  };
  apt(['update']);
  apt(['install', '-y', '-q', '-o', 'DPkg::Lock::Timeout=600', 'chromium']);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  installAndBuild();
  if (!existsSync(join(repoRoot, 'node_modules'))) process.exit(1);
}
