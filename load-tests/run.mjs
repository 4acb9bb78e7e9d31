#!/usr/bin/env node
// `pnpm load <script>`: runs a k6 script from load-tests/ with k6 built once by Go into the tools cache.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { binDir } from '../deploy/local/lib/paths.mjs';
import { goInstall } from '../deploy/local/lib/go.mjs';

const K6_MODULE = 'go.k6.io/k6@v1.8.1';
const script = process.argv[2] ?? '01-smoke.js';
const k6 = join(binDir(), 'k6');
if (!existsSync(k6)) {
  process.stderr.write('[load] building k6 with Go (first run only, a few minutes)…\n');
  await goInstall('k6', K6_MODULE);
}
const result = spawnSync(k6, ['run', join(new URL('.', import.meta.url).pathname, script), ...process.argv.slice(3)], {
  stdio: 'inherit',
});
process.exit(result.status ?? 1);
