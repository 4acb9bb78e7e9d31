#!/usr/bin/env node
// Installs the workspace with pnpm (through corepack, so pnpm need not be installed) and builds it.
// Used by `npm test` and `npm run dev`, so both work on a fresh machine with only Node 20.
import { execFileSync } from 'node:child_process';
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

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  installAndBuild();
  if (!existsSync(join(repoRoot, 'node_modules'))) process.exit(1);
}
