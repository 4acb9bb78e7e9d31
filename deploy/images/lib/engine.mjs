// buildah and podman as this machine runs them: the vfs storage driver, runc with cgroupfs, and a containers.conf
// with empty default_ulimits (crun and the default ulimits are refused by the sandbox). The configuration lives
// in the tools cache and is passed through CONTAINERS_CONF / CONTAINERS_STORAGE_CONF, so the system's own
// configuration is left alone.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cacheDir } from '../../local/lib/paths.mjs';

export const REGISTRY = process.env.CRM_IMAGE_REGISTRY || 'localhost/crm';

export function containersDir() {
  return join(cacheDir(), 'containers');
}

/** The environment buildah and podman run with; writes their configuration on first use. */
export function engineEnv() {
  const dir = containersDir();
  const storageConf = join(dir, 'storage.conf');
  const containersConf = join(dir, 'containers.conf');
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    storageConf,
    `[storage]\ndriver = "vfs"\nrunroot = "${join(dir, 'run')}"\ngraphroot = "${join(dir, 'storage')}"\n`,
  );
  writeFileSync(
    containersConf,
    '[containers]\ndefault_ulimits = []\n\n[engine]\nruntime = "runc"\ncgroup_manager = "cgroupfs"\nevents_logger = "file"\n',
  );
  return { ...process.env, CONTAINERS_CONF: containersConf, CONTAINERS_STORAGE_CONF: storageConf };
}

const APT_PACKAGES = { buildah: 'buildah', podman: 'podman', runc: 'runc', debootstrap: 'debootstrap' };

function onPath(command) {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

/** Installs buildah, podman, runc and debootstrap from Debian's packages when missing (as root). */
export function ensureEngine(progress) {
  const missing = Object.keys(APT_PACKAGES).filter((c) => !onPath(c));
  if (!missing.length) return;
  if (process.getuid?.() !== 0) {
    throw new Error(`missing ${missing.join(', ')}: install them (apt-get install ${missing.join(' ')})`);
  }
  progress(`installing ${missing.join(', ')} with apt-get…`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const install = () =>
    spawnSync(
      'apt-get',
      ['install', '-y', '-q', '-o', 'DPkg::Lock::Timeout=600', ...missing.map((c) => APT_PACKAGES[c])],
      {
        env,
        stdio: ['ignore', 'ignore', 'inherit'],
      },
    ).status === 0;
  if (install()) return;
  execFileSync('apt-get', ['update', '-q'], { env, stdio: ['ignore', 'ignore', 'inherit'] });
  if (!install()) throw new Error(`apt-get install ${missing.join(' ')} failed`);
}

/** Runs a command with output streamed through `onLine`; resolves to its exit code. */
export function stream(command, args, { env, onLine, cwd } = {}) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let buffered = '';
    const take = (chunk) => {
      buffered += chunk;
      const lines = buffered.split('\n');
      buffered = lines.pop();
      for (const line of lines) onLine?.(line);
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    child.on('close', (code) => {
      if (buffered) onLine?.(buffered);
      resolve(code ?? 1);
    });
  });
}

export function imageExists(env, ref) {
  return spawnSync('buildah', ['inspect', '--type', 'image', ref], { env, stdio: 'ignore' }).status === 0;
}
