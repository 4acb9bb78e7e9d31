#!/usr/bin/env node
// The whole test suite, as CI runs it: install, contracts check, build (the web app too), typecheck, lint, unit
// tests (jest and the web app's Vitest), integration tests against real NATS, MongoDB-wire server and Keycloak
// (started by testkit if not running), the web app end to end in Debian's Chromium, then the short forms of the
// suites that attack the running platform (fuzzing, faults), whose JUnit reports count in the totals.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureChromium, installAndBuild, pnpm, pnpmEnv, repoRoot, step } from './setup.mjs';

const started = Date.now();
installAndBuild();

step('checking contracts (buf lint, generated code up to date, buf breaking)');
pnpm(['run', '--silent', 'proto:check']);
step('type-checking sources and tests');
pnpm(['run', '--silent', 'typecheck']);
step('linting');
pnpm(['run', '--silent', 'lint']);
step('checking the Helm chart (helm lint, kubeconform, kube-score, helm-unittest)');
pnpm(['run', '--silent', 'chart:lint']);

const resultsDir = mkdtempSync(join(tmpdir(), 'crm-jest-'));
const totals = { passed: 0, failed: 0, pending: 0 };

function jest(project, extraArgs) {
  step(`running ${project} tests`);
  const outputFile = join(resultsDir, `${project}.json`);
  const jestBin = join(repoRoot, 'node_modules/jest/bin/jest.js');
  const run = spawnSync(
    process.execPath,
    [jestBin, '--selectProjects', project, '--json', '--outputFile', outputFile, ...extraArgs],
    { cwd: repoRoot, env: pnpmEnv, stdio: 'inherit' },
  );
  count(outputFile);
  return run.status === 0;
}

/** Adds one runner's JSON report (jest's, or Vitest's in the same shape) to the totals; no report is a failure. */
function count(outputFile) {
  try {
    const results = JSON.parse(readFileSync(outputFile, 'utf8'));
    totals.passed += results.numPassedTests;
    totals.failed += results.numFailedTests + (results.numRuntimeErrorTestSuites ?? 0);
    totals.pending += results.numPendingTests + results.numTodoTests;
  } catch {
    totals.failed += 1;
  }
}

/** The web app's unit and component tests (Vitest, jsdom); its JSON report has jest's counters. */
function vitest() {
  step('running web unit and component tests (vitest)');
  const outputFile = join(resultsDir, 'web-vitest.json');
  const vitestBin = join(repoRoot, 'web/node_modules/vitest/vitest.mjs');
  const run = spawnSync(
    process.execPath,
    [vitestBin, 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${outputFile}`],
    { cwd: join(repoRoot, 'web'), env: pnpmEnv, stdio: 'inherit' },
  );
  count(outputFile);
  return run.status === 0;
}

/** Adds a suite's JUnit reports (testcase elements) to the totals; each testcase passed, failed or skipped. */
function countJunit(dir) {
  const files = existsSync(dir) ? readdirSync(dir, { recursive: true }).filter((f) => String(f).endsWith('.xml')) : [];
  let cases = 0;
  for (const file of files) {
    const xml = readFileSync(join(dir, String(file)), 'utf8');
    for (const testcase of xml.match(/<testcase\b[\s\S]*?(?:\/>|<\/testcase>)/g) ?? []) {
      cases++;
      if (/<(failure|error)\b/.test(testcase)) totals.failed += 1;
      else if (/<skipped\b/.test(testcase)) totals.pending += 1;
      else totals.passed += 1;
    }
  }
  return cases;
}

/** A suite outside jest (a node script) that writes JUnit reports into a directory of its own. */
function suite(name, script, args) {
  step(`running ${name}`);
  const dir = join(resultsDir, name);
  const run = spawnSync(process.execPath, [join(repoRoot, script), ...args, '--junit-dir', dir], {
    cwd: repoRoot,
    env: pnpmEnv,
    stdio: 'inherit',
  });
  if (countJunit(dir) === 0) totals.failed += 1;
  return run.status === 0;
}

const unitOk = jest('unit', []);
const webOk = vitest();
const integrationOk = jest('integration', ['--runInBand']);
ensureChromium();
const e2eOk = jest('e2e', ['--runInBand']);
const fuzzOk = suite('fuzzing (schemathesis, short form)', 'scripts/fuzz.mjs', []);
const faultsOk = suite('fault suite (short form)', 'scripts/faults.mjs', []);
const minutes = ((Date.now() - started) / 60000).toFixed(1);
process.stdout.write(`\n[test] finished in ${minutes} min\n`);
process.stdout.write(`tests: ${totals.passed} passed, ${totals.failed} failed, ${totals.pending} skipped\n`);
// A skipped test is a failing test that was hidden.
process.exit(
  unitOk && webOk && integrationOk && e2eOk && fuzzOk && faultsOk && totals.failed === 0 && totals.pending === 0
    ? 0
    : 1,
);
