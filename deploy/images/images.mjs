#!/usr/bin/env node
// `pnpm images build [name…]`: the base images (lib/bases.mjs), then one image per deployable workspace package
// (every package whose main is dist/main.js: services/* and the gateway) from deploy/images/Dockerfile.
// `pnpm images test [name…]`: runs each image with podman against the local infrastructure as the chart does: the
// migration Job's `node dist/migrate.js` first, then the service, waits for /readyz, sends SIGTERM and checks a
// clean exit within the grace period, then the rebuild Job's `node dist/rebuild.js` (also: user, read-only root,
// labels, the web app's files in the gateway).
// `pnpm images list`: the images and their sizes.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { repoRoot } from '../local/lib/paths.mjs';
import { BUILD_BASE, RUNTIME_BASE, ensureBuildBase, ensureRuntimeBase } from './lib/bases.mjs';
import { REGISTRY, engineEnv, ensureEngine, stream } from './lib/engine.mjs';

const progress = (message) => process.stderr.write(`[images] ${message}\n`);
const GRACE_SECONDS = 30;

/** Deployable workspace packages (main dist/main.js and a src/main.ts): { dir, name, image, kind, version }. */
export function deployables() {
  const dirs = [...readdirSync(join(repoRoot, 'services')).map((d) => join('services', d)), 'gateway'].filter((d) =>
    existsSync(join(repoRoot, d, 'package.json')),
  );
  return (
    dirs
      .map((dir) => ({ dir, pkg: JSON.parse(readFileSync(join(repoRoot, dir, 'package.json'), 'utf8')) }))
      // A package becomes deployable once it has its entry point (a service still being written has none).
      .filter(({ dir, pkg }) => pkg.main === 'dist/main.js' && existsSync(join(repoRoot, dir, 'src/main.ts')))
      .map(({ dir, pkg }) => {
        const image = pkg.name.replace(/^@crm\//, '');
        const kind = dir === 'gateway' ? 'gateway' : 'service';
        const service = kind === 'gateway' ? 'gateway' : dir.split('/')[1];
        // The entry points of the chart's Jobs this image ships (compiled from src/<tool>.ts).
        const tools = ['migrate', 'rebuild'].filter((t) => existsSync(join(repoRoot, dir, `src/${t}.ts`)));
        return { dir, name: pkg.name, image, kind, service, version: pkg.version, tools };
      })
  );
}

function selected(args) {
  const all = deployables();
  if (!args.length) return all;
  const picked = all.filter((d) => args.includes(d.image) || args.includes(d.service) || args.includes(d.name));
  if (picked.length !== args.length)
    throw new Error(`unknown image in ${args.join(' ')}; known: ${all.map((d) => d.service).join(' ')}`);
  return picked;
}

const refOf = (d) => `${REGISTRY}/${d.image}:${d.version}`;

function git(args) {
  const r = spawnSync('git', args, { cwd: repoRoot, encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : '';
}

async function build(args) {
  ensureEngine(progress);
  const env = engineEnv();
  const started = Date.now();
  const runtime = await ensureRuntimeBase(env, progress);
  const builder = await ensureBuildBase(env, progress);
  // CRM_IMAGE_REVISION names the commit of a tree without .git (e.g. `git archive` of a release).
  const revision = process.env.CRM_IMAGE_REVISION || git(['rev-parse', 'HEAD']) || 'unknown';
  const dirty = !process.env.CRM_IMAGE_REVISION && git(['status', '--porcelain']) ? '-dirty' : '';
  const webDist = existsSync(join(repoRoot, 'web/package.json')) ? 'web/dist' : '';
  for (const d of selected(args)) {
    const began = Date.now();
    progress(`building ${refOf(d)} (${d.name})…`);
    const buildArgs = {
      BUILD_IMAGE: builder,
      RUNTIME_IMAGE: runtime,
      PACKAGE: d.name,
      VERSION: d.version,
      REVISION: `${revision}${dirty}`,
      SOURCE: process.env.CRM_IMAGE_SOURCE || 'https://example.invalid/crm-platform',
      // The gateway serves the web app's static files (built by `pnpm build` in the shared stage).
      STATIC_DIR: d.kind === 'gateway' ? webDist : '',
    };
    const code = await stream(
      'buildah',
      [
        'build',
        '--layers',
        '--network',
        'host',
        '-f',
        'deploy/images/Dockerfile',
        ...Object.entries(buildArgs).flatMap(([k, v]) => ['--build-arg', `${k}=${v}`]),
        ...caBundleSecret(),
        '-t',
        refOf(d),
        '.',
      ],
      { env, cwd: repoRoot, onLine: (l) => /^(\[\d+\/\d+\] )?(STEP|COMMIT|Error|error)/.test(l) && progress(`  ${l}`) },
    );
    if (code !== 0) throw new Error(`building ${refOf(d)} failed`);
    progress(`built ${refOf(d)} in ${((Date.now() - began) / 1000).toFixed(0)} s, ${sizeOf(env, refOf(d))}`);
  }
  progress(`done in ${((Date.now() - started) / 60000).toFixed(1)} min`);
  list([]);
}

/** The CA bundle the host trusts (a TLS-intercepting proxy's), for the build stage's registry downloads. */
function caBundleSecret() {
  const file = [process.env.NODE_EXTRA_CA_CERTS, process.env.SSL_CERT_FILE].find((f) => f && existsSync(f));
  return file ? ['--secret', `id=ca-bundle,src=${file}`] : [];
}

function sizeOf(env, ref) {
  const out = spawnSync('podman', ['image', 'inspect', '--format', '{{.Size}}', ref], { env, encoding: 'utf8' });
  return out.status === 0 ? `${(Number(out.stdout.trim()) / 1e6).toFixed(0)} MB` : 'absent';
}

function list(args) {
  const env = engineEnv();
  const rows = [RUNTIME_BASE, BUILD_BASE, ...selected(args).map(refOf)].map(
    (ref) => `  ${ref.padEnd(50)} ${sizeOf(env, ref)}`,
  );
  process.stdout.write(`${rows.join('\n')}\n`);
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function waitReady(url, timeoutMs, isRunning) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isRunning()) return 'exited';
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
      if (res.status === 200) return 'ready';
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  return 'timeout';
}

function podman(env, args, options = {}) {
  return spawnSync('podman', args, { env, encoding: 'utf8', ...options });
}

/** Flags of every container the test runs, as the chart runs its pods: non-root, read-only root, /tmp a tmpfs. */
function runFlags() {
  return [
    'run',
    '--network',
    'host',
    '--read-only',
    '--tmpfs',
    '/tmp:rw,size=64m',
    '--cap-drop',
    'ALL',
    '--security-opt',
    'no-new-privileges',
  ];
}

const envFlags = (vars) => Object.entries(vars).flatMap(([k, v]) => ['--env', `${k}=${v}`]);

// The components' `secretEnv` of the chart's values, with values made for the run (32 random bytes in base64 fit
// both the CSAT secret's length and the workflow key's size).
const SECRET_ENV = {
  ticket: { TICKET_CSAT_SECRET: randomBytes(32).toString('base64') },
  workflow: { WORKFLOW_SECRET_KEY: randomBytes(32).toString('base64') },
};

const webBuilt = () => existsSync(join(repoRoot, 'web/package.json'));

/** Runs one image like the chart does (non-root, read-only root, /tmp a tmpfs) and checks its lifecycle. */
async function testOne(env, d, infra, grpcUrls, suffix) {
  const ref = refOf(d);
  const problems = [];
  const inspect = JSON.parse(podman(env, ['image', 'inspect', ref]).stdout || '[]')[0];
  if (!inspect) return { problems: [`${ref} is not built (pnpm images build)`] };
  const config = inspect.Config ?? {};
  if (config.User !== '10001:10001') problems.push(`user is ${config.User}, not 10001:10001`);
  if (config.Healthcheck) problems.push('has a HEALTHCHECK');
  for (const label of ['source', 'revision', 'version']) {
    if (!config.Labels?.[`org.opencontainers.image.${label}`])
      problems.push(`no org.opencontainers.image.${label} label`);
  }
  const ports = { api: await freePort(), admin: await freePort() };
  const clientId = d.kind === 'gateway' ? 'crm-gateway' : `${d.service}-service`;
  // What the Jobs get from the chart: the stores, the issuer, the client and the component's own Secrets.
  const jobEnv = {
    SERVICE_NAME: d.service,
    LOG_LEVEL: 'info',
    NATS_URL: infra.NATS_URL,
    NATS_NAMESPACE: `img${suffix}`,
    MONGODB_URL: infra.MONGODB_URL,
    MONGODB_DB: `crm_img${suffix}_${d.service}`,
    POSTGRES_URL: infra.POSTGRES_URL,
    POSTGRES_DB: `crm_img${suffix}_${d.service}`,
    OIDC_ISSUER: infra.OIDC_ISSUER,
    OIDC_CLIENT_ID: clientId,
    OIDC_CLIENT_SECRET: `${clientId}-secret`,
    ...(SECRET_ENV[d.service] ?? {}),
  };
  const toolResults = {};
  const runTool = (tool) => {
    const began = Date.now();
    const r = podman(env, [...runFlags(), '--rm', ...envFlags(jobEnv), ref, `dist/${tool}.js`], {
      timeout: 300_000,
    });
    toolResults[tool] = { code: r.status, seconds: (Date.now() - began) / 1000 };
    if (r.status !== 0) {
      problems.push(`node dist/${tool}.js exited ${r.status ?? 'on a timeout'}`);
      process.stderr.write(`${(r.stdout + r.stderr).split('\n').slice(-30).join('\n')}\n`);
    }
  };
  // The migration Job runs before the release's pods (a pre-install hook).
  if (d.tools.includes('migrate')) runTool('migrate');
  const env_ = {
    ...jobEnv,
    ADMIN_HOST: '127.0.0.1',
    ADMIN_PORT: ports.admin,
    SHUTDOWN_GRACE_MS: String((GRACE_SECONDS - 5) * 1000),
    ...grpcUrls,
    ...(d.kind === 'gateway'
      ? { HTTP_HOST: '127.0.0.1', HTTP_PORT: ports.api, WEB_DIST_DIR: '/app/static' }
      : { GRPC_HOST: '127.0.0.1', GRPC_PORT: ports.api }),
  };
  const name = `crm-image-test-${d.image}-${suffix}`;
  const run = podman(env, [...runFlags(), '--detach', '--name', name, ...envFlags(env_), ref]);
  if (run.status !== 0) return { problems: [...problems, `podman run failed: ${run.stderr.trim()}`] };
  const isRunning = () => podman(env, ['inspect', '--format', '{{.State.Running}}', name]).stdout.trim() === 'true';
  const began = Date.now();
  const state = await waitReady(`http://127.0.0.1:${ports.admin}/readyz`, 90_000, isRunning);
  const readyAfter = (Date.now() - began) / 1000;
  let exit = { code: null, seconds: null };
  if (state !== 'ready') problems.push(`not ready: ${state}`);
  else {
    if (d.kind === 'gateway' && webBuilt()) {
      // The web app's index.html from the image's /app/static.
      const page = await fetch(`http://127.0.0.1:${ports.api}/`).then(
        async (res) => ({ status: res.status, body: await res.text() }),
        (error) => ({ status: 0, body: String(error) }),
      );
      if (page.status !== 200 || !/<html/i.test(page.body)) problems.push(`GET / answered ${page.status}, no web app`);
    }
    const t0 = Date.now();
    podman(env, ['kill', '--signal', 'TERM', name]);
    const waited = podman(env, ['wait', name], { timeout: (GRACE_SECONDS + 5) * 1000 });
    exit = { code: Number(waited.stdout.trim()), seconds: (Date.now() - t0) / 1000 };
    if (exit.code !== 0) problems.push(`exit code ${waited.stdout.trim() || 'none'} after SIGTERM`);
    if (exit.seconds > GRACE_SECONDS)
      problems.push(`took ${exit.seconds.toFixed(1)} s to stop (grace ${GRACE_SECONDS} s)`);
  }
  const logs = podman(env, ['logs', name]).stdout + podman(env, ['logs', name]).stderr;
  if (problems.length) process.stderr.write(`${logs.split('\n').slice(-30).join('\n')}\n`);
  podman(env, ['rm', '--force', name]);
  // An on-demand rebuild Job, after the service has created its streams and stored its first state.
  if (d.tools.includes('rebuild') && state === 'ready') runTool('rebuild');
  return { problems, readyAfter, exit, ports, toolResults };
}

async function test(args) {
  ensureEngine(progress);
  const env = engineEnv();
  const infraModule = await import('../local/infra.mjs');
  const { env: infra } = await infraModule.up({ quiet: true });
  const infraEnv = {
    ...infra,
    POSTGRES_URL: infra.POSTGRES_URL ?? process.env.POSTGRES_URL ?? 'postgres://crm@127.0.0.1:5433',
  };
  const suffix = `${Date.now().toString(36)}`;
  const picked = selected(args);
  // Services first, then the gateway pointed at them (each service runs until the gateway's test is done).
  const services = picked.filter((d) => d.kind === 'service');
  const gateway = picked.find((d) => d.kind === 'gateway');
  const results = [];
  // Every process becomes ready without its peers (it calls them per request); point each at free ports.
  const grpcUrls = {};
  for (const d of deployables().filter((x) => x.kind === 'service')) {
    grpcUrls[`${d.service.toUpperCase()}_GRPC_URL`] = `127.0.0.1:${await freePort()}`;
  }
  for (const d of services) {
    progress(`testing ${refOf(d)}…`);
    const { [`${d.service.toUpperCase()}_GRPC_URL`]: _own, ...peers } = grpcUrls;
    results.push({ d, ...(await testOne(env, d, infraEnv, peers, suffix)) });
  }
  if (gateway) {
    progress(`testing ${refOf(gateway)}…`);
    results.push({ d: gateway, ...(await testOne(env, gateway, infraEnv, grpcUrls, suffix)) });
  }
  let failed = 0;
  for (const r of results) {
    const ok = r.problems.length === 0;
    if (!ok) failed += 1;
    const tools = Object.entries(r.toolResults ?? {}).map(
      ([t, x]) => `${t} exit ${x.code} in ${x.seconds.toFixed(1)} s`,
    );
    const detail = ok
      ? [
          ...tools,
          `ready in ${r.readyAfter.toFixed(1)} s`,
          `SIGTERM -> exit 0 in ${r.exit.seconds.toFixed(1)} s`,
          sizeOf(env, refOf(r.d)),
        ].join(', ')
      : r.problems.join('; ');
    process.stdout.write(`[images] ${ok ? 'ok  ' : 'FAIL'} ${refOf(r.d)}: ${detail}\n`);
  }
  process.stdout.write(`images: ${results.length - failed} passed, ${failed} failed\n`);
  process.exitCode = failed ? 1 : 0;
}

const [command, ...args] = process.argv.slice(2);
const commands = { build, test, list };
if (!commands[command]) {
  process.stderr.write('usage: pnpm images build|test|list [name…]\n');
  process.exit(2);
}
try {
  await commands[command](args);
} catch (error) {
  progress(error instanceof Error ? error.message : String(error));
  process.exit(1);
}
