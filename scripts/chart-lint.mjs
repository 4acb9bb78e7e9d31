#!/usr/bin/env node
// Checks the Helm chart with the standard tools, as `npm test` runs it:
//   1. the production realm the chart imports is up to date with deploy/keycloak (scripts/lib/production-realm.mjs);
//   2. `helm lint --strict` with each values file (default, production, minimal);
//   3. `helm template` of each, validated by kubeconform in strict mode against the Kubernetes JSON schemas of
//      the oldest supported and the newest version (shipped offline by the PyPI package kubernetes-validate);
//   4. kube-score on each rendering (kube-linter, which the issue names, is not served by any registry here:
//      the Go module proxy refuses golang.stackrox.io/kube-linter; kube-score covers the same ground: security
//      contexts, probes, resources, network policies, PDBs, anti-affinity);
//   5. helm-unittest suites (charts/crm/tests) for the templates' logic.
// The tools are built once with Go from the module proxy into ~/.cache/crm-platform/bin, the schemas unpacked
// once into ~/.cache/crm-platform/kubernetes-json-schema.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { productionRealm } from './lib/production-realm.mjs';
import { ensureKubernetesSchemas, ensureTool } from './lib/chart-tools.mjs';

const repoRoot = new URL('..', import.meta.url).pathname;
const chartDir = join(repoRoot, 'charts/crm');
// Each values file, with the kube-score checks that do not apply to it.
const VALUES = {
  'values.yaml': [],
  // The defaults (which render the migration Jobs) with a rebuild Job of every service, so those are validated too.
  'values.yaml + jobs': [],
  'values-production.yaml': [],
  // One replica is the point of a trial install, so kube-score's "few replicas" warning is expected there.
  'values-minimal.yaml': ['deployment-replicas'],
};
// The chart's kubeVersion floor and the newest release the schema package ships.
const KUBE_VERSIONS = ['1.30.0', '1.37.0'];

// Custom resources of the operators the chart can drive: no registry package here ships their schemas, so
// kubeconform skips them (helm-unittest asserts their content instead).
const CRD_KINDS = [
  'ServiceMonitor',
  'HTTPRoute',
  'Cluster',
  'Database',
  'ScheduledBackup',
  'MongoDBCommunity',
  'Keycloak',
  'KeycloakRealmImport',
];

// kube-score checks left out, each for a reason:
const KUBE_SCORE_IGNORED = [
  // Images are pinned to the release's immutable appVersion tag, so IfNotPresent is right and Always only adds
  // registry round-trips.
  'container-image-pull-policy',
];

let failed = false;
const started = Date.now();

function run(command, args, { input, quiet } = {}) {
  const result = spawnSync(command, args, {
    input,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    stdio: [input ? 'pipe' : 'ignore', 'pipe', 'pipe'],
  });
  const status = result.status ?? 1;
  if (status !== 0 && !quiet) process.stdout.write(`${result.stdout ?? ''}${result.stderr ?? ''}`);
  return { status, stdout: result.stdout ?? '', stderr: result.stderr ?? '' };
}

function check(name, ok, detail = '') {
  process.stdout.write(`[chart] ${ok ? 'ok  ' : 'FAIL'} ${name}${detail ? `: ${detail}` : ''}\n`);
  if (!ok) failed = true;
}

const realmFile = join(chartDir, 'files/crm-realm.json');
const realm = productionRealm(join(repoRoot, 'deploy/keycloak/crm-realm.json'));
if (process.argv.includes('--write-realm')) {
  writeFileSync(realmFile, realm);
  process.exit(0);
}
check(
  'files/crm-realm.json matches deploy/keycloak (regenerate: node scripts/chart-lint.mjs --write-realm)',
  existsSync(realmFile) && readFileSync(realmFile, 'utf8') === realm,
);

const [helm, kubeconform, kubeScore, helmUnittest] = [
  await ensureTool('helm'),
  await ensureTool('kubeconform'),
  await ensureTool('kube-score'),
  await ensureTool('helm-unittest'),
];
const schemaDirs = await ensureKubernetesSchemas(KUBE_VERSIONS);

for (const [label, ignoredHere] of Object.entries(VALUES)) {
  const valuesArgs = label.startsWith('values.yaml')
    ? label.endsWith('jobs')
      ? ['--set', 'rebuild.components={contact,pipeline,ticket,workflow,reporting}']
      : []
    : ['-f', join(chartDir, label)];
  const kube = KUBE_VERSIONS.at(-1);
  const lint = run(helm, ['lint', '--strict', '--kube-version', kube, chartDir, ...valuesArgs]);
  check(`helm lint --strict (${label})`, lint.status === 0);

  const rendered = run(helm, [
    'template',
    'crm',
    chartDir,
    '--namespace',
    'crm',
    '--kube-version',
    kube,
    ...valuesArgs,
  ]);
  check(`helm template (${label})`, rendered.status === 0);
  if (rendered.status !== 0) continue;

  for (const version of KUBE_VERSIONS) {
    const location = `file://${schemaDirs[version]}/{{ .ResourceKind }}{{ .KindSuffix }}.json`;
    const result = run(
      kubeconform,
      [
        '-strict',
        '-summary',
        '-kubernetes-version',
        version,
        '-schema-location',
        location,
        '-skip',
        CRD_KINDS.join(','),
      ],
      { input: rendered.stdout },
    );
    check(
      `kubeconform -strict, Kubernetes ${version} (${label})`,
      result.status === 0,
      result.stdout.trim().split('\n').at(-1),
    );
  }

  const ignore = [...KUBE_SCORE_IGNORED, ...ignoredHere].flatMap((t) => ['--ignore-test', t]);
  const score = run(kubeScore, ['score', '--output-format', 'ci', ...ignore, '-'], {
    input: rendered.stdout,
    quiet: true,
  });
  const problems = score.stdout.split('\n').filter((line) => /^\[(CRITICAL|WARNING)\]/.test(line));
  check(`kube-score (${label})`, problems.length === 0, problems.length ? `\n${problems.join('\n')}` : 'no findings');
}

const unit = run(helmUnittest, ['--color=false', chartDir]);
const summary = unit.stdout.split('\n').filter((l) => /^(Charts|Test Suites|Tests):/.test(l.trim()));
check('helm-unittest', unit.status === 0, summary.map((l) => l.trim().replace(/\s+/g, ' ')).join('; '));

process.stdout.write(`[chart] ${failed ? 'FAILED' : 'passed'} in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
process.exit(failed ? 1 : 0);
