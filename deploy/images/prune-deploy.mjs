#!/usr/bin/env node
// Removes what a `pnpm deploy` copies but a running process never reads: sources, tests, benchmarks and build
// metadata of the deployed package and of the workspace packages it depends on (their compiled dist/ stays).
import { existsSync, readdirSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const out = process.argv[2];
const UNUSED = [
  'test',
  'bench',
  'coverage',
  'tsconfig.json',
  'tsconfig.bench.json',
  'tsconfig.tsbuildinfo',
  'README.md',
];

function prune(dir) {
  for (const name of UNUSED) rmSync(join(dir, name), { recursive: true, force: true });
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  // Sources only when the package runs from dist/ (proto ships .proto files elsewhere, which stay).
  if (String(pkg.main ?? '').startsWith('dist/') && existsSync(join(dir, 'dist'))) {
    rmSync(join(dir, 'src'), { recursive: true, force: true });
  }
}

prune(out);
const scope = join(out, 'node_modules', '@crm');
if (existsSync(scope)) for (const name of readdirSync(scope)) prune(realpathSync(join(scope, name)));
