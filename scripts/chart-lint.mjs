#!/usr/bin/env node
// Lints the Helm chart with standard tools: `helm lint --strict`, then kube-score on the rendered manifests.
// Both are built once with Go from the module proxy into the tools cache (~/.cache/crm-platform/bin).
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { binDir } from '../deploy/local/lib/paths.mjs';
import { goInstall } from '../deploy/local/lib/go.mjs';

const TOOLS = [
  { name: 'helm', module: 'helm.sh/helm/v3/cmd/helm@v3.22.0' },
  { name: 'kube-score', module: 'github.com/zegl/kube-score/cmd/kube-score@v1.20.0' },
];
const chartDir = new URL('../charts/crm', import.meta.url).pathname;

// Images are pinned to the release's immutable appVersion tag, so IfNotPresent is right and Always only adds
// registry round-trips.
const IGNORED_TESTS = ['container-image-pull-policy'];

async function tool(name, module) {
  const path = join(binDir(), name);
  if (!existsSync(path)) {
    process.stderr.write(`[chart] building ${name} with Go (first run only)…\n`);
    await goInstall(name, module);
  }
  return path;
}

function run(command, args, input) {
  const result = spawnSync(command, args, {
    input,
    encoding: 'utf8',
    stdio: [input ? 'pipe' : 'ignore', 'pipe', 'inherit'],
  });
  return { status: result.status ?? 1, stdout: result.stdout ?? '' };
}

const [helm, kubeScore] = [await tool(TOOLS[0].name, TOOLS[0].module), await tool(TOOLS[1].name, TOOLS[1].module)];
const lint = run(helm, ['lint', '--strict', chartDir]);
process.stdout.write(lint.stdout);
if (lint.status !== 0) process.exit(lint.status);

const rendered = run(helm, [
  'template',
  'crm',
  chartDir,
  '--kube-version',
  '1.31.0',
  '--set',
  'components.ticket.enabled=true,components.workflow.enabled=true,components.reporting.enabled=true',
]);
if (rendered.status !== 0) process.exit(rendered.status);
const ignore = IGNORED_TESTS.flatMap((t) => ['--ignore-test', t]);
const score = run(kubeScore, ['score', '--output-format', 'ci', ...ignore, '-'], rendered.stdout);
const problems = score.stdout.split('\n').filter((line) => /^\[(CRITICAL|WARNING)\]/.test(line));
process.stdout.write(
  problems.length ? `${problems.join('\n')}\n` : '[chart] kube-score: no warnings or critical findings\n',
);
process.exit(problems.length ? 1 : 0);
