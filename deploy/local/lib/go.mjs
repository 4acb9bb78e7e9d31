import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { binDir } from './paths.mjs';
import { InfraError } from './log.mjs';
import { lastLines, run, which } from './proc.mjs';

export function findGo() {
  const go = which('go') ?? ['/usr/local/go/bin/go', '/usr/lib/go/bin/go'].find((p) => existsSync(p));
  return go ?? null;
}

function requireGo(what) {
  const go = findGo();
  if (go) return go;
  throw new InfraError(
    `${what} is built from source with the Go toolchain, but no \`go\` was found on PATH (nor in /usr/local/go/bin). ` +
      'Install Go 1.22 or newer (for example `apt-get install golang-go` on a recent distribution, or the official ' +
      'tarball), make sure `go` is on PATH and the Go module proxy is reachable, then run `pnpm infra up` again.',
  );
}

function buildFailed(what, output) {
  return new InfraError(
    `Building ${what} with Go failed. The Go module proxy may be unreachable (check GOPROXY/GOFLAGS and the network) ` +
      `or the toolchain too old. Last output:\n${lastLines(output)}`,
  );
}

/** `go install module@version` into the cache's bin dir. */
export async function goInstall(what, moduleAtVersion) {
  const go = requireGo(what);
  mkdirSync(binDir(), { recursive: true });
  // Run outside any module so the repo's (absent) go.mod never interferes.
  const { code, output } = await run(go, ['install', '-trimpath', moduleAtVersion], {
    cwd: tmpdir(),
    env: { ...process.env, GOBIN: binDir() },
  });
  if (code !== 0) throw buildFailed(what, output);
}

/** Hash of the files that determine a build, used as its stamp. */
export function sourceHash(dir, files) {
  const hash = createHash('sha256');
  for (const file of files)
    hash
      .update(file)
      .update('\0')
      .update(readFileSync(join(dir, file)));
  return hash.digest('hex');
}

/**
 * Builds the main package in `dir` into the cache's bin dir unless a binary
 * built from the same sources already exists. The binary is written under a
 * temporary name first so an interrupted build never leaves a broken one.
 */
export async function goBuildCached(what, dir, files, binaryName, onBuild) {
  const out = join(binDir(), binaryName);
  const stamp = `${out}.stamp`;
  const hash = sourceHash(dir, files);
  if (existsSync(out) && existsSync(stamp) && readFileSync(stamp, 'utf8').trim() === hash) return out;
  const go = requireGo(what);
  onBuild?.();
  mkdirSync(binDir(), { recursive: true });
  const tmp = `${out}.tmp-${process.pid}`;
  const { code, output } = await run(go, ['build', '-trimpath', '-o', tmp, '.'], { cwd: dir });
  if (code !== 0) {
    rmSync(tmp, { force: true });
    throw buildFailed(what, output);
  }
  renameSync(tmp, out);
  writeFileSync(stamp, `${hash}\n`);
  return out;
}
