#!/usr/bin/env node
// `pnpm images build [name…]`: the base images (lib/bases.mjs), then one image per deployable workspace package
// (every package whose main is dist/main.js: services/* and the gateway) from deploy/images/Dockerfile.
// `pnpm images test [name…]`: runs each image with podman against the local infrastructure, waits for /readyz,
// sends SIGTERM and checks a clean exit within the grace period (also: user, read-only root, labels).
// `pnpm images list`: the images and their sizes.
import { spawnSync } from 'node:child_process';
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
        return { dir, name: pkg.name, image, kind, service, version: pkg.version };
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
  const revision = git(['rev-parse', 'HEAD']) || 'unknown';
  const dirty = git(['status', '--porcelain']) ? '-dirty' : '';
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
  const env_ = {
    SERVICE_NAME: d.service,
    ADMIN_HOST: '127.0.0.1',
    ADMIN_PORT: ports.admin,
    NATS_URL: infra.NATS_URL,
    NATS_NAMESPACE: `img${suffix}`,
    MONGODB_URL: infra.MONGODB_URL,
    MONGODB_DB: `crm_img${suffix}_${d.service}`,
    POSTGRES_URL: infra.POSTGRES_URL,
    POSTGRES_DB: `crm_img${suffix}_${d.service}`,
    OIDC_ISSUER: infra.OIDC_ISSUER,
    OIDC_CLIENT_ID: clientId,
    OIDC_CLIENT_SECRET: `${clientId}-secret`,
    SHUTDOWN_GRACE_MS: String((GRACE_SECONDS - 5) * 1000),
    ...(d.kind === 'gateway'
      ? { HTTP_HOST: '127.0.0.1', HTTP_PORT: ports.api, ...grpcUrls }
      : { GRPC_HOST: '127.0.0.1', GRPC_PORT: ports.api }),
  };
  const name = `crm-image-test-${d.image}-${suffix}`;
  const run = podman(env, [
    'run',
    '--detach',
    '--name',
    name,
    '--network',
    'host',
    '--read-only',
    '--tmpfs',
    '/tmp:rw,size=64m',
    '--cap-drop',
    'ALL',
    '--security-opt',
    'no-new-privileges',
    ...Object.entries(env_).flatMap(([k, v]) => ['--env', `${k}=${v}`]),
    ref,
  ]);
  if (run.status !== 0) return { problems: [...problems, `podman run failed: ${run.stderr.trim()}`] };
  const isRunning = () => podman(env, ['inspect', '--format', '{{.State.Running}}', name]).stdout.trim() === 'true';
  const began = Date.now();
  const state = await waitReady(`http://127.0.0.1:${ports.admin}/readyz`, 90_000, isRunning);
  const readyAfter = (Date.now() - began) / 1000;
  let exit = { code: null, seconds: null };
  if (state !== 'ready') problems.push(`not ready: ${state}`);
  else {
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
  return { problems, readyAfter, exit, ports };
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
  for (const d of services) {
    progress(`testing ${refOf(d)}…`);
    results.push({ d, ...(await testOne(env, d, infraEnv, {}, suffix)) });
  }
  if (gateway) {
    progress(`testing ${refOf(gateway)}…`);
    // The gateway becomes ready without its services (it calls them per request); point it at free ports.
    const grpcUrls = {};
    for (const d of deployables().filter((x) => x.kind === 'service')) {
      grpcUrls[`${d.service.toUpperCase()}_GRPC_URL`] = `127.0.0.1:${await freePort()}`;
    }
    results.push({ d: gateway, ...(await testOne(env, gateway, infraEnv, grpcUrls, suffix)) });
  }
  let failed = 0;
  for (const r of results) {
    const ok = r.problems.length === 0;
    if (!ok) failed += 1;
    const detail = ok
      ? `ready in ${r.readyAfter.toFixed(1)} s, SIGTERM -> exit 0 in ${r.exit.seconds.toFixed(1)} s, ${sizeOf(env, refOf(r.d))}`
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
